import { Scheduler } from './src/sim/scheduler.ts';
for (let round = 0; round < 3; round++) {
  const s = new Scheduler();
  const late: [number, number][] = [];
  const start = performance.now() + 5;
  for (let k = 0; k < 200; k++) {
    let left = 20;
    s.add({ due: start + (k % 20), seq: 0, run() { late.push([performance.now() - this.due, this.due - start]); this.due += 10; return --left > 0; } });
  }
  await new Promise((r) => setTimeout(r, 300));
  s.stop();
  const l = late.map((x) => x[0]).sort((a, b) => a - b);
  const big = late.filter((x) => x[0] > 3).map((x) => `${x[1].toFixed(0)}:${x[0].toFixed(1)}`);
  console.log(round, 'p50', l[2000]?.toFixed(2), 'p99', l[3960]?.toFixed(2), 'max', l[3999]?.toFixed(2), big.slice(0, 20).join(' '), big.length);
}
