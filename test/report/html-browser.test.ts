import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { fmtMs, fmtNum } from '../../src/report/text.ts';
import type { Report } from '../../src/report/report.ts';
import { chartInk, haveChromium, launchBrowser, type Browser, type OpenedPage } from './helpers/browser.ts';

/**
 * The HTML reports of real runs against the built-in simulator, opened in headless Chromium with
 * the network cut: no console error, no request leaves the page, every chart has drawn, the
 * summary shows the JSON report's numbers (and the terminal's), a sweep shows its recommendation.
 *
 * STREAMTOP_HTML_SCREENSHOTS=DIR also saves a full-page screenshot of each page type there
 * (how docs/img/html-*.png are made).
 */

const skip = haveChromium() ? false : 'chromium is not installed (.ci/run installs it: apt-get install chromium)';
const SIM = ['--sim-profile', 'fast'];
const dir = mkdtempSync(join(tmpdir(), 'streamtop-html-'));
const shots = process.env.STREAMTOP_HTML_SCREENSHOTS;
let browser: Browser | undefined;

before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function render(args: string[], name: string): Promise<{ json: string; html: string; stdout: string }> {
  const json = join(dir, `${name}.json`);
  const html = join(dir, `${name}.html`);
  const run = await runCli([...args, '--json', json, ...SIM], { timeoutMs: 120_000 });
  assert.ok(run.code === 0, `${args.join(' ')}: exit ${run.code}\n${run.stderr}`);
  const rep = await runCli(['report', json, '--html', html], { timeoutMs: 60_000 });
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(rep.stderr, /wrote .*\.html/);
  return { json, html, stdout: rep.stdout };
}

/** The checks every page passes. */
async function checkPage(o: OpenedPage, kind: string, minCharts: number): Promise<void> {
  assert.equal(await o.page.getAttribute('body', 'data-page'), kind);
  const ink = await chartInk(o.page);
  assert.ok(ink.length >= minCharts, `expected at least ${minCharts} charts, found ${ink.length}`);
  // A drawn canvas has thousands of painted pixels (axes, grid, lines); an SVG at least a bar or a curve.
  for (const c of ink) assert.ok(c.painted > (c.kind === 'canvas' ? 1000 : 1), `chart ${c.id} is blank (${c.kind}, ${c.painted})`);
  assert.deepEqual(o.consoleErrors, [], 'no console errors');
  assert.deepEqual(o.network, [], 'the page requested nothing from the network');
  if (shots) await o.page.screenshot({ path: join(shots, `html-${kind}.png`), fullPage: true });
}

const METRIC_KEY: Record<string, keyof Report['byMode']['stream']> = {
  TTFT: 'ttftMs',
  ITL: 'itlMs',
  TPOT: 'tpotMs',
  E2E: 'e2eMs',
  TTFB: 'ttfbMs',
  queue: 'queueMs',
};

test('run page: charts drawn offline, summary numbers equal the JSON report and the terminal summary', { skip, timeout: 240_000 }, async () => {
  const r = await render(['--headless', '-d', '4s', '-c', '4', '--sim-faults', 'http500=0.08'], 'run');
  const report = JSON.parse(readFileSync(r.json, 'utf8')) as Report;
  const o = await (browser as Browser).open(r.html);
  // Timeline (5 charts) and at least TTFT, ITL and E2E distributions.
  await checkPage(o, 'run', 8);

  const rows = o.page.locator('#summary-table tbody tr');
  const n = await rows.count();
  assert.ok(n >= 6, `summary rows: ${n}`);
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    const label = (await row.getAttribute('data-row')) ?? '';
    const mode = (await row.getAttribute('data-mode')) as 'stream' | 'nonstream';
    const cells = await row.locator('th, td').allInnerTexts();
    const key = METRIC_KEY[label.split(' ')[0] ?? ''];
    assert.ok(key, `known metric in ${label}`);
    const s = report.byMode[mode][key] as Report['byMode']['stream']['ttftMs'];
    assert.deepEqual(cells.slice(1), [String(s.count), fmtMs(s.mean), fmtMs(s.min), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)], label);
    // The terminal prints the same row (`report` printed it above).
    const line = r.stdout.split('\n').find((l) => l.replace(/\s+/g, ' ').startsWith(`${label} `));
    assert.ok(line, `terminal row ${label}`);
    assert.deepEqual(line.trim().split(/\s+/).slice(label.split(' ').length), cells.slice(1), `terminal row ${label}`);
  }
  const tput = await o.page.locator('#throughput').innerText();
  assert.ok(tput.includes(`${fmtNum(report.totals.requestsPerSec, 2)} req/s`), tput);
  if (Object.keys(report.errors).length > 0) {
    const errs = await o.page.locator('#errors-table tbody th').allInnerTexts();
    assert.deepEqual(errs.sort(), Object.keys(report.errors).sort());
  }
  await o.page.close();
});

