import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadTargetsFile, parseTargetFlag } from '../../src/config/targets.ts';
import { parseRunOptions } from '../../src/config/run-options.ts';
import { MAIN_COMMAND, SWEEP_COMMAND } from '../../src/config/commands.ts';
import { addFlags } from '../../src/flags/commander.ts';
import { parseFlags, type RawOptions } from '../../src/flags/parse.ts';
import { usageMessage } from '../helpers/usage.ts';
import { promptAt } from '../../src/engine/packed-prompts.ts';


/** What commander hands the action for these arguments of the main command. */
function rawOf(args: string[]): RawOptions {
  let got: RawOptions = {};
  const cmd = addFlags(new Command('streamtop').exitOverride(), MAIN_COMMAND).action((o: RawOptions) => {
    got = o;
  });
  cmd.parse(args, { from: 'user' });
  return got;
}

test('a repeatable flag keeps every occurrence, in order; a plain flag given twice keeps the last, as in most CLIs', () => {
  const raw = rawOf(['--target', 'a=sim:fast', '--target', 'b=sim:default,ttft=400', '-c', '2']);
  assert.deepEqual(raw.target, ['a=sim:fast', 'b=sim:default,ttft=400']);
  const parsed = parseFlags(MAIN_COMMAND, raw);
  assert.deepEqual(parsed.values.target?.map((t) => t.name), ['a', 'b']);
  assert.equal(parsed.values.concurrency, 2);
  assert.equal(parseFlags(MAIN_COMMAND, rawOf(['-c', '1', '-c', '2'])).values.concurrency, 2);
});

test('--target: URL targets with their own fields', () => {
  const t = parseTargetFlag('--target', 'gw=https://gw.example/v1,api=anthropic,model=m1,key-env=GW_KEY,header=X-Team:search,header-env=x-auth:GW_AUTH,body={"temperature":0,"top_p":1},c=16');
  assert.equal(t.name, 'gw');
  assert.equal(t.url, 'https://gw.example/v1');
  assert.equal(t.api, 'anthropic');
  assert.equal(t.model, 'm1');
  assert.equal(t.keyEnv, 'GW_KEY');
  assert.deepEqual(t.headers, { 'x-team': 'search' });
  assert.deepEqual(t.headerEnvs, { 'x-auth': 'GW_AUTH' });
  assert.deepEqual(t.body, { temperature: 0, top_p: 1 });
  assert.equal(t.concurrency, 16);
});

test('--target: simulator targets take a profile and its knobs', () => {
  const t = parseTargetFlag('--target', 'slow=sim:default,ttft=400,jitter=0');
  assert.deepEqual(t.sim, { profile: 'default', knobs: { ttft: '400', jitter: '0' } });
  assert.equal(t.url, undefined);
  assert.deepEqual(parseTargetFlag('--target', 'x=sim').sim?.profile, 'default');
});

