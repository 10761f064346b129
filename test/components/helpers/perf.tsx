// Ad-hoc: CPU per frame and retained heap over many frames. Not a test.
import { App } from '../../../src/app.tsx';
import { makeSeries, makeSnapshot } from '../../../src/ui/fake-snapshot.ts';
import { createManualSource } from '../../../src/ui/snapshot-store.ts';
import { renderSized } from './render.ts';
import { fakeCommands } from './fakes.ts';
const cols = Number(process.argv[2] ?? 120);
const rows = Number(process.argv[3] ?? 40);
const frames = Number(process.argv[4] ?? 300);
const base = makeSnapshot();
const snap = (i: number) => {
  const elapsedMs = 83_400 + i * 80;
  const charts = { ...base.charts };
  for (const k of Object.keys(charts) as (keyof typeof charts)[]) charts[k] = makeSeries(100 + (i % 50), 120, elapsedMs);
  return { ...base, elapsedMs, requestsPerSec: 10 + (i % 97) / 10, completed: 1000 + i, charts, panes: base.panes.map((p) => ({ ...p, elapsedMs: p.elapsedMs + i * 80, tokens: p.tokens + i, text: p.text + ' tok' + i })) };
};
const source = createManualSource(makeSnapshot());
const { commands } = fakeCommands();
const r = renderSized(<App source={source} commands={commands} target={{ label: 'built-in simulator', api: 'openai', model: 'm', simulated: true }} onQuit={() => {}} columns={cols} rows={rows} />, cols, rows);
await new Promise((res) => setTimeout(res, 50));
const gc = (globalThis as { gc?: () => void }).gc;
gc?.(); gc?.();
const h0 = process.memoryUsage().heapUsed;
const c0 = process.cpuUsage();
for (let i = 0; i < frames; i++) { source.set(snap(i)); await new Promise((res) => setImmediate(res)); }
const cu = process.cpuUsage(c0);
r.stdout.frames.length = 0;
gc?.(); gc?.();
const h1 = process.memoryUsage().heapUsed;
console.log(`${cols}x${rows}`, 'cpu ms/frame', ((cu.user + cu.system) / 1000 / frames).toFixed(1), 'retained KB/frame', ((h1 - h0) / 1024 / frames).toFixed(2));
r.unmount();
