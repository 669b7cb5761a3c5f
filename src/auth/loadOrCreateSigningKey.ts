import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSigningKey, type SigningKey, signingKeyFromPem } from './SigningKey.ts';

export const SIGNING_KEY_FILE = 'token-signing-key.pem';

/**
 * With a data directory, the key is kept there so that tokens a partner has
 * cached keep verifying after a restart; without one, a new key per process
 * is enough (and nothing secret touches the disk).
 */
export async function loadOrCreateSigningKey(dir?: string): Promise<SigningKey> {
  if (dir === undefined) return createSigningKey();

  const path = join(dir, SIGNING_KEY_FILE);
  const existing = await readIfExists(path);
  if (existing !== undefined) return fromFile(existing, path);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = await createSigningKey();
  const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  // Write a private temporary file, then hard-link it into place: link fails
  // if the key already exists, so two processes starting on the same data
  // directory end up sharing one key instead of overwriting each other's, and
  // nobody ever reads a half-written PEM.
  const temporary = join(dir, `.${SIGNING_KEY_FILE}.${randomUUID()}.tmp`);
  await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600); // the mode above is subject to umask; the key must not be group-readable
  try {
    await link(temporary, path);
    return key;
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    return fromFile(await readFile(path, 'utf8'), path);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function fromFile(pem: string, path: string): SigningKey {
  try {
    return signingKeyFromPem(pem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${path} does not hold a usable token signing key (${reason}). Delete it to have a new key created; tokens issued with the old key will stop verifying.`,
    );
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
