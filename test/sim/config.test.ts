import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/shared/usage-error.ts';
import { LIVE_FLAG_NAMES, PatchError, SIM_FLAG_SPECS, SIM_PROFILES, parseLivePatch, publicConfig, resolveSimConfig } from '../../src/sim/config.ts';
import { drawFault, parseFaultSpec } from '../../src/sim/faults.ts';
import { mulberry32 } from '../../src/sim/prng.ts';

describe('resolveSimConfig', () => {
  it('defaults to the default profile: 16 slots, 127.0.0.1, port 0', () => {
    const c = resolveSimConfig({});
    assert.equal(c.profile, 'default');
    assert.equal(c.slots, 16);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 0);
    assert.equal(c.timestamps, false);
    assert.equal(c.apiKey, undefined);
  });

  it('applies a profile, then explicit flags over it', () => {
    const c = resolveSimConfig({ profile: 'overloaded', ttft: '100', 'output-tokens': '50:5', faults: 'stall=0.5', timestamps: true });
    assert.equal(c.slots, SIM_PROFILES.overloaded.slots);
    assert.equal(c.ttftMs, 100);
    assert.deepEqual(c.outputTokens, { mean: 50, sd: 5 });
    assert.equal(c.faults.stall, 0.5);
    assert.equal(c.faults.http503, 0, '--faults replaces the profile faults');
    assert.equal(c.timestamps, true);
    assert.deepEqual(resolveSimConfig({ 'output-tokens': '7' }).outputTokens, { mean: 7, sd: 0 });
  });

  it('throws a UsageError naming the flag as typed (with the main command prefix)', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ttft: 'fast' }, /invalid value "fast" for --sim-ttft: expected milliseconds/],
      [{ slots: '0' }, /--sim-slots: expected an integer from 1/],
      [{ port: '70000' }, /--sim-port/],
      [{ profile: 'turbo' }, /--sim-profile: expected one of default, frontier, fast, overloaded/],
      [{ faults: 'http429=2' }, /--sim-faults: expected each probability between 0 and 1/],
      [{ faults: 'http500=0.6,http503=0.6' }, /add up to at most 1/],
      [{ 'output-tokens': '0' }, /--sim-output-tokens/],
      [{ jitter: '-1' }, /--sim-jitter/],
    ];
    for (const [flags, re] of cases) {
      assert.throws(() => resolveSimConfig(flags, { flagPrefix: 'sim-' }), (err: unknown) => err instanceof UsageError && re.test(err.message));
    }
    assert.throws(() => resolveSimConfig({ nope: '1' }), /unknown flag --nope/);
  });

  it('never echoes the API key', () => {
    const c = resolveSimConfig({ 'api-key': 'hunter2' });
    assert.equal(c.apiKey, 'hunter2');
    assert.ok(!JSON.stringify(publicConfig(c)).includes('hunter2'));
  });

  it('exposes a spec per flag; boolean flags have no value name', () => {
    const names = SIM_FLAG_SPECS.map((s) => s.name);
    for (const n of ['ttft', 'prefill-per-token', 'itl', 'jitter', 'output-tokens', 'slots', 'queue', 'load-factor', 'rpm', 'tpm', 'seed', 'api-key', 'host', 'port', 'faults', 'stall-ms', 'timestamps', 'tls', 'profile']) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(SIM_FLAG_SPECS.find((s) => s.name === 'timestamps')?.valueName, undefined);
    assert.equal(SIM_FLAG_SPECS.find((s) => s.name === 'tls')?.valueName, undefined);
    assert.equal(SIM_FLAG_SPECS.find((s) => s.name === 'ttft')?.valueName, 'MS');
    assert.ok(LIVE_FLAG_NAMES.includes('ttft') && !LIVE_FLAG_NAMES.includes('port'));
  });
});

describe('parseLivePatch', () => {
  it('accepts flag, camelCase and field spellings, numbers or strings', () => {
    assert.deepEqual(parseLivePatch({ ttft: 1500, revertAfterMs: 3000 }), { ttftMs: 1500 });
    assert.deepEqual(parseLivePatch({ loadFactor: 2, 'prefill-per-token': '0.5', itlMs: 3 }), { loadFactor: 2, prefillPerTokenMs: 0.5, itlMs: 3 });
    assert.deepEqual(parseLivePatch({ outputTokens: { mean: 10, sd: 2 } }), { outputTokens: { mean: 10, sd: 2 } });
    assert.deepEqual(parseLivePatch({ faults: { http500: 0.3 } }), { faults: { http500: 0.3 } });
    assert.throws(() => parseLivePatch({ seed: 1 }), PatchError);
    assert.throws(() => parseLivePatch({ itl: 'x' }), PatchError);
  });
});

describe('faults', () => {
  it('parses specs and draws at the configured rates', () => {
    const rates = parseFaultSpec('http429=0.2, disconnect=0.1');
    assert.equal(rates.http429, 0.2);
    assert.equal(rates.disconnect, 0.1);
    assert.deepEqual(parseFaultSpec('none'), parseFaultSpec(''));
    const rng = mulberry32(1);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const f = drawFault(rates, rng) ?? 'ok';
      counts[f] = (counts[f] ?? 0) + 1;
    }
    assert.ok(Math.abs((counts.http429 ?? 0) / 20_000 - 0.2) < 0.015);
    assert.ok(Math.abs((counts.disconnect ?? 0) / 20_000 - 0.1) < 0.015);
  });
});
