/**
 * Runs every benchmark in turn (never two at once: they would measure each other) and keeps each
 * one's printed table in bench/results/<name>.md. Meant for a quiet machine; takes ~30 minutes.
 *
 *   npm run bench                 # all
 *   npm run bench -- sim engine   # only those whose name contains a word
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHES: { name: string; args: string[] }[] = [
  { name: 'sse-parser', args: [] },
  { name: 'secret-scrub', args: [] },
  { name: 'sim-throughput', args: [] },
  { name: 'sim-paced', args: ['--streams', '1000'] },
  { name: 'engine-throughput', args: ['--seconds', '5', '--repeat', '3'] },
  { name: 'engine-accuracy', args: ['--repeat', '3'] },
  { name: 'engine-memory', args: ['--streams', '10000'] },
  { name: 'dashboard-cost', args: ['--seconds', '45', '--rounds', '3', '--ramp', '0.58'] },
  { name: 'claims', args: [] },
  { name: 'html-report', args: ['--repeat', '5'] },
  { name: 'prometheus-scrape', args: ['--rounds', '5', '--seconds', '15'] },
  { name: 'workload', args: ['--repeat', '5', '--throughput-blocks', '30', '--ceiling-blocks', '15'] },
  { name: 'soak', args: [] },
  { name: 'targets-ab', args: ['--rounds', '3', '--seconds', '30'] },
];

const filter = process.argv.slice(2);
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const b of BENCHES) {
  if (filter.length > 0 && !filter.some((f) => b.name.includes(f))) continue;
  const script = fileURLToPath(new URL(`./${b.name}.ts`, import.meta.url));
  process.stderr.write(`== ${b.name} ${b.args.join(' ')}\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...b.args], { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  process.stderr.write(`   exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  writeFileSync(`${dir}${b.name}.log.md`, `${r.stdout}\n${r.status === 0 ? '' : `\n(exit ${r.status})\n${r.stderr.slice(-2000)}`}`);
}
