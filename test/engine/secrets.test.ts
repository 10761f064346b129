import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { PaneTail } from '../../src/engine/pane-tail.ts';
import { MASK, SecretScrubber } from '../../src/engine/secrets.ts';
import { redactUrl, urlSecrets } from '../../src/shared/url-secrets.ts';
import { Prng } from '../../src/engine/prng.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { startScriptedServer } from '../helpers/scripted-server.ts';
import { CANARY_KEY, keyEchoScript, leakedPiece, piecesOf } from '../helpers/key-echo-server.ts';

const OTHER = 'hdr-Zx81Qw27Er63Ty45'; // a second secret, as a secret header's value would be

test('issue 13 item 1: pane text never holds a piece of the key, even split across two stream events', async () => {
  const server = await startScriptedServer(keyEchoScript({ gapMs: 25, kinds: ['echo'] }));
  const engine = new Engine(testConfig(server.url, { target: { apiKey: CANARY_KEY }, load: { requests: 8, concurrency: 3, streamRatio: 0.6 } }), { panes: 4 });
  const records: RequestRecord[] = [];
  engine.addRecordListener((r) => records.push(r));
  const seen: string[] = [];
  try {
    await engine.start();
    let finished = false;
    void engine.done.then(() => (finished = true));
    // Sample the panes far more often than the server's 25 ms gaps, so the moment between the
    // key's two halves is seen.
    const until = Date.now() + 20_000;
    while (!finished && Date.now() < until) {
      for (const p of engine.snapshot().panes) seen.push(p.text);
      await new Promise((r) => setTimeout(r, 3));
    }
    await engine.done;
  } finally {
    engine.dispose();
    await server.close();
  }
  assert.equal(records.length, 8);
  assert.ok(records.every((r) => r.outcome === 'ok'), JSON.stringify(records.map((r) => r.errorMessage)));
  assert.ok(seen.some((t) => t.includes('debug: you sent Bearer')), 'the panes showed the echoed text');
  assert.ok(seen.some((t) => t.includes(MASK)), 'with the key masked');
  for (const t of seen) assert.equal(leakedPiece(t, CANARY_KEY), undefined, t);
});

test('scrubber: masks the whole secret and every piece of 8 or more characters, of every secret given', () => {
  const s = new SecretScrubber([CANARY_KEY, OTHER]);
  assert.equal(s.scrub(`a ${CANARY_KEY} b`), `a ${MASK} b`);
  for (const piece of [...piecesOf(CANARY_KEY), CANARY_KEY.slice(3, 30), OTHER.slice(5, 13)]) {
    const out = s.scrub(`<${piece}>`);
    assert.equal(out, `<${MASK}>`, piece);
  }
  // Two overlapping or touching pieces make one mask.
  assert.equal(s.scrub(`${CANARY_KEY.slice(0, 20)}${CANARY_KEY.slice(15)}`), MASK);
  // Shorter than 8 characters is not a piece: ordinary text is left alone.
  assert.equal(s.scrub(`x${CANARY_KEY.slice(10, 17)}y`), `x${CANARY_KEY.slice(10, 17)}y`);
  const text = 'nothing secret here, just prose that is long enough to scan';
  assert.equal(s.scrub(text), text);
  assert.equal(new SecretScrubber([]).scrub(text), text);
});

test('scrubber: secrets shorter than a piece are masked whole; empty and tiny values are ignored', () => {
  const s = new SecretScrubber(['Ab3xQ9', '', 'ab', undefined]);
  assert.equal(s.scrub('key=Ab3xQ9;'), `key=${MASK};`);
  assert.equal(s.scrub('Ab3xQ'), 'Ab3xQ');
  assert.equal(s.scrub('ab ab'), 'ab ab');
});

