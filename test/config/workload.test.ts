import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAIN_COMMAND } from '../../src/config/commands.ts';
import { parseLength } from '../../src/config/length-spec.ts';
import { resolveRunPlan } from '../../src/config/run-options.ts';
import { autoMaxTokensField, syntheticCount } from '../../src/config/workload.ts';
import { parseFlags, type RawOptions } from '../../src/flags/parse.ts';
import { wireFormat } from '../../src/engine/wire/index.ts';
import { usageMessage } from '../helpers/usage.ts';
import { promptAt, promptCount } from '../../src/engine/packed-prompts.ts';

const plan = (raw: RawOptions) => resolveRunPlan(parseFlags(MAIN_COMMAND, raw), { headless: true });



test('length specs parse, and refuse what is out of range or unreadable', () => {
  assert.deepEqual(parseLength('--x', '1000', 8, 5000), { kind: 'fixed', n: 1000 });
  assert.deepEqual(parseLength('--x', '1000:100', 8, 5000), { kind: 'normal', mean: 1000, sd: 100 });
  assert.deepEqual(parseLength('--x', ' 500 - 1500 ', 8, 5000), { kind: 'uniform', min: 500, max: 1500 });
  assert.deepEqual(parseLength('--x', '300:0', 8, 5000), { kind: 'fixed', n: 300 });
  assert.match(usageMessage(() => parseLength('--x', '9000', 8, 5000)), /invalid value "9000" for --x: expected N, MEAN:SD or MIN-MAX/);
  assert.match(usageMessage(() => parseLength('--x', '900-100', 8, 5000)), /MIN <= MAX, e.g. 100-900/);
  assert.match(usageMessage(() => parseLength('--x', 'lots', 8, 5000)), /expected N, MEAN:SD or MIN-MAX/);
});

test('--input-tokens builds one unique prompt per request (-n + warm-up), taken in order, with output targets', () => {
  const p = plan({ inputTokens: '200', outputTokens: '50', requests: '30', warmup: '5', ignoreEos: true });
  const w = p.engine.workload;
  assert.equal(promptCount(w.prompts), 35);
  assert.equal(w.order, 'sequence');
  const all = Array.from({ length: 35 }, (_, i) => promptAt(w.prompts, i));
  assert.ok(all.every((x) => x.outputTokens === 50 && x.inputTokens === 200));
  assert.equal(w.ignoreEos, true);
  assert.deepEqual(w.shape?.inputTokens, { kind: 'fixed', n: 200 });
  assert.equal(syntheticCount({ kind: 'fixed', n: 1000 }, undefined), 10_000, 'a duration run: as many as the token budget holds');
});

test('the output cap field: auto picks max_completion_tokens on OpenAI and Azure hosts; ignore_eos sends min_tokens', () => {
  assert.equal(autoMaxTokensField('https://api.openai.com/v1'), 'max_completion_tokens');
  assert.equal(autoMaxTokensField('https://res.openai.azure.com/openai/deployments/d?api-version=1'), 'max_completion_tokens');
  assert.equal(autoMaxTokensField('http://localhost:8000/v1'), 'max_tokens');
  assert.equal(autoMaxTokensField(undefined), 'max_tokens');
  assert.equal(plan({ url: 'https://api.openai.com/v1', maxTokens: '5' }).engine.workload.maxTokensField, 'max_completion_tokens');
  assert.equal(plan({ url: 'https://api.openai.com/v1', maxTokens: '5', maxTokensField: 'max_tokens' }).engine.workload.maxTokensField, undefined);
  const body = JSON.parse(
    wireFormat('openai').buildRequest({ baseUrl: 'http://h/v1', model: 'm', messages: [], stream: false, requestId: 'r', maxTokens: 200, maxTokensField: 'max_completion_tokens', ignoreEos: true }).body,
  ) as Record<string, unknown>;
  assert.deepEqual([body.max_completion_tokens, body.min_tokens, body.ignore_eos, body.max_tokens], [200, 200, true, undefined]);
});

test('workload flags that cannot work together are refused with what to do', () => {
  assert.match(usageMessage(() => plan({ inputTokens: '100', prompt: 'hi' })), /--input-tokens builds its own prompts: drop --prompt/);
  assert.match(usageMessage(() => plan({ outputTokens: '100', maxTokens: '5' })), /give one/);
  assert.match(usageMessage(() => plan({ ignoreEos: true })), /--ignore-eos asks for exactly the output cap: add --output-tokens/);
  assert.match(usageMessage(() => plan({ ignoreEos: true, maxTokens: '9', api: 'anthropic' })), /Anthropic API has none/);
  assert.match(usageMessage(() => plan({ sharedPrefix: '100' })), /add --input-tokens N/);
  assert.match(usageMessage(() => plan({ inputTokens: '100', sharedPrefix: '95' })), /lower --shared-prefix to at most 92/);
  assert.match(usageMessage(() => plan({ prefixGroups: '3' })), /--prefix-groups needs --shared-prefix/);
});
