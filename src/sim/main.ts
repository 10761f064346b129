// Child-process entry of the simulator. spawn.ts passes the resolved config as JSON in the
// environment (not argv, which `ps` would show with the API key); without it the arguments are
// parsed as `streamtop sim` flags, so `node --import tsx src/sim/main.ts --port 8000` also works.

import { serve, simMain } from './cli.ts';
import { SimConfigSchema } from './config.ts';

export const CONFIG_ENV = 'STREAMTOP_SIM_CONFIG';

async function main(): Promise<number> {
  const json = process.env[CONFIG_ENV];
  if (json === undefined) return simMain(process.argv.slice(2));
  const parsed = SimConfigSchema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    process.stderr.write(`streamtop sim: invalid ${CONFIG_ENV}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  // Started by the main command (config in the environment): its user typed --sim-port.
  return serve(parsed.data, '--sim-port');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`streamtop sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
