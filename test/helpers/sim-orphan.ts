// Used by test/sim/process.test.ts: starts a simulator child through spawnSimulator, prints
// "<sim pid> <url>" and idles, so the test can kill this process and check the child follows.

import { resolveSimConfig } from '../../src/sim/config.ts';
import { spawnSimulator } from '../../src/sim/spawn.ts';

const sim = await spawnSimulator(resolveSimConfig({ ttft: '5' }));
process.stdout.write(`${sim.pid} ${sim.url}\n`);
setInterval(() => undefined, 1000);
