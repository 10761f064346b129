import { after, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { COMPARE_MODES_COMMAND, MAIN_COMMAND } from '../../src/config/commands.ts';
import { parseDurationSpec } from '../../src/config/length-spec.ts';
import { resolveRunPlan } from '../../src/config/run-options.ts';
import { syntheticSessionCount } from '../../src/config/workload.ts';
import { parseFlags, type RawOptions } from '../../src/flags/parse.ts';
import { countTokens } from '../../src/engine/wire/tokens.ts';
import { CORPUS_QUESTIONS } from '../../src/engine/session-synthetic.ts';
import { workloadWords } from '../../src/report/workload-text.ts';
import { usageMessage } from '../helpers/usage.ts';
import { promptCount } from '../../src/engine/packed-prompts.ts';

const plan = (raw: RawOptions) => resolveRunPlan(parseFlags(MAIN_COMMAND, raw), { headless: true });

test('--think-time: a duration or MEAN:SD of durations (bare numbers are ms); bad values name the flag and the form', () => {
  assert.deepEqual(parseDurationSpec('--think-time', '50ms', 3_600_000), { kind: 'fixed', n: 50 });
  assert.deepEqual(parseDurationSpec('--think-time', '2s:500ms', 3_600_000), { kind: 'normal', mean: 2000, sd: 500 });
  assert.deepEqual(parseDurationSpec('--think-time', '1500:0', 3_600_000), { kind: 'fixed', n: 1500 });
  for (const bad of ['soon', '1s:2s:3s', '2h', ':5', '-1s'])
    assert.match(usageMessage(() => parseDurationSpec('--think-time', bad, 3_600_000)), /for --think-time: expected TIME or MEAN:SD, each a duration of at most 1h/, bad);
});

test('--turns builds synthetic sessions: turn counts drawn per session from --seed, short questions unique per session, in order', () => {
  const p = plan({ turns: '3:1', requests: '40', seed: '5' });
  const w = p.engine.workload;
  assert.equal(promptCount(w.prompts), 0, 'no single prompts: every request is a turn');
  const s = w.sessions;
  assert.ok(s !== undefined);
  assert.equal(s.history, 'live');
  assert.equal(s.thinkMs, undefined);
  assert.equal(s.scripts.length, 40, 'a normal draw may give 1 turn: as many sessions as requests');
  const counts = s.scripts.map((x) => x.turns.length);
  assert.ok(counts.every((n) => n >= 1) && new Set(counts).size > 1, `drawn: ${counts.join(',')}`);
  const firsts = s.scripts.map((x) => x.turns[0]?.user ?? '');
  assert.equal(new Set(firsts).size, firsts.length, 'first messages differ: no accidental cache hit between sessions');
  for (const x of s.scripts) for (const t of x.turns.slice(1)) assert.ok(CORPUS_QUESTIONS.includes(t.user));
  assert.deepEqual(plan({ turns: '3:1', requests: '40', seed: '5' }).engine.workload.sessions?.scripts, s.scripts, 'the same seed, the same sessions');
  assert.notDeepEqual(plan({ turns: '3:1', requests: '40', seed: '6' }).engine.workload.sessions?.scripts, s.scripts);
  assert.equal(workloadWords(w.shape), 'turns 3±1');
});

test('--turns with --input-tokens: every user turn that long; the shared prefix opens the first turn only; --think-time and --system carried', () => {
  const p = plan({ turns: '3', inputTokens: '300', sharedPrefix: '200', outputTokens: '20', requests: '12', thinkTime: '2s:500ms', system: 'be brief' });
  const s = p.engine.workload.sessions;
  assert.ok(s !== undefined);
  assert.equal(s.scripts.length, 4, '12 requests, 3 turns each');
  const prefix = (s.scripts[0]?.turns[0]?.user ?? '').slice(0, 100);
  for (const x of s.scripts) {
    assert.equal(x.system, 'be brief');
    assert.equal(x.turns.length, 3);
    for (const t of x.turns) {
      assert.ok(Math.abs(countTokens(t.user) - 300) <= 1, `${countTokens(t.user)} tokens`);
      assert.equal(t.outputTokens, 20);
    }
    assert.ok(x.turns[0]?.user.startsWith(prefix), 'first turns share the prefix');
    assert.ok(!x.turns[1]?.user.startsWith(prefix), 'later turns do not repeat it');
  }
  assert.deepEqual(s.thinkMs, { kind: 'normal', mean: 2000, sd: 500 });
  assert.equal(workloadWords(p.engine.workload.shape), 'in 300 tok · out 20 · prefix 200×1 · turns 3 · think 2000±500ms');
  assert.equal(syntheticSessionCount({ kind: 'fixed', n: 5 }, { kind: 'fixed', n: 1000 }, undefined), 2000, 'a duration run: the token budget (10 M) over 5 turns of 1000');
});

test('multi-turn flags that make no sense together are refused with what to use', () => {
  assert.match(usageMessage(() => plan({ history: 'live' })), /--history chooses what multi-turn sessions resend .*add --turns N/);
  assert.match(usageMessage(() => plan({ turns: '3', history: 'dataset' })), /--history dataset resends a dataset's own replies, and synthetic turns \(--turns\) have none: drop --history/);
  assert.match(usageMessage(() => plan({ thinkTime: '1s' })), /--think-time is the pause between the turns of a session: add --turns N/);
  assert.match(usageMessage(() => plan({ turns: '3', prompt: 'hi' })), /--turns builds its own conversations .*drop --prompt/);
  assert.match(usageMessage(() => plan({ turns: '3', prompts: 'x.jsonl' })), /drop --prompts/);
  assert.match(usageMessage(() => plan({ turns: '3', target: ['a=http://127.0.0.1:1/v1', 'b=http://127.0.0.1:2/v1'] })), /--turns is not available with several targets yet/);
  assert.match(usageMessage(() => plan({ turns: '0' })), /invalid value "0" for --turns: expected N, MEAN:SD or MIN-MAX in turns, whole numbers from 1 to 1000/);
  assert.match(usageMessage(() => plan({ history: 'mine', turns: '2' })), /invalid value "mine" for --history: expected one of live, dataset/);
  assert.match(
    usageMessage(() => parseFlags(COMPARE_MODES_COMMAND, { turns: '3' })),
    /compare-modes does not take --turns \(its rounds compare single requests; a multi-turn session would span rounds\); use a single run or streamtop sweep with --turns/,
  );
});

test("--multi-turn plays a dataset's conversations as sessions: ShareGPT turns with their replies, JSONL lines grouped by session", () => {
  const p = plan({ dataset: 'examples/dataset-sharegpt.json', multiTurn: true });
  const w = p.engine.workload;
  const s = w.sessions;
  assert.ok(s !== undefined);
  assert.equal(promptCount(w.prompts), 0);
  assert.equal(s.history, 'live');
  const bike = s.scripts.find((x) => x.system === 'You are a concise assistant for a bicycle shop.');
  assert.ok(bike !== undefined, 'a conversation with its own system prompt');
  assert.deepEqual(bike.turns.map((t) => t.user), ['How often should I replace my chain?', 'And the cassette?']);
  assert.match(bike.turns[0]?.datasetReply ?? '', /^Check chain wear/);
  assert.equal(w.shape?.sessions?.source, 'dataset');
  assert.equal(w.shape?.dataset?.format, 'sharegpt');
  assert.equal(workloadWords(w.shape)?.includes('dataset turns'), true);
  assert.equal(plan({ dataset: 'examples/dataset-sharegpt.json', multiTurn: true, history: 'dataset', thinkTime: '1s' }).engine.workload.sessions?.history, 'dataset');
  const fixed = plan({ dataset: 'examples/dataset-sharegpt.json', multiTurn: true, outputTokens: '7' }).engine.workload.sessions;
  assert.ok(fixed?.scripts.every((x) => x.turns.every((t) => t.outputTokens === 7)), '--output-tokens replaces the dataset answer lengths');
  const jsonl = plan({ dataset: 'examples/dataset-streamtop.jsonl', multiTurn: true }).engine.workload.sessions;
  assert.ok(jsonl !== undefined && jsonl.scripts.some((x) => x.turns.length > 1), 'lines sharing a session make one conversation');
});

test('--multi-turn flags that make no sense together are refused with what to use', () => {
  assert.match(usageMessage(() => plan({ multiTurn: true })), /--multi-turn plays the conversations of a dataset: add --dataset FILE .* or use --turns N/);
  assert.match(usageMessage(() => plan({ dataset: 'examples/dataset-sharegpt.json', multiTurn: true, turns: '3' })), /--turns builds its own conversations; to play a dataset's conversations use --dataset FILE --multi-turn/);
  assert.match(usageMessage(() => plan({ dataset: 'examples/trace-mooncake.jsonl', multiTurn: true, replay: true })), /drop --multi-turn, or drop --replay/);
  assert.match(usageMessage(() => plan({ dataset: 'examples/trace-mooncake.jsonl', multiTurn: true })), /Mooncake trace records single requests, not conversations/);
  assert.match(usageMessage(() => plan({ dataset: 'examples/dataset-sharegpt.json', history: 'dataset' })), /add --turns N \(synthetic\) or --multi-turn/);
});

test('sessions and --replay are refused with several targets, and with each other, naming both flags', () => {
  const two = ['a=http://127.0.0.1:1/v1', 'b=http://127.0.0.1:2/v1'];
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-sessions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'targets.json');
  writeFileSync(file, JSON.stringify([{ name: 'a', url: 'http://127.0.0.1:1/v1' }, { name: 'b', url: 'http://127.0.0.1:2/v1' }]));
  const cases: [RawOptions, RegExp][] = [
    [{ turns: '3', target: two }, /--turns is not available with several targets yet/],
    [{ turns: '3', targets: file }, /--turns is not available with several targets yet/],
    [{ dataset: 'examples/dataset-sharegpt.json', multiTurn: true, target: two }, /--multi-turn is not available with several targets yet/],
    [{ dataset: 'examples/dataset-sharegpt.json', multiTurn: true, targets: file }, /--multi-turn is not available with several targets yet/],
    [{ dataset: 'examples/trace-mooncake.jsonl', replay: true, target: two }, /--replay is not available with several targets yet .*drop --replay/],
    [{ dataset: 'examples/trace-mooncake.jsonl', replay: true, targets: file }, /--replay is not available with several targets yet/],
    // Whatever else is missing: the conflict is named first (adding --dataset would not help).
    [{ turns: '3', replay: true }, /--replay sends single trace lines .* --turns plays sessions .*drop --turns, or drop --replay/],
    [{ turns: '3', replay: true, dataset: 'examples/trace-mooncake.jsonl' }, /drop --turns, or drop --replay/],
    [{ multiTurn: true, replay: true, dataset: 'examples/trace-mooncake.jsonl' }, /drop --multi-turn, or drop --replay/],
  ];
  for (const [raw, re] of cases) assert.match(usageMessage(() => plan(raw)), re, JSON.stringify(raw));
  // A dataset's single prompts do go to several targets (each target gets the same prompts in order).
  assert.doesNotThrow(() => plan({ dataset: 'examples/dataset-sharegpt.json', target: two }));
});

test('--max-queue-delay goes with --replay as with --rate (both are open loop), and is refused in a closed loop', () => {
  const p = plan({ dataset: 'examples/trace-mooncake.jsonl', replay: true, maxQueueDelay: '2s' });
  assert.equal(p.engine.load.maxQueueDelayMs, 2000);
  assert.match(usageMessage(() => plan({ maxQueueDelay: '2s' })), /add --rate R or --replay, or drop it/);
});
