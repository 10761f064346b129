// The measuring client of the engine benchmarks, run in its own process (bench/lib/child.ts spawns
// it) so that neither the simulator nor the orchestrating script shares its event loop. It runs one
// job, either through the Engine (the thing under test) or through a plain undici.request +
// eventsource-parser loop (the baseline the issue names), and writes the result as JSON to job.out.
//
// Both clients send x-request-id, so every request can be matched with the simulator's own record.

import { readFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';
import { Engine } from '../../src/engine/engine.ts';
import type { RequestRecord } from '../../src/engine/types.ts';
import { benchConfig } from './engine-config.ts';

export interface ChildJob {
  client: 'engine' | 'undici';
  /** Simulator base URL, without /v1. */
  baseUrl: string;
  concurrency: number;
  /** Measured requests (a closed loop keeps `concurrency` in flight until this many started). */
  requests?: number;
  durationMs?: number;
  /** Reach `concurrency` over this many seconds (engine: --ramp; undici: staggered workers). */
  rampSeconds?: number;
  stream: boolean;
  /** 'full': one record per request with TTFT and every gap; 'none': counters only. */
  record: 'full' | 'none';
  /** Requests run before the measured part, to warm the JIT (not reported). */
  warmup: number;
  /**
   * Engine only: the first N requests of the measured run itself are warm-up (the engine's
   * --warmup: same connections, excluded from every figure), so the figures describe the steady
   * state rather than N requests and connections opened in the same millisecond.
   */
  inRunWarmup?: number;
  out: string;
}

export interface ChildRecord {
  id: string;
  ok: boolean;
  error?: string;
  ttft?: number;
  /** t0 as epoch ms (performance.timeOrigin + now), to split the difference into up and down legs. */
  t0?: number;
  /** Content events received. */
  n: number;
  itl?: number[];
}

export interface ChildResult {
  client: ChildJob['client'];
  wallMs: number;
  ok: number;
  failed: number;
  errors: Record<string, number>;
  /** Content events (engine) or all SSE events (undici with record 'none'). */
  events: number;
  /** Engine only: requests that opened a new connection. */
  connects?: number;
  records: ChildRecord[];
  rssPeakBytes: number;
  /** CPU time (user + system) the client used during the measured part, ms. */
  cpuMs?: number;
  /** Main thread runnable but waiting for a CPU during the measured part, ms (Linux schedstat). */
  runqueueWaitMs?: number;
  gc: { count: number; totalMs: number; maxMs: number; minor: number; major: number };
}

function runqueueWait(): number {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

const PROMPT = 'Say something about streaming benchmarks.';

function gcWatch(): { stop(): ChildResult['gc'] } {
  const gc = { count: 0, totalMs: 0, maxMs: 0, minor: 0, major: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      if (e.duration > gc.maxMs) gc.maxMs = e.duration;
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      // NODE_PERFORMANCE_GC_MINOR = 1, MAJOR = 4 (incremental 8, weakcb 16)
      if (kind === 1) gc.minor++;
      else gc.major++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      obs.disconnect();
      return gc;
    },
  };
}

async function runEngine(job: ChildJob, requests: number | undefined, durationMs: number | undefined, keep: boolean): Promise<Omit<ChildResult, 'rssPeakBytes' | 'gc'>> {
  const records: ChildRecord[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let events = 0;
  let runOrigin = 0;
  let connects = 0;
  const onRecord = (r: RequestRecord): void => {
    if (r.warmup) return;
    events += r.contentEvents;
    if (r.connectMs !== undefined) connects++;
    if (r.outcome === 'ok') ok++;
    else if (r.outcome !== 'cancelled') {
      failed++;
      const code = r.errorCode ?? r.outcome;
      errors[code] = (errors[code] ?? 0) + 1;
    }
    if (keep && r.outcome !== 'cancelled') {
      records.push({
        id: r.requestId,
        ok: r.outcome === 'ok',
        ...(r.errorCode !== undefined ? { error: r.errorCode } : {}),
        ...(r.ttftMs !== undefined ? { ttft: r.ttftMs } : {}),
        t0: runOrigin + r.startMs,
        n: r.contentEvents,
        itl: r.itlMs,
      });
    }
  };
  const engine = new Engine(
    benchConfig(job.baseUrl + '/v1', {
      load: {
        concurrency: job.concurrency,
        streamRatio: job.stream ? 1 : 0,
        rampSeconds: job.rampSeconds ?? 0,
        warmup: job.inRunWarmup ?? 0,
        ...(requests !== undefined ? { requests } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
      },
    }),
    { onRecord },
  );
  const t0 = performance.now();
  // start() reads the clock synchronously (no prewarm): record startMs values are relative to this.
  runOrigin = performance.timeOrigin + t0;
  await engine.start();
  await engine.done;
  const wallMs = performance.now() - t0;
  engine.dispose();
  return { client: 'engine', wallMs, ok, failed, errors, events, records, connects };
}

/**
 * The baseline: what a careful script does with undici and eventsource-parser. All `concurrency`
 * workers fire at once; t0 is taken just before request() is called; a content event is stamped
 * when the parser hands it over. With record 'none' it only counts events (no JSON parsing).
 */
async function runUndici(job: ChildJob, requests: number | undefined, durationMs: number | undefined, keep: boolean, tag: string): Promise<Omit<ChildResult, 'rssPeakBytes' | 'gc'>> {
  const records: ChildRecord[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let events = 0;
  let started = 0;
  const url = job.baseUrl + '/v1/chat/completions';
  const body = JSON.stringify({
    model: 'bench-model',
    messages: [{ role: 'user', content: PROMPT }],
    stream: job.stream,
    ...(job.stream ? { stream_options: { include_usage: true } } : {}),
  });
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 30_000 } });
  const t0run = performance.now();
  const until = durationMs !== undefined ? t0run + durationMs : Infinity;
  const more = (): boolean => (requests === undefined || started < requests) && performance.now() < until;

  const one = async (id: string): Promise<void> => {
    let ttft: number | undefined;
    let last = 0;
    let n = 0;
    const itl: number[] = [];
    const t0 = performance.now();
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', 'x-request-id': id, accept: job.stream ? 'text/event-stream' : 'application/json' },
        body,
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`http_${res.statusCode}`);
      }
      if (!job.stream) {
        const text = await res.body.text();
        const j = JSON.parse(text) as { choices?: { message?: { content?: string } }[] };
        if (typeof j.choices?.[0]?.message?.content !== 'string') throw new Error('body_invalid');
        ttft = performance.now() - t0;
        n = 1;
      } else {
        const parser = createParser({
          onEvent: (ev) => {
            if (!keep) {
              events++;
              return;
            }
            if (ev.data === '[DONE]') return;
            const now = performance.now();
            const c = (JSON.parse(ev.data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
            if (typeof c !== 'string' || c.length === 0) return;
            if (ttft === undefined) ttft = now - t0;
            else itl.push(now - last);
            last = now;
            n++;
          },
        });
        const decoder = new TextDecoder();
        for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      }
      ok++;
      events += keep ? n : 0;
      if (keep) records.push({ id, ok: true, ...(ttft !== undefined ? { ttft } : {}), t0: performance.timeOrigin + t0, n, itl });
    } catch (err) {
      failed++;
      const code = err instanceof Error ? err.message.slice(0, 40) : 'unknown';
      errors[code] = (errors[code] ?? 0) + 1;
      if (keep) records.push({ id, ok: false, error: code, n, itl });
    }
  };
  const worker = async (): Promise<void> => {
    while (more()) {
      const id = `bl-${tag}-${++started}`;
      await one(id);
    }
  };
  // A time limit cuts the streams in flight too (the engine cancels them the same way).
  const cut = durationMs !== undefined ? setTimeout(() => void dispatcher.destroy().catch(() => undefined), durationMs) : undefined;
  // All at once by default; with rampSeconds, worker i starts at i / concurrency of the ramp.
  const ramp = (job.rampSeconds ?? 0) * 1000;
  await Promise.all(
    Array.from({ length: job.concurrency }, (_, i) =>
      ramp > 0 ? new Promise<void>((r) => setTimeout(r, (i * ramp) / job.concurrency)).then(worker) : worker(),
    ),
  );
  const wallMs = performance.now() - t0run;
  clearTimeout(cut);
  if (!dispatcher.destroyed) await dispatcher.close();
  return { client: 'undici', wallMs, ok, failed, errors, events, records };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as ChildJob;
  const tag = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
  const run = job.client === 'engine' ? runEngine : (j: ChildJob, r: number | undefined, d: number | undefined, k: boolean) => runUndici(j, r, d, k, tag);
  if (job.warmup > 0) {
    // JIT warm-up on the same code paths, with a small pool.
    // (Without the job's in-run warm-up: that belongs to the measured run.)
    const { inRunWarmup: _measuredRunOnly, ...jit } = job;
    await run({ ...jit, concurrency: Math.min(job.concurrency, 16), rampSeconds: 0 }, job.warmup, undefined, job.record === 'full');
  }
  let rssPeak = 0;
  const sampler = setInterval(() => {
    const r = process.memoryUsage.rss();
    if (r > rssPeak) rssPeak = r;
  }, 1000);
  const gc = gcWatch();
  const cpu0 = process.cpuUsage();
  const wait0 = runqueueWait();
  const result = await run(job, job.requests, job.durationMs, job.record === 'full');
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  const out: ChildResult = { ...result, rssPeakBytes: rssPeak, cpuMs: (cpu.user + cpu.system) / 1000, runqueueWaitMs: runqueueWait() - wait0, gc: gc.stop() };
  writeFileSync(job.out, JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`client-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
