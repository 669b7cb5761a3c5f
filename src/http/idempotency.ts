import { createHash } from 'node:crypto';
import type { RecordStore } from '../store/RecordStore.ts';
import { ProblemError } from './ProblemError.ts';

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the first
 * answer to a key is stored with a fingerprint of the request; the same key
 * with the same request replays it, with a different request is refused
 * (422), and while the first is still running is refused too (409).
 */
export interface StoredAnswer {
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  storedAt: string;
}

export interface IdempotentRequest {
  partnerId: string;
  /** The header value as sent; the draft makes it a quoted sf-string, bare tokens are accepted too. */
  key: string;
  method: string;
  path: string;
  body: unknown;
}

export type Answer = Omit<StoredAnswer, 'fingerprint' | 'storedAt'>;

export interface IdempotencyOptions {
  now: () => Date;
  /** Told when an answer could not be stored; the request itself still succeeds. */
  onStoreFailure: (error: unknown) => void;
}

export function createIdempotencyGuard(store: RecordStore<StoredAnswer>, options: IdempotencyOptions) {
  const inFlight = new Set<string>();
  return (request: IdempotentRequest, produce: () => Promise<Answer>) =>
    guard(store, inFlight, request, produce, options);
}

async function guard(
  store: RecordStore<StoredAnswer>,
  inFlight: Set<string>,
  request: IdempotentRequest,
  produce: () => Promise<Answer>,
  { now, onStoreFailure }: IdempotencyOptions,
): Promise<Answer> {
  // Hashed: keys are partner-chosen (up to 255 characters of anything) and become file names
  // under --data-dir, where a long or escaped one would exceed the file system's name limit.
  const key = createHash('sha256')
    .update(JSON.stringify([request.partnerId, request.key.replace(/^"(.*)"$/, '$1')]))
    .digest('hex');
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([request.method, request.path, request.body ?? null]))
    .digest('hex');
  const stored = store.get(key);
  if (stored) {
    if (stored.fingerprint !== fingerprint) throw new ProblemError('idempotency-key-reused');
    return stored;
  }
  if (inFlight.has(key)) throw new ProblemError('idempotency-key-in-use');
  inFlight.add(key);
  try {
    const answer = await produce();
    // Only successes are remembered: a 4xx should be retryable once the partner fixes the cause.
    if (answer.status < 400) {
      // The work is done by now; failing to remember the answer only means a replay redoes an
      // idempotent confirm, so the partner still gets the truth rather than a 5xx.
      await store
        .put(key, { ...answer, fingerprint, storedAt: now().toISOString() })
        .catch((error: unknown) => onStoreFailure(error));
    }
    return answer;
  } finally {
    inFlight.delete(key);
  }
}
