import { randomUUID } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';

/**
 * The content of `path`, writing `create()`'s value there first if it does not exist. A private
 * temporary file is hard-linked into place, and link fails when the file exists: two processes
 * starting at once both end up with the one value that won, and nobody reads half a file.
 */
export async function createFileOnce(path: string, create: () => Promise<string>): Promise<string> {
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) return existing;
  const value = await create();
  const temp = `${path}.${randomUUID()}.tmp`;
  await writeFile(temp, value, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFile(path, 'utf8');
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
