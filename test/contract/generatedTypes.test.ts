import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Each OpenAPI document and the types `npm run gen` writes from it.
const DOCUMENTS = [
  { spec: 'openapi/facematch.yaml', types: 'src/http/generated/openapi.ts' },
  { spec: 'openapi/admin.yaml', types: 'src/admin/generated/admin.ts' },
];

it.each(DOCUMENTS)('the committed $types match $spec (run `npm run gen` if not)', async ({ spec, types }) => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-'));
  try {
    const out = join(dir, 'types.ts');
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), join(ROOT, spec), '-o', out],
      { cwd: ROOT },
    );
    const committed = readFileSync(join(ROOT, types), 'utf8');
    expect(readFileSync(out, 'utf8'), `${types} is stale: run \`npm run gen\``).toBe(committed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
