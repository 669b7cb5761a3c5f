import { retryAfterMs } from './retryAfterMs.ts';

export interface RequestPolicy {
  /** Each attempt is aborted after this long: a request that can hang will, on someone's machine. */
  timeoutMs: number;
  /** 429 and 503 are answered again after `Retry-After`; this many attempts in all. */
  maxAttempts: number;
  /** A reset connection or a timeout is retried only where repeating the request is harmless. */
  retryNetworkErrors: boolean;
  /** No wait is longer than this; when `Retry-After` asks for more, the last answer is returned. */
  maxWaitMs: number;
  fetch: typeof fetch;
}

const RETRYABLE_STATUS = new Set([429, 503]);

/**
 * One logical request: repeated on 429/503 (honouring `Retry-After`) and, for idempotent calls, on
 * network errors. The last response is returned as is; deciding what a status means is the caller's.
 */
export async function sendRequest(
  url: string,
  init: () => RequestInit,
  policy: RequestPolicy,
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= policy.maxAttempts;
    let response: Response;
    try {
      response = await policy.fetch(url, { ...init(), signal: AbortSignal.timeout(policy.timeoutMs) });
    } catch (error) {
      if (last || !policy.retryNetworkErrors) throw error;
      await sleep(Math.min(250 * attempt, policy.maxWaitMs));
      continue;
    }
    if (last || !RETRYABLE_STATUS.has(response.status)) return response;
    const waitMs = retryAfterMs(response.headers.get('retry-after'), 500 * attempt);
    if (waitMs > policy.maxWaitMs) return response;
    await response.body?.cancel();
    await sleep(waitMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
