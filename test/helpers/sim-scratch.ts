import { request, Agent } from 'undici';
import { resolveSimConfig } from '../../src/sim/config.ts';
import { spawnSimulator } from '../../src/sim/spawn.ts';
const sim = await spawnSimulator(resolveSimConfig({ ttft: '5', itl: '5', jitter: '0', 'output-tokens': '200', slots: '64' }));
const agent = new Agent();
async function one(i: number) {
  const ac = new AbortController();
  const r = await request(`${sim.url}/v1/chat/completions`, { method: 'POST', dispatcher: agent, signal: ac.signal, body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' + i }] }), headers: { 'content-type': 'application/json' } });
  let n = 0;
  try { for await (const c of r.body) { n += (c.toString().match(/"content":"[^"]/g) ?? []).length; if (n >= 20) { ac.abort(); } } } catch { }
}
for (let round = 0; round < 5; round++) {
  await Promise.all(Array.from({ length: 5 }, (_, i) => one(round * 5 + i)));
}
await new Promise((r) => setTimeout(r, 1500));
const s = await (await fetch(`${sim.url}/admin/stats`)).json() as any;
console.log('cancelled', s.cancelled, 'completed', s.completed, 'tokens', s.tokensSent);
await sim.close(); await agent.close();
