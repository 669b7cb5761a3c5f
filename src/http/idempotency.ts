import { createHash } from 'node:crypto';
import type { IdempotencyStore, StoredAnswer } from '../store/SandboxStore.ts';
import { ProblemError } from './ProblemError.ts';

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the first
 * answer to a key is stored with a fingerprint of the request; the same key
 * with the same request replays it, with a different request is refused
 * (422), and while the first is still running is refused too (409).
 */
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

export function createIdempotencyGuard(store: IdempotencyStore, options: IdempotencyOptions) {
  return (request: IdempotentRequest, produce: () => Promise<Answer>) =>
    guard(store, request, produce, options);
}

async function guard(
  store: IdempotencyStore,
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
  // One step in the store: two requests with the key, on any instances, cannot both run.
  const claim = await store.claim(request.partnerId, key, now());
  if (claim.kind === 'answered') {
    if (claim.answer.fingerprint !== fingerprint) throw new ProblemError('idempotency-key-reused');
    const { fingerprint: _f, storedAt: _s, ...answer } = claim.answer;
    return answer;
  }
  if (claim.kind === 'in-flight')
    throw new ProblemError('idempotency-key-in-use', { headers: { 'Retry-After': '1' } });
  let answer: Answer;
  try {
    answer = await produce();
  } catch (error) {
    await store.release(key).catch(() => undefined);
    throw error;
  }
  // Only successes are remembered: a 4xx should be retryable once the partner fixes the cause.
  if (answer.status >= 400) {
    await store.release(key).catch(() => undefined);
    return answer;
  }
  // The work is done by now; failing to remember the answer only means a replay redoes an
  // idempotent confirm, so the partner still gets the truth rather than a 5xx.
  await store
    .complete(key, { ...answer, fingerprint, storedAt: now().toISOString() })
    .catch((error: unknown) => {
      onStoreFailure(error);
      return store.release(key).catch(() => undefined);
    });
  return answer;
}
