import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Presigned URLs must stay valid across a restart with a data directory, so
 * the bucket's signing secret is kept there; without one it lives as long as
 * the process, like everything else.
 */
export function bucketSecret(configured: string | undefined, dataDir: string | undefined): string {
  if (configured) return configured;
  const fresh = randomBytes(32).toString('base64url');
  if (!dataDir) return fresh;
  const file = join(dataDir, 'bucket-signing-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, fresh, { mode: 0o600 });
    return fresh;
  }
}
