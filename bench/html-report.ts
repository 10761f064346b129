/**
 * The HTML report of a large run: a synthesised 10-minute run of 200,000 requests (both modes,
 * four load settings, errors, a per-second timeline), rendered, then opened in headless Chromium
 * with the network cut. Prints the page size, the render time, and the time from navigation to
 * every chart drawn (median of --repeat opens, each in a fresh page).
 *
 *   node --import tsx bench/html-report.ts [--requests 200000] [--repeat 5]
 *
 * Needs /usr/bin/chromium (apt-get install chromium).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newModeSet, StatsCollector, type TimelineEntry } from '../src/engine/stats.ts';
import type { Mode } from '../src/engine/types.ts';
import { renderRunHtml } from '../src/report/html/index.ts';
import { disposeSet, lcg, okRecord, segmentOf, rec, reportFrom } from '../test/report/helpers/synthetic.ts';
import { haveChromium, launchBrowser } from '../test/report/helpers/browser.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} takes a positive number`);
  return v;
}

const REQUESTS = arg('requests', 200_000);
const REPEAT = arg('repeat', 5);
const DURATION_MS = 600_000;
const SEGMENTS = [8, 16, 32, 64];

const rand = lcg(7);
const all = newModeSet();
const perSegment = SEGMENTS.map(() => newModeSet());
// The timeline comes from the engine's own collector, fed the same requests a second at a time:
// both modes apart, means, TTFO and ITL, as a real run's report carries them.
const collector = new StatsCollector({ windowSeconds: 5 });
const SECONDS = DURATION_MS / 1000;
const buildStart = performance.now();
let second = 0;
let segmentOpen = -1;
for (let i = 0; i < REQUESTS; i++) {
  const mode: Mode = rand() < 0.5 ? 'stream' : 'nonstream';
  const segment = Math.min(SEGMENTS.length - 1, Math.floor((i / REQUESTS) * SEGMENTS.length));
  const load = (SEGMENTS[segment] ?? 8) / 8;
  const ttftMs = (40 + 200 * rand() ** 3) * load;
  // Streams reason for 30 ms x load before answering, so the page draws every chart it can (TTFO).
  const reasoning = mode === 'stream' ? { ttfrMs: ttftMs, ttfoMs: ttftMs + 30 * load, reasoningMs: 30 * load, reasoningTokens: 10 } : {};
  const r =
    rand() < 0.01
      ? rec({ mode, outcome: 'failed', errorCode: rand() < 0.5 ? 'http_429' : 'http_503', errorMessage: 'rate limited', segment })
      : okRecord(mode, ttftMs, { segment, itlMs: mode === 'stream' ? Array.from({ length: 20 }, () => 4 + 10 * rand() ** 4) : [], ...reasoning });
  all[mode].add(r);
  perSegment[segment]?.[mode].add(r);
  if (segment !== segmentOpen) {
    segmentOpen = segment;
    collector.beginSegment({ startMs: second * 1000, concurrency: SEGMENTS[segment] ?? 8, streamRatio: 0.5, reason: segment === 0 ? 'start' : 'concurrency' });
  }
  collector.record({ ...r, segment });
  while (second < SECONDS && i + 1 >= ((second + 1) * REQUESTS) / SECONDS) {
    second++;
    collector.tick(second * 1000, { inFlight: Math.round(8 * load * (0.8 + 0.2 * rand())), concurrency: SEGMENTS[segment] ?? 8 });
  }
}
const timeline: TimelineEntry[] = collector.timeline.slice();
collector.dispose();
const segmentMs = DURATION_MS / SEGMENTS.length;
const report = reportFrom(all, {
  durationMs: DURATION_MS,
  timeline,
  segments: perSegment.map((set, i) => segmentOf(i, set, segmentMs, SEGMENTS[i] ?? 8)),
  errors: { http_429: Math.round(REQUESTS * 0.005), http_503: Math.round(REQUESTS * 0.005) },
  errorMessages: { http_429: 'rate limited', http_503: 'service unavailable' },
});
disposeSet(all);
for (const s of perSegment) disposeSet(s);
const buildMs = performance.now() - buildStart;

const dir = mkdtempSync(join(tmpdir(), 'streamtop-html-bench-'));
const file = join(dir, 'run.html');
const renderStart = performance.now();
const html = renderRunHtml(report);
const renderMs = performance.now() - renderStart;
writeFileSync(file, html);
const bytes = statSync(file).size;
const charts = (html.match(/class="chart" data-chart="/g) ?? []).length;

const opens: number[] = [];
/** Navigation start to charts drawn, as the page measured it (no browser round trips). */
const inPage: number[] = [];
if (haveChromium()) {
  const browser = await launchBrowser();
  try {
    for (let i = 0; i < REPEAT; i++) {
      const t0 = performance.now();
      const o = await browser.open(file);
      // Drawn = every chart container holds its canvas; the page stamps the time it got there.
      await o.page.waitForFunction(`document.querySelectorAll('[data-chart] canvas').length === ${charts}`, undefined, { timeout: 30_000 });
      opens.push(performance.now() - t0);
      inPage.push(Number(await o.page.getAttribute('body', 'data-charts-drawn-ms')));
      if (o.consoleErrors.length > 0 || o.network.length > 0) throw new Error(`page errors ${o.consoleErrors.join('; ')} / requests ${o.network.join(', ')}`);
      await o.page.close();
    }
  } finally {
    await browser.close();
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(`| requests | duration | timeline points | charts | HTML size | render | navigation to charts drawn, in page (median of ${REPEAT}) | new tab + load + drawn, from Node (median) | max |`);
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(
  `| ${REQUESTS} | ${DURATION_MS / 60_000} min | ${timeline.length} | ${charts} | ${(bytes / 1024).toFixed(0)} KiB | ${renderMs.toFixed(0)} ms | ${inPage.length ? `${median(inPage).toFixed(0)} ms` : 'no chromium'} | ${opens.length ? `${median(opens).toFixed(0)} ms` : '-'} | ${opens.length ? `${Math.max(...opens).toFixed(0)} ms` : '-'} |`,
);
console.error(`(synthesising the report took ${(buildMs / 1000).toFixed(1)} s)`);
