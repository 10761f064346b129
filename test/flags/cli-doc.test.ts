import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALL_COMMANDS } from '../../src/config/commands.ts';
import { renderCliDoc } from '../../src/flags/docs.ts';

const DOC = new URL('../../docs/cli.md', import.meta.url);

test('docs/cli.md is what the flag tables generate', () => {
  const committed = readFileSync(DOC, 'utf8');
  const generated = renderCliDoc(ALL_COMMANDS);
  // A long diff of a Markdown table is unreadable: name the first line that differs.
  const a = committed.split('\n');
  const b = generated.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? Math.min(a.length, b.length) : i;
  assert.ok(
    committed === generated,
    `docs/cli.md is out of date (first difference at line ${at + 1}:\n  committed: ${a[at] ?? '(end)'}\n  generated: ${b[at] ?? '(end)'}); run: npm run docs:cli`,
  );
});

test('every command and every listed flag is documented', () => {
  const generated = renderCliDoc(ALL_COMMANDS);
  for (const spec of ALL_COMMANDS) {
    assert.match(generated, new RegExp(`^## streamtop${spec.name === '' ? ' ' : ` ${spec.name}$`}`, 'm'), spec.name);
    for (const def of [...Object.values(spec.flags), ...Object.values(spec.simFlags ?? {})]) {
      if (def.hidden === true && def.refused === undefined) continue;
      assert.ok(generated.includes(`--${def.name}\``), `--${def.name} of ${spec.name || 'streamtop'}`);
    }
  }
});

test('rendering is deterministic', () => {
  assert.equal(renderCliDoc(ALL_COMMANDS), renderCliDoc(ALL_COMMANDS));
});
