import { createHmac, timingSafeEqual } from 'node:crypto';
import type { components } from '../http/generated/openapi.ts';

export type CompletionEvent = components['schemas']['CompletionEvent'];

export interface CallbackRequest {
  /** Header names in any case; a repeated header may come as an array (as node:http gives it). */
  headers: Record<string, string | string[] | undefined> | Headers;
  /** The body exactly as received: the signature covers the bytes, not a re-serialisation. */
  rawBody: string | Uint8Array;
}

export interface VerifyCallbackOptions {
  /** The partner's `whsec_…` secret. */
  secret: string;
  /** How far `webhook-timestamp` may be from now, either way; default 300 s (Standard Webhooks). */
  toleranceSeconds?: number;
  /** Unix milliseconds; for tests. */
  now?: number;
}

/** Why a callback was refused; answer it with a 4xx (never 2xx, or a forged event is acted on). */
export class CallbackVerificationError extends Error {
  constructor(
    readonly reason: 'missing-header' | 'bad-secret' | 'stale-timestamp' | 'bad-signature' | 'bad-body',
    message: string,
  ) {
    super(message);
    this.name = 'CallbackVerificationError';
  }
}

/**
 * Checks a completion callback per Standard Webhooks v1: `webhook-signature` holds one or more
 * space-separated `v1,<base64>` entries, each an HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed
 * with the base64 after `whsec_`; one match suffices (keys rotate). A timestamp outside the
 * tolerance is refused even when signed, so a captured request cannot be replayed later.
 * Returns the parsed event; deduplicate on `webhook-id`, which stays the same on every retry.
 */
export function verifyCallback(request: CallbackRequest, options: VerifyCallbackOptions): CompletionEvent {
  const id = header(request.headers, 'webhook-id');
  const timestamp = header(request.headers, 'webhook-timestamp');
  const signatures = header(request.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new CallbackVerificationError(
      'missing-header',
      'webhook-id, webhook-timestamp and webhook-signature are all required.',
    );
  }
  if (!/^\d+$/.test(timestamp)) {
    throw new CallbackVerificationError('stale-timestamp', 'webhook-timestamp must be unix seconds.');
  }
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    throw new CallbackVerificationError(
      'stale-timestamp',
      `webhook-timestamp ${timestamp} is more than ${toleranceSeconds} s from now (${nowSeconds}); check the receiver's clock, or it is a replay.`,
    );
  }
  const key = secretKey(options.secret);
  const body =
    typeof request.rawBody === 'string' ? Buffer.from(request.rawBody) : Buffer.from(request.rawBody);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  const matches = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .some((entry) => {
      const given = Buffer.from(entry.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches) {
    throw new CallbackVerificationError(
      'bad-signature',
      "No v1 signature matches; check that the secret is the partner's whsec_ value and that the body is verified as received, before any JSON parsing.",
    );
  }
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CallbackVerificationError('bad-body', 'The signed body is not JSON.');
  }
  return event as CompletionEvent;
}

function header(headers: CallbackRequest['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found.join(' ') : found;
}

function secretKey(secret: string): Buffer {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) {
    throw new CallbackVerificationError('bad-secret', 'The secret must be "whsec_" followed by base64.');
  }
  return Buffer.from(match[1] as string, 'base64');
}
