import { IMAGE_ROLES } from '../domain/Submission.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';

/**
 * Where a submission's images live in the bucket: `uploads/<correlationId>/<SELFIE|DOCUMENT>`.
 * The one definition of the key format, read back by the bucket's write and clock rules.
 */
export function uploadKey(correlationId: string, role: ImageRole): string {
  return `uploads/${correlationId}/${role}`;
}

export function parseUploadKey(key: string): { correlationId: string; role: ImageRole } | null {
  const [prefix, correlationId, role, ...rest] = key.split('/');
  if (prefix !== 'uploads' || !correlationId || rest.length > 0) return null;
  if (!(IMAGE_ROLES as readonly string[]).includes(role ?? '')) return null;
  return { correlationId, role: role as ImageRole };
}
