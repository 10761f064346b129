import { resolveSimConfig } from './src/sim/config.ts';
import { spawnSimulator } from './src/sim/spawn.ts';
const t0 = performance.now();
const s = await spawnSimulator(resolveSimConfig({ ttft: '20', itl: '5' }));
console.log('spawned', s.url, s.pid, Math.round(performance.now() - t0), 'ms');
console.log(await (await fetch(s.url + '/health')).text());
await s.close();
console.log('closed');
