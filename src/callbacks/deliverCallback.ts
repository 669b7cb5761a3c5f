import { performance } from 'node:perf_hooks';
import type { DeliveryAttempt } from '../domain/CallbackDelivery.ts';
import type { WebhookHeaders } from './signWebhook.ts';
import { CALLBACK_USER_AGENT } from './userAgent.ts';

/** Enough to show a receiver's error page or JSON problem; bounded so a huge answer costs nothing. */
export const RESPONSE_EXCERPT_BYTES = 2048;

export interface DeliverCallbackInput {
  url: string;
  body: string;
  headers: WebhookHeaders;
  timeoutMs: number;
  /** Cancels the attempt without it counting as the receiver's fault (used on shutdown). */
  signal?: AbortSignal;
  userAgent?: string;
  now?: () => Date;
}

/** Marks attempts cut short by our own shutdown, so the dispatcher can leave them unrecorded. */
export const CANCELLED = 'cancelled: the sender shut down before the receiver answered';

export async function deliverCallback(input: DeliverCallbackInput): Promise<DeliveryAttempt> {
  const {
    url,
    body,
    headers,
    timeoutMs,
    signal,
    userAgent = CALLBACK_USER_AGENT,
    now = () => new Date(),
  } = input;
  const at = now().toISOString();
  const started = performance.now();
  const sentHeaders: Record<string, string> = {
    ...headers,
    'content-type': 'application/json',
    'user-agent': userAgent,
  };
  const finish = (
    result: Pick<
      DeliveryAttempt,
      'statusCode' | 'error' | 'ok' | 'responseBodyExcerpt' | 'responseBodyTruncated'
    >,
  ): DeliveryAttempt => ({
    at,
    durationMs: Math.round(performance.now() - started),
    ...result,
    requestHeaders: sentHeaders,
  });

  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return finish({ ok: false, error: `invalid callback URL: ${JSON.stringify(url)}` });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return finish({ ok: false, error: `unsupported callback URL scheme ${target.protocol}` });
  }

  const timeout = AbortSignal.timeout(timeoutMs);
  const abort = signal ? AbortSignal.any([timeout, signal]) : timeout;
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: sentHeaders,
      body,
      // Redirects are not followed: a 301/302 turns the POST into a body-less GET,
      // following it would hand a signed event to a host the partner never
      // registered, and a receiver that redirects is misconfigured — recording the
      // 3xx as a failure shows the partner exactly that.
      redirect: 'manual',
      signal: abort,
    });
    // Only the start of the body is read (a partner debugging a 4xx wants the receiver's words);
    // cancelling the rest frees the socket instead of waiting for a huge or endless body.
    const excerpt = await readExcerpt(response, RESPONSE_EXCERPT_BYTES);
    const { status } = response;
    if (status >= 200 && status < 300) return finish({ ok: true, statusCode: status, ...excerpt });
    const location = response.headers.get('location');
    const error =
      status >= 300 && status < 400
        ? `receiver answered ${status} redirect${location ? ` to ${location}` : ''}; redirects are not followed, register the final URL`
        : `receiver answered ${status}; only 2xx counts as delivered`;
    return finish({ ok: false, statusCode: status, error, ...excerpt });
  } catch (err) {
    if (timeout.aborted)
      return finish({ ok: false, error: `timed out after ${timeoutMs} ms without a response` });
    if (signal?.aborted) return finish({ ok: false, error: CANCELLED });
    return finish({ ok: false, error: describeNetworkError(err) });
  }
}

/**
 * Up to `limit` bytes of the body. A body still arriving when the attempt's timeout fires keeps
 * what came (the status already decided the attempt), marked truncated.
 */
async function readExcerpt(
  response: Response,
  limit: number,
): Promise<{ responseBodyExcerpt: string; responseBodyTruncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const reader = response.body?.getReader();
  try {
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > limit) {
        truncated = true;
        break;
      }
    }
  } catch {
    truncated = true;
  }
  await reader?.cancel().catch(() => {});
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  return { responseBodyExcerpt: bytes.toString('utf8'), responseBodyTruncated: truncated };
}

// fetch reports every network failure as "fetch failed"; the useful part (DNS,
// refused, reset, TLS) is in the cause, which is what a partner needs to see.
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const known: Record<string, string> = {
      ECONNREFUSED: 'connection refused',
      ENOTFOUND: 'host name not found (DNS)',
      EAI_AGAIN: 'host name lookup failed temporarily (DNS)',
      ECONNRESET: 'connection reset by the receiver',
      ETIMEDOUT: 'connection timed out',
      EHOSTUNREACH: 'host unreachable',
    };
    const label = code ? known[code] : undefined;
    if (label) return `${label} (${code}): ${cause.message}`;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
