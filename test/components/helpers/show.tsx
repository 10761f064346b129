import { App } from '../../../src/app.tsx';
import { makeSnapshot } from '../../../src/ui/fake-snapshot.ts';
import { createManualSource } from '../../../src/ui/snapshot-store.ts';
import { renderSized } from './render.ts';
const cols = Number(process.argv[2] ?? 80), rows = Number(process.argv[3] ?? 24);
const source = createManualSource(makeSnapshot());
const noop = () => {};
const commands = { setConcurrency: noop, setStreamRatio: noop, setRate: noop, pause: noop, resume: noop, newSegment: noop, toggleEarlyStop: noop, stop: async () => {}, injectLatencySpike: noop, injectFaultBurst: noop };
const r = renderSized(<App source={source} commands={commands} target={{ label: 'built-in simulator', api: 'openai', model: 'sim-llama-3.1-8b', simulated: true }} onQuit={noop} columns={cols} rows={rows} noColor />, cols, rows);
await new Promise(r => setTimeout(r, 50));
if (process.argv[4] === 'help') { r.stdin.write('?'); await new Promise(r => setTimeout(r, 50)); }
const f = r.lastFrame();
console.log(f.split('\n').map(l => l + '|').join('\n'));
console.log('lines', f.split('\n').length);
r.unmount();
