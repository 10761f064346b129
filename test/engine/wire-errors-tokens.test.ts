import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireFormat, countTokens } from '../../src/engine/wire/index.ts';
import { MAX_RAW_MESSAGE_CHARS } from '../../src/engine/wire/common.ts';

test('error bodies: provider JSON shapes', () => {
  assert.equal(
    wireFormat('openai').parseErrorBody(429, '{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","code":"rate_limit_exceeded"}}'),
    'requests: Rate limit reached for gpt-4o',
  );
  assert.equal(
    wireFormat('anthropic').parseErrorBody(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    'overloaded_error: Overloaded',
  );
  assert.equal(wireFormat('openai').parseErrorBody(400, '{"error":"bad thing"}'), 'bad thing');
  assert.equal(wireFormat('openai').parseErrorBody(422, '{"detail":"Not Found"}'), 'Not Found');
  assert.equal(wireFormat('openai').parseErrorBody(400, '{"object":"error","message":"too long","type":"BadRequestError"}'), 'BadRequestError: too long');
});

test('error bodies: HTML, plain text, empty, long, multi-line', () => {
  const html = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1>' + 'x'.repeat(5000) + '</body></html>';
  assert.equal(wireFormat('openai').parseErrorBody(502, html), 'HTML error page (HTTP 502): 502 Bad Gateway');
  assert.equal(wireFormat('openai').parseErrorBody(503, '<html><body>down</body></html>'), 'HTML error page (HTTP 503)');
  assert.equal(wireFormat('openai').parseErrorBody(500, ''), 'HTTP 500 with an empty body');
  assert.equal(wireFormat('openai').parseErrorBody(500, 'upstream\n  connect error\n'), 'upstream connect error');
  // Bounded here, not cut to 200: the engine scrubs secrets first, then cuts (see test/engine/secrets.test.ts).
  const long = wireFormat('anthropic').parseErrorBody(500, 'y'.repeat(5000));
  assert.equal(long.length, MAX_RAW_MESSAGE_CHARS);
  assert.ok(long.endsWith('…'));
  assert.equal(wireFormat('openai').parseErrorBody(500, '{not json'), '{not json');
});

test('error bodies: credentials echoed by a server are masked', () => {
  const m = wireFormat('openai').parseErrorBody(401, '{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnop. You can find...","type":"invalid_request_error"}}');
  assert.ok(!m.includes('abcdefghijklmnop'), m);
  assert.ok(m.includes('sk-***'));
  assert.ok(!wireFormat('openai').parseErrorBody(401, 'bad header Authorization: Bearer abc.def.ghi').includes('abc.def'));
});

test('countTokens: o200k counts, empty text, special tokens as plain text', () => {
  assert.equal(countTokens(''), 0);
  assert.equal(countTokens('hello world'), 2);
  assert.ok(countTokens('hello <|endoftext|> world') > 3);
});

test('countTokens: long texts are counted in segments, same result as one pass for normal prose', async () => {
  const { countTokens: direct } = await import('gpt-tokenizer/encoding/o200k_base');
  const prose = 'The quick brown fox jumps over the lazy dog, twice.\nThen it rests. '.repeat(600);
  assert.ok(prose.length > 32 * 1024);
  const want = direct(prose);
  const got = countTokens(prose);
  assert.ok(Math.abs(got - want) <= want * 0.01, `${got} vs ${want}`);
});

test('countTokens: a long run without whitespace stays fast (the library alone is quadratic)', () => {
  const t0 = performance.now();
  const n = countTokens('x'.repeat(100_000));
  const ms = performance.now() - t0;
  assert.ok(n > 10_000 && n < 20_000, String(n));
  assert.ok(ms < 3000, `${ms} ms`);
  assert.ok(countTokens('🚀'.repeat(2000)) > 0);
});