test('--target: bad input names the target and the field', () => {
  assert.match(usageMessage(() => parseTargetFlag('--target', 'https://x')), /--target .*expected NAME=URL/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=ftp://x')), /--target a: url: .*http:\/\/ or https:\/\/ URL/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=sim:warp')), /--target a: url: unknown simulator profile "warp": expected sim: followed by one of default, frontier, fast, overloaded/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=http://h/v1,ttft=5')), /--target a: ttft: is a simulator knob: it applies only to sim: targets/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=http://h/v1,colour=red')), /--target a: colour: unknown field: expected one of api, model, key-env/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=http://h/v1,c=0')), /--target a: c: expected a whole number from 1 to 100000/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=http://h/v1,body={"model":"x"}')), /body: may not set "model"/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=http://h/v1,header=nocolon')), /header: expected NAME:VALUE/);
  // A key pasted where a variable name belongs is not echoed.
  const msg = usageMessage(() => parseTargetFlag('--target', 'a=http://h/v1,key-env=sk-live-abc123456789'));
  assert.doesNotMatch(msg, /sk-live/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a b=http://h/v1')), /is not a target name/);
});

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-targets-'));
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('--targets FILE: a JSON array or {"targets": [...]}', () => {
  const file = tmpFile(
    't.json',
    JSON.stringify({ targets: [{ name: 'direct', url: 'https://api.example/v1', 'key-env': 'K1' }, { name: 'gw', url: 'sim:fast', ttft: '+50', header: { 'x-team': 'a' }, body: { temperature: 0 }, c: 4 }] }, null, 2),
  );
  const specs = loadTargetsFile('--targets', file);
  assert.deepEqual(specs.map((s) => s.name), ['direct', 'gw']);
  assert.equal(specs[0]?.keyEnv, 'K1');
  assert.deepEqual(specs[1]?.sim, { profile: 'fast', knobs: { ttft: '+50' } });
  assert.deepEqual(specs[1]?.headers, { 'x-team': 'a' });
  assert.equal(specs[1]?.concurrency, 4);
});

test('--targets FILE: errors name the line and the field', () => {
  const text = '[\n  {"name": "a", "url": "sim:fast"},\n  {\n    "name": "b",\n    "url": "sim:fast",\n    "c": 0\n  }\n]\n';
  assert.match(usageMessage(() => loadTargetsFile('--targets', tmpFile('bad.json', text))), /bad\.json:3: target 2 \("b"\), field "c": expected a whole number/);
  assert.match(usageMessage(() => loadTargetsFile('--targets', tmpFile('syntax.json', '[\n  {"name": "a",}\n]'))), /not valid JSON at line 2/);
  assert.match(usageMessage(() => loadTargetsFile('--targets', tmpFile('t.yaml', 'targets:\n  - name: a\n'))), /YAML is not read: write the file as JSON/);
  assert.match(usageMessage(() => loadTargetsFile('--targets', tmpFile('obj.json', '{"name": "a"}'))), /expected a JSON array of targets/);
  assert.match(usageMessage(() => loadTargetsFile('--targets', tmpFile('nourl.json', '[{"name": "a"}]'))), /target 1 \("a"\), field "url": missing/);
  assert.match(usageMessage(() => loadTargetsFile('--targets', '/nonexistent/t.json')), /cannot read it \(ENOENT\)/);
});

test('the plan: one plan per target, the first the reference; sim knobs relative to the profile', () => {
  const plan = parseRunOptions(rawOf(['--headless', '-n', '5', '--seed', '7', '--target', 'a=sim:fast', '--target', 'b=sim:fast,ttft=+50,c=3']), { stdoutIsTTY: false });
  assert.equal(plan.targets?.length, 2);
  const [a, b] = plan.targets ?? [];
  assert.equal(a?.plan.sim?.ttftMs, 80);
  assert.equal(b?.plan.sim?.ttftMs, 130);
  assert.equal(b?.plan.engine.load.concurrency, 3);
  assert.equal(a?.plan.engine.load.concurrency, 8);
  assert.equal(b?.plan.engine.load.seed, 7);
  assert.equal(b?.plan.engine.load.requests, 5);
  // The top-level settings are the reference's.
  assert.equal(plan.sim?.ttftMs, 80);
});

test('the plan: header and body fields reach the target engine', () => {
  const plan = parseRunOptions(rawOf(['--headless', '--target', 'a=http://127.0.0.1:1/v1,header=x-team:s,body={"temperature":0}', '--target', 'b=http://127.0.0.1:2/v1']), { stdoutIsTTY: false });
  const [a, b] = plan.targets ?? [];
  assert.deepEqual(a?.plan.engine.target.headers, { 'x-team': 's' });
  assert.equal(b?.plan.engine.target.headers, undefined);
  assert.ok(a !== undefined && b !== undefined);
  assert.deepEqual(promptAt(a.plan.engine.workload.prompts, 0).body, { temperature: 0 });
  assert.equal(promptAt(b.plan.engine.workload.prompts, 0).body, undefined);
});

test('the plan: several targets take every output (--ndjson, --markdown, --html, --fail-if, --slo, --project, --prometheus)', () => {
  const d = tmpdir();
  const plan = parseRunOptions(
    rawOf(['--target', 'a=sim:fast', '--target', 'b=sim:fast', '--ndjson', join(d, 'x.ndjson'), '--markdown', join(d, 'x.md'), '--html', join(d, 'x.html'), '--fail-if', 'p95(ttft@b)<p95(ttft@a)+50ms', '--slo', 'ttft<1s', '--project', '1000/month', '--prometheus', '127.0.0.1:0']),
    { stdoutIsTTY: false },
  );
  assert.equal(plan.targets?.length, 2);
  assert.equal(plan.output.failIf, 'p95(ttft@b)<p95(ttft@a)+50ms');
  assert.equal(plan.output.projectPerMonth, 1000);
  assert.deepEqual(plan.output.prometheus, { host: '127.0.0.1', port: 0 });
});

test('several targets on a terminal: a dashboard plan, running until quit (no default duration)', () => {
  const plan = parseRunOptions(rawOf(['--target', 'a=sim:fast', '--target', 'b=sim:fast,ttft=+50']), { stdoutIsTTY: true });
  assert.equal(plan.output.headless, false);
  assert.deepEqual(plan.targets?.map((t) => t.name), ['a', 'b']);
  assert.equal(plan.engine.load.durationMs, undefined);
  assert.equal(plan.targets?.[1]?.plan.engine.load.durationMs, undefined);
});

test('the plan: what several targets refuse, with why', () => {
  const run = (args: string[]) => usageMessage(() => parseRunOptions(rawOf(args), { stdoutIsTTY: false }));
  assert.match(run(['--target', 'a=sim:fast']), /at least two targets/);
  assert.match(run(['--target', 'a=sim:fast', '--target', 'a=sim:fast']), /target name "a" is used twice/);
  assert.match(run(['--target', 'a=sim:fast', '--url', 'http://x/v1']), /--target and --url are alternatives/);
  assert.match(run(['--target', 'a=sim:fast', '--target', 'b=sim:fast,ttft=+x']), /--target b: invalid value "\+x" for ttft/);
  assert.match(run(['--target', 'a=sim:fast', '--target', 'b=sim:fast,ttft=-500']), /takes the fast profile's 80 below 0/);
  assert.match(run(['--target', 'a=sim:fast', '--target', 'b=sim:fast', '--fail-if', 'p95(ttft@c)<1s']), /names target "c", which is not one of this run's targets: a, b/);
  assert.match(usageMessage(() => parseFlags(SWEEP_COMMAND, { target: ['a=sim:fast'] })), /sweep does not take --target \(it measures one endpoint\)/);
});
