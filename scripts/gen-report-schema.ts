// Writes docs/report.schema.json from the report's zod schema (src/report/schema.ts), the one
// place a report field is declared. test/report/schema.test.ts fails when the committed file
// differs: run `npm run docs:schema` after changing the schema.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchemaText } from '../src/report/schema.ts';

const out = fileURLToPath(new URL('../docs/report.schema.json', import.meta.url));
writeFileSync(out, reportJsonSchemaText());
process.stdout.write(`wrote ${out}\n`);
