// Writes docs/cli.md from the flag tables (src/flags/). `npm run docs:cli`; test/flags/cli-doc.test.ts
// fails when the committed file differs from what the tables generate.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALL_COMMANDS } from '../src/config/commands.ts';
import { renderCliDoc } from '../src/flags/docs.ts';

const target = fileURLToPath(new URL('../docs/cli.md', import.meta.url));
writeFileSync(target, renderCliDoc(ALL_COMMANDS));
process.stdout.write(`wrote ${target}\n`);
