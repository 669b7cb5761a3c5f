import { randomBytes } from 'node:crypto';

// 128 random bits: unique without coordination, so ids minted before and after
// a restart (or by two processes sharing nothing) never collide at a receiver
// that deduplicates on webhook-id.
export function newWebhookId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}
