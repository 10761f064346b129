import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBody, parseHeader, parseHeaderEnv, resolveHeaderEnv } from '../../src/config/endpoint.ts';
import { parseFlags } from '../../src/flags/parse.ts';
import { MAIN_COMMAND } from '../../src/config/commands.ts';
import { resolveRunPlan } from '../../src/config/run-options.ts';
import { secretsOf } from '../../src/engine/secrets.ts';
import { usageMessage } from '../helpers/usage.ts';

const SECRET = 'hunter2-VALUE-not-to-show';


test('-H reads "Name: value"; bad names and reserved headers are refused without echoing the value', () => {
  assert.deepEqual(parseHeader('-H', 'HTTP-Referer:  https://example.com '), { name: 'HTTP-Referer', value: 'https://example.com' });
  assert.deepEqual(parseHeader('-H', 'X-Empty:'), { name: 'X-Empty', value: '' });
  assert.match(usageMessage(() => parseHeader('-H', `no colon ${SECRET}`)), /expected "Name: value"/);
  for (const raw of [`Bad Name: ${SECRET}`, `: ${SECRET}`, `Host: ${SECRET}`, `x-request-id: ${SECRET}`, `X-A: a\r\nInjected: ${SECRET}`]) {
    const m = usageMessage(() => parseHeader('-H', raw));
    assert.ok(!m.includes(SECRET), m);
  }
  assert.match(usageMessage(() => parseHeader('-H', 'Content-Length: 5')), /Content-Length: streamtop does not send this header.*drop it/);
});

test('--header-env takes a variable name, never a value; an unset variable is named', () => {
  assert.deepEqual(parseHeaderEnv('--header-env', 'api-key: AZURE_OPENAI_API_KEY'), { name: 'api-key', env: 'AZURE_OPENAI_API_KEY' });
  const m = usageMessage(() => parseHeaderEnv('--header-env', `api-key: ${SECRET}`));
  assert.match(m, /NAME of an environment variable/);
  assert.ok(!m.includes(SECRET));
  assert.deepEqual(resolveHeaderEnv([{ name: 'api-key', env: 'K' }], { K: SECRET }), { 'api-key': SECRET });
  assert.match(usageMessage(() => resolveHeaderEnv([{ name: 'api-key', env: 'NOPE_UNSET' }], {})), /--header-env api-key: \$NOPE_UNSET is not set/);
});

test('--body takes a JSON object or @file and refuses the fields streamtop owns', () => {
  assert.deepEqual(parseBody('--body', '{"temperature": 0, "reasoning_effort": "low"}'), { temperature: 0, reasoning_effort: 'low' });
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-body-'));
  const file = join(dir, 'b.json');
  writeFileSync(file, '{"thinking": {"type": "enabled", "budget_tokens": 1024}}');
  assert.deepEqual(parseBody('--body', `@${file}`), { thinking: { type: 'enabled', budget_tokens: 1024 } });
  for (const key of ['model', 'messages', 'stream', 'stream_options'])
    assert.match(usageMessage(() => parseBody('--body', JSON.stringify({ [key]: 1 }))), new RegExp(`"${key}" is set by streamtop \\(.+\\); remove it from the body`));
  const bad = usageMessage(() => parseBody('--body', `{"secret": "${SECRET}"`));
  assert.match(bad, /not valid JSON/);
  assert.ok(!bad.includes(SECRET));
  assert.match(usageMessage(() => parseBody('--body', '[1]')), /expected a JSON object .* not an array/);
  assert.match(usageMessage(() => parseBody('--body', `@${join(dir, 'missing.json')}`)), /cannot read the file/);
});

test('headers reach the plan; the same header twice is refused; secret header values are scrubbed', () => {
  const parsed = parseFlags(MAIN_COMMAND, { url: 'http://127.0.0.1:9/v1', header: ['X-Title: bench', 'Authorization: Bearer typed-credential-123'], headerEnv: ['api-key: K'], body: '{"top_p": 0.5}' });
  const plan = resolveRunPlan(parsed, { headless: true });
  assert.deepEqual(plan.engine.target.headers, { 'X-Title': 'bench', Authorization: 'Bearer typed-credential-123' });
  assert.deepEqual(plan.headerEnv, [{ name: 'api-key', env: 'K' }]);
  assert.deepEqual(plan.engine.workload.body, { top_p: 0.5 });
  const secrets = secretsOf({ target: { baseUrl: 'http://h/v1', headers: plan.engine.target.headers ?? {}, secretHeaders: { 'api-key': SECRET } } });
  assert.ok(secrets.includes(SECRET));
  assert.ok(secrets.includes('typed-credential-123'), 'a typed Authorization value is a credential too');
  assert.ok(!secrets.includes('bench'));
  const dup = parseFlags(MAIN_COMMAND, { header: ['api-key: x'], headerEnv: ['API-Key: K'] });
  assert.match(usageMessage(() => resolveRunPlan(dup, { headless: true })), /header API-Key is given twice/);
});

test('the shipped --body example is a valid body', () => {
  const file = new URL('../../examples/body-reasoning.json', import.meta.url).pathname;
  assert.deepEqual(parseBody('--body', `@${file}`), { reasoning_effort: 'low', temperature: 1 });
});