test('PaneTail: a key fed in pieces of any size never shows a piece of 8 characters, and the tail stays bounded', () => {
  const rng = new Prng(7);
  const scrubber = new SecretScrubber([CANARY_KEY, OTHER]);
  for (let round = 0; round < 300; round++) {
    const tail = new PaneTail(120, scrubber);
    const text = `lead ${'w '.repeat(Math.floor(rng.next() * 70))}${CANARY_KEY} mid ${OTHER}${CANARY_KEY.slice(0, 12 + Math.floor(rng.next() * 20))} end`;
    let i = 0;
    while (i < text.length) {
      const n = 1 + Math.floor(rng.next() * 12);
      tail.push(text.slice(i, i + n));
      i += n;
      assert.ok(tail.text.length <= 120);
      assert.equal(leakedPiece(tail.text, CANARY_KEY), undefined, tail.text);
      assert.equal(leakedPiece(tail.text, OTHER), undefined, tail.text);
    }
    assert.ok(tail.text.endsWith(' end'), tail.text);
  }
  const whole = new PaneTail(50, scrubber);
  whole.set(`${'z'.repeat(100)}${CANARY_KEY}${'q'.repeat(10)}`);
  assert.equal(leakedPiece(whole.text, CANARY_KEY), undefined, whole.text);
  assert.ok(whole.text.length <= 50);
  const plain = new PaneTail(10, new SecretScrubber([]));
  plain.push('0123456789abc');
  assert.equal(plain.text, '3456789abc');
});

test('issue 13 item 2: messages are scrubbed before the 200-character cut, and non-sk keys are masked in part too', () => {
  const s = new SecretScrubber([CANARY_KEY]);
  for (let at = 150; at <= 205; at++) {
    const msg = s.message(`${'x'.repeat(at)} ${CANARY_KEY} rejected`);
    assert.ok(msg.length <= 200, String(msg.length));
    assert.equal(leakedPiece(msg, CANARY_KEY), undefined, `at ${at}: ${msg}`);
  }
  assert.equal(s.message(`key ...${CANARY_KEY.slice(9, 27)}... refused`), `key ...${MASK}... refused`);
  // Credentials we were never told about, in the shapes servers echo them.
  for (const [raw, hidden] of [
    ['Incorrect API key provided: sk-proj-abcdefghijklmnop.', 'abcdefghijklmnop'],
    ['bad header Authorization: Bearer abc.def.ghi', 'abc.def'],
    ['{"api-key":"azK3y9vLm2Qx7Wp4"} refused', 'azK3y9vLm2Qx7Wp4'],
    ['x-api-key: vllmKEY0123456789 is wrong', 'vllmKEY0123456789'],
    ['GET /v1/models?key=gwKey-55aa66bb77 failed', 'gwKey-55aa66bb77'],
  ] as const) {
    const out = new SecretScrubber([]).message(raw);
    assert.ok(!out.includes(hidden), out);
  }
  assert.equal(s.message('  many\n\n lines\t here '), 'many lines here');
});

test('issue 13 item 12: credential-like query values are redacted wherever a URL is shown, the rest kept as written', () => {
  assert.equal(redactUrl('https://x.openai.azure.com/openai/deployments/d?api-version=2024-06-01&api-key=abc123secret'), 'https://x.openai.azure.com/openai/deployments/d?api-version=2024-06-01&api-key=***');
  assert.equal(redactUrl('http://h/v1?key=K&sig=S&token=T&access_token=A&X-Amz-Signature=Z&code=C&page=2'), 'http://h/v1?key=***&sig=***&token=***&access_token=***&X-Amz-Signature=***&code=***&page=2');
  assert.equal(redactUrl('http://h/v1?Api_Key=x#frag'), 'http://h/v1?Api_Key=***#frag');
  assert.equal(redactUrl('http://h/v1?flag&key'), 'http://h/v1?flag&key');
  assert.equal(redactUrl('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000/v1');
  assert.equal(redactUrl('not a url ?secret=xyz'), 'not a url ?secret=***');
  assert.equal(redactUrl(redactUrl('http://h/?sig=abc')), 'http://h/?sig=***', 'idempotent');
  // What is redacted for display is also a secret to scrub from echoes, in both spellings.
  assert.deepEqual(urlSecrets('http://h/v1?api-version=1&sig=ab%2Bcd%3Def12&key=short'), ['ab%2Bcd%3Def12', 'ab+cd=ef12', 'short']);
  assert.deepEqual(urlSecrets('http://h/v1'), []);
});
