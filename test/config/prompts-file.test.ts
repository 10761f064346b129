import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPromptsFile } from '../../src/config/prompts-file.ts';
import { UsageError } from '../../src/shared/usage-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamtop-prompts-'));
function file(lines: string[]): string {
  const p = join(dir, `p${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

test('item 14: fields beside "prompt" / "messages" become body fields of that request', () => {
  const p = file([
    '{"prompt": "hi", "temperature": 0.2, "max_tokens": 64}',
    '{"messages": [{"role": "user", "content": "yo"}], "top_p": 0.9, "stop": ["\\n"]}',
    '{"prompt": "plain"}',
  ]);
  const prompts = loadPromptsFile(p);
  assert.deepEqual(prompts[0]?.body, { temperature: 0.2, max_tokens: 64 });
  assert.deepEqual(prompts[1]?.body, { top_p: 0.9, stop: ['\n'] });
  assert.equal(prompts[2]?.body, undefined);
  assert.deepEqual(prompts[0]?.messages, [{ role: 'user', content: 'hi' }]);
});

test('item 14: keys streamtop owns are refused with the line and the reason', () => {
  for (const [line, re] of [
    ['{"prompt": "hi", "model": "gpt-4o"}', /p\w+\.jsonl:2: "model" is set by streamtop \(the model is --model\); remove it from the line/],
    ['{"prompt": "hi", "stream": false}', /:2: "stream" is set by streamtop \(streaming is drawn per request from --stream-ratio\)/],
    ['{"prompt": "hi", "stream_options": {"include_usage": false}}', /:2: "stream_options" is set by streamtop/],
    ['{"prompt": "hi", "messages": [{"role": "user", "content": "x"}]}', /:2: has both "prompt" and "messages"; give one/],
    ['{"prompt": 5, "messages": [{"role": "user", "content": "x"}]}', /:2: has both "prompt" and "messages"/],
    ['{"prompt": 5}', /:2: "prompt" must be a string/],
  ] as const) {
    const p = file(['{"prompt": "fine"}', line]);
    assert.throws(() => loadPromptsFile(p), (e: unknown) => e instanceof UsageError && re.test(e.message), `${line} -> ${re}`);
  }
});

test('item 9: --prompts /dev/zero is refused at the line limit, not read until memory runs out', () => {
  const before = process.memoryUsage().rss;
  assert.throws(() => loadPromptsFile('/dev/zero'), (e: unknown) => e instanceof UsageError && /--prompts \/dev\/zero:1: line longer than 16 MiB/.test(e.message));
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'memory stayed bounded');
});
