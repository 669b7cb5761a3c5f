import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('the committed TypeScript types match openapi/facematch.yaml (run `npm run gen` if not)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-'));
  try {
    const out = join(dir, 'openapi.ts');
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
        join(ROOT, 'openapi/facematch.yaml'),
        '-o',
        out,
      ],
      { cwd: ROOT },
    );
    const committed = readFileSync(join(ROOT, 'src/http/generated/openapi.ts'), 'utf8');
    expect(readFileSync(out, 'utf8'), 'src/http/generated/openapi.ts is stale: run `npm run gen`').toBe(
      committed,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
