import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

// What a partner project does: depend on facematch-mock (here linked, as `npm install <path>` does)
// and import the client by its public name, running TypeScript sources through tsx.
it('a consumer project imports facematch-mock/client by name', async () => {
  const project = await mkdtemp(join(tmpdir(), 'facematch-consumer-'));
  try {
    await mkdir(join(project, 'node_modules'));
    await symlink(repo, join(project, 'node_modules', 'facematch-mock'), 'dir');
    await writeFile(join(project, 'package.json'), '{"type":"module","private":true}\n');
    await writeFile(
      join(project, 'check.ts'),
      [
        "import { createFaceMatchClient, verifyCallback } from 'facematch-mock/client';",
        "const client = createFaceMatchClient({ baseUrl: 'http://127.0.0.1:1', clientId: 'a', clientSecret: 'b' });",
        'console.log(typeof client.matchFaces, typeof verifyCallback);',
      ].join('\n'),
    );
    const tsx = join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, 'check.ts'], {
      cwd: project,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe('function function');
  } finally {
    await rm(project, { recursive: true, force: true });
  }
});
