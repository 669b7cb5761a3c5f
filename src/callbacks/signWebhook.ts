import { createHmac } from 'node:crypto';
import { parseWebhookSecret } from './webhookSecret.ts';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface SignWebhookInput {
  /** `whsec_` + base64 key, as configured for the partner. */
  secret: string;
  /** Stays the same across retries so receivers can deduplicate. */
  id: string;
  /** Unix seconds; receivers reject stale timestamps to stop replays, so sign each attempt afresh. */
  timestamp: number;
  /** The exact bytes that go on the wire: the signature covers them, not a re-serialisation. */
  body: string;
}

/** Standard Webhooks v1 signature: base64 HMAC-SHA256 over `${id}.${timestamp}.${body}`. */
export function signWebhook({ secret, id, timestamp, body }: SignWebhookInput): WebhookHeaders {
  const parsed = parseWebhookSecret(secret);
  // Config validation rejects bad secrets before any delivery exists, so reaching
  // this is a wiring bug, not partner input: failing loudly is right here.
  if (!parsed.ok) throw new Error(parsed.message);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new Error(`webhook timestamp must be whole unix seconds, got ${timestamp}`);
  }
  const signature = createHmac('sha256', parsed.key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}
