import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startSim, postJson, readSse, userMessage } from './test/helpers/sim-helpers.ts';
const sim = await startSim({ ttft: '60', itl: '10', 'output-tokens': '10', slots: '4' });
const h = monitorEventLoopDelay({ resolution: 1 }); h.enable();
async function one(id: string, p: string) { const t = performance.now(); const r = await postJson(`${sim.url}/v1/chat/completions`, { model: 'm', messages: userMessage(p), stream: true }, { 'x-request-id': id }); const ev = await readSse(r); return performance.now() - t; }
for (let round = 0; round < 4; round++) {
  h.reset();
  await Promise.all(Array.from({ length: 8 }, (_, i) => one(`r${round}-${i}`, `p${i}`)));
  const recs = (await (await postJson(`${sim.url}/admin/requests/lookup`, { ids: Array.from({ length: 8 }, (_, i) => `r${round}-${i}`) })).json()) as { records: { receivedMs: number }[] };
  const t0 = Math.min(...recs.records.map((r) => r.receivedMs));
  console.log(round, recs.records.map((r) => (r.receivedMs - t0).toFixed(1)).join(' '), 'maxlag', (h.max / 1e6).toFixed(1));
}
await sim.close();
