/**
 * Standard Webhooks symmetric secrets are `whsec_` followed by the base64 of the
 * raw HMAC key. Partners paste the same string into their verifier library, so
 * we accept exactly what those libraries accept and reject anything else at
 * config time, rather than signing with a key the partner can never reproduce.
 */
const PREFIX = 'whsec_';
// The spec recommends keys of 24 to 64 bytes; shorter keys are guessable and
// longer ones are a sign the wrong value (e.g. a PEM key) was pasted.
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const WEBHOOK_SECRET_FORMAT = `"${PREFIX}" followed by the base64 encoding of a ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} byte random key, e.g. ${PREFIX}ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5`;

export type WebhookSecretResult = { ok: true; key: Buffer } | { ok: false; message: string };

export function parseWebhookSecret(secret: string): WebhookSecretResult {
  const fail = (problem: string): WebhookSecretResult => ({
    ok: false,
    message: `Webhook secret ${problem}; expected ${WEBHOOK_SECRET_FORMAT}.`,
  });
  if (typeof secret !== 'string' || !secret.startsWith(PREFIX))
    return fail(`does not start with "${PREFIX}"`);
  const encoded = secret.slice(PREFIX.length);
  if (!BASE64.test(encoded)) return fail('is not valid base64 after the prefix');
  const key = Buffer.from(encoded, 'base64');
  // Node's decoder silently skips stray bits; re-encoding catches truncated input
  // (unpadded input is tolerated because some generators drop the padding).
  if (key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    return fail('is not valid base64 after the prefix');
  }
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    return fail(`decodes to a ${key.length} byte key`);
  }
  return { ok: true, key };
}
