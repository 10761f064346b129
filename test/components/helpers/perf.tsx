import { App } from '../../../src/app.tsx';
import { makeSnapshot } from '../../../src/ui/fake-snapshot.ts';
import { createManualSource } from '../../../src/ui/snapshot-store.ts';
import { renderSized } from './render.ts';
import { fakeCommands } from './fakes.ts';
const source = createManualSource(makeSnapshot());
const { commands } = fakeCommands();
const r = renderSized(<App source={source} commands={commands} target={{ label: 'built-in simulator', api: 'openai', model: 'm', simulated: true }} onQuit={() => {}} columns={Number(process.argv[2])} rows={Number(process.argv[3])} />, Number(process.argv[2]), Number(process.argv[3]));
await new Promise((res) => setTimeout(res, 50));

const snaps0 = 0; const snapsX = 0; const snaps = Array.from({ length: 200 }, (_, i) => makeSnapshot({ elapsedMs: 83_400 + i * 80 })); const c0 = process.cpuUsage(); const t0 = performance.now(); for (const s of snaps) { source.set(s); await new Promise((res) => setImmediate(res)); }
await new Promise((res) => setTimeout(res, 50));
const cu = process.cpuUsage(c0); console.log(process.argv[2], 'cpu ms per frame', ((cu.user + cu.system) / 1000 / 200).toFixed(2), 'wall', ((performance.now() - t0 - 50) / 200).toFixed(1), 'frames', r.stdout.frames.length);
r.unmount();