test('sweep page: charts drawn offline and the recommended pool shown', { skip, timeout: 240_000 }, async () => {
  const r = await render(['sweep', '--concurrency-levels', '1,2,4,8', '--step', '1500ms'], 'sweep');
  const sweep = JSON.parse(readFileSync(r.json, 'utf8')) as { recommended: number; levels: { level: number }[] };
  const o = await (browser as Browser).open(r.html);
  await checkPage(o, 'sweep', 2);
  assert.equal(await o.page.locator('#recommended').innerText(), String(sweep.recommended));
  assert.equal(await o.page.locator('#levels-table tbody tr').count(), sweep.levels.length);
  assert.match(await o.page.locator(`#levels-table tr[data-level="${sweep.recommended}"]`).innerText(), /recommended/);
  await o.page.close();
});

test('comparison page: bars for each variant, drawn offline', { skip, timeout: 240_000 }, async () => {
  const r = await render(['compare-modes', '--rounds', '2', '--round-requests', '4', '-c', '2'], 'comparison');
  const o = await (browser as Browser).open(r.html);
  await checkPage(o, 'comparison', 1);
  const variants = await o.page.locator('#comparison-table tbody th').allInnerTexts();
  assert.deepEqual(variants, ['streaming', 'non-streaming']);
  await o.page.close();
});

test('targets page: bars with intervals, timelines and distributions for each target, drawn offline; each summary table equals its target in the JSON report', { skip, timeout: 240_000 }, async () => {
  // Three seconds, so each target has a timeline to draw.
  const r = await render(['--headless', '-d', '3s', '-c', '4', '--seed', '7', '--sim-output-tokens', '20', '--target', 'direct=sim:fast', '--target', 'gateway=sim:fast,ttft=+50'], 'targets');
  const report = JSON.parse(readFileSync(r.json, 'utf8')) as Report;
  const o = await (browser as Browser).open(r.html);
  // Two bar charts, the timeline (TTFT, ITL and E2E per mode, load, throughput, tokens) and the TTFT, ITL and E2E distributions.
  await checkPage(o, 'targets', 2 + 8 + 3);
  const drawn = (await chartInk(o.page)).map((c) => c.id);
  for (const id of ['tl-ttftMs-stream', 'tl-ttftMs-nonstream', 'tl-itlMs-stream', 'tl-e2eMs-stream', 'tl-load', 'tl-throughput', 'tl-tokens', 'dist-ttft', 'dist-itl', 'dist-e2e']) assert.ok(drawn.includes(id), `${id} drawn (${drawn.join(', ')})`);
  // The legend names the targets.
  const legend = await o.page.locator('[data-chart="tl-ttftMs-stream"] .u-legend').innerText();
  assert.ok(legend.includes('direct p50') && legend.includes('gateway p95'), legend);
  assert.deepEqual(await o.page.locator('#targets-table tbody th').allInnerTexts(), ['direct', 'gateway']);
  // The gateway's bar has an interval (two caps and a line), the reference's none.
  const whiskers = await o.page.locator('#targets-latency-bars .svg-whisker').count();
  assert.ok(whiskers >= 3, `interval marks: ${whiskers}`);
  for (const [i, t] of (report.targets ?? []).entries()) {
    const rows = o.page.locator(`#summary-table-${i} tbody tr`);
    assert.equal(await o.page.getAttribute(`#summary-table-${i}`, 'data-target'), t.name);
    const n = await rows.count();
    assert.ok(n >= 4, `${t.name}: summary rows ${n}`);
    for (let k = 0; k < n; k++) {
      const row = rows.nth(k);
      const label = (await row.getAttribute('data-row')) ?? '';
      const mode = (await row.getAttribute('data-mode')) as 'stream' | 'nonstream';
      const key = METRIC_KEY[label.split(' ')[0] ?? ''];
      assert.ok(key, `known metric in ${label}`);
      const s = t.byMode[mode][key] as Report['byMode']['stream']['ttftMs'];
      const cells = await row.locator('td').allInnerTexts();
      assert.deepEqual(cells, [String(s.count), fmtMs(s.mean), fmtMs(s.min), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)], `${t.name} ${label}`);
    }
  }
  assert.match(await o.page.locator('#verdict-lines').innerText(), /gateway vs direct: TTFT stream p50 slower/);
  await o.page.close();
});
