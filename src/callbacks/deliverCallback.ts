import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DeliveryAttempt } from '../domain/CallbackDelivery.ts';
import type { ResolvedAddress } from './checkCallbackTarget.ts';
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
  /**
   * The addresses the callback policy checked: the connection uses only these. Absent, the host
   * name is resolved when connecting (only for callers that checked nothing).
   */
  connectTo?: readonly ResolvedAddress[];
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
    connectTo,
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
    const response = await post(target, { headers: sentHeaders, body, signal: abort, connectTo });
    // Only the start of the body is read (a partner debugging a 4xx wants the receiver's words);
    // the rest is dropped with the connection instead of waiting for a huge or endless body.
    const excerpt = await readExcerpt(response, RESPONSE_EXCERPT_BYTES);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return finish({ ok: true, statusCode: status, ...excerpt });
    const location = response.headers.location;
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
 * One POST, on a connection of its own. node:http never follows redirects: a 301/302 turns the
 * POST into a body-less GET, following it would hand a signed event to a host the partner never
 * registered (or an internal one), and a receiver that redirects is misconfigured — recording the
 * 3xx as a failure shows the partner exactly that. With `connectTo`, the connection goes to those
 * addresses only; the URL's host name still names the server (Host header, TLS SNI and certificate).
 */
function post(
  target: URL,
  options: {
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
    connectTo: readonly ResolvedAddress[] | undefined;
  },
): Promise<IncomingMessage> {
  const { connectTo } = options;
  return new Promise((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: 'POST',
        headers: options.headers,
        signal: options.signal,
        // No pooled socket: one opened for another address of the same name must not be reused.
        agent: false,
        ...(connectTo ? { lookup: pinnedLookup(connectTo) } : {}),
      },
      resolve,
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A lookup that answers with the addresses already checked, so the name is never resolved twice. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const first = addresses[0];
    if (options.all)
      callback(
        null,
        addresses.map(({ address, family }) => ({ address, family })),
      );
    else if (first) callback(null, first.address, first.family);
    else callback(Object.assign(new Error('no checked address to connect to'), { code: 'ENOTFOUND' }), '');
  };
}

/**
 * Up to `limit` bytes of the body. A body still arriving when the attempt's timeout fires keeps
 * what came (the status already decided the attempt), marked truncated.
 */
async function readExcerpt(
  response: IncomingMessage,
  limit: number,
): Promise<{ responseBodyExcerpt: string; responseBodyTruncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
      if (size > limit) {
        truncated = true;
        break;
      }
    }
  } catch {
    truncated = true;
  }
  // Leaving the loop early destroys the stream; this covers an error that ended it too.
  response.destroy();
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  return { responseBodyExcerpt: bytes.toString('utf8'), responseBodyTruncated: truncated };
}

// The useful part of a network failure (DNS, refused, reset, TLS) is its code, which is what a
// partner needs to see; an error wrapping another carries it in its cause.
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
