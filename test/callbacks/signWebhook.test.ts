import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/callbacks/signWebhook.ts';
import { parseWebhookSecret } from '../../src/callbacks/webhookSecret.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('signWebhook', () => {
  it('produces headers the independent Standard Webhooks verifier accepts', () => {
    const body = JSON.stringify({ type: 'submission.completed', data: { correlationId: 'c-1' } });
    const headers = signWebhook({ secret, id: 'msg_abc', timestamp: nowSeconds(), body });
    expect(headers['webhook-id']).toBe('msg_abc');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('signs the demo partner secret from the issue', () => {
    const demo = 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5';
    const headers = signWebhook({ secret: demo, id: 'msg_1', timestamp: nowSeconds(), body: '{}' });
    expect(() => new Webhook(demo).verify('{}', { ...headers })).not.toThrow();
  });

  it('is rejected by the verifier when the body is altered', () => {
    const headers = signWebhook({ secret, id: 'msg_abc', timestamp: nowSeconds(), body: '{"a":1}' });
    expect(() => new Webhook(secret).verify('{"a":2}', { ...headers })).toThrow();
  });

  it('refuses to sign with a malformed secret, saying what the format is', () => {
    expect(() =>
      signWebhook({ secret: 'not-a-secret', id: 'msg_1', timestamp: nowSeconds(), body: '{}' }),
    ).toThrow(/whsec_/);
  });
});

describe('parseWebhookSecret', () => {
  it('accepts whsec_ followed by base64 of a 24–64 byte key', () => {
    const parsed = parseWebhookSecret(secret);
    expect(parsed.ok && parsed.key.length).toBe(32);
    expect(parseWebhookSecret(`whsec_${randomBytes(24).toString('base64').replace(/=+$/, '')}`).ok).toBe(
      true,
    );
  });

  it.each([
    ['missing prefix', randomBytes(32).toString('base64')],
    ['empty key', 'whsec_'],
    ['not base64', 'whsec_this is not base64!!'],
    ['truncated base64', `whsec_${randomBytes(32).toString('base64').slice(0, -3)}`],
    ['key too short', `whsec_${randomBytes(8).toString('base64')}`],
    ['key too long', `whsec_${randomBytes(100).toString('base64')}`],
  ])('rejects %s with a message naming the expected format', (_label, candidate) => {
    const parsed = parseWebhookSecret(candidate);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/expected "whsec_" followed by the base64/);
  });
});
