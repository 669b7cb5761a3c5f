import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/auth/createTokenVerifier.ts';
import { issueAccessToken } from '../../src/auth/issueAccessToken.ts';
import { createSigningKey } from '../../src/auth/SigningKey.ts';

const partner = {
  clientId: 'demo',
  clientSecret: 'demo-secret',
  webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  thresholds: { success: 80, review: 70 },
  tokenTtlSeconds: 60,
};

describe('createTokenVerifier', () => {
  it('keeps answering for a remembered token until it expires, then refuses it', async () => {
    const key = await createSigningKey();
    let clock = new Date('2026-03-01T10:00:00Z');
    const verify = createTokenVerifier({
      keys: [key],
      issuer: 'iss',
      audience: 'aud',
      now: () => clock,
      maxEntries: 2,
    });
    const { access_token } = issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now: clock });
    expect(verify(access_token)).toMatchObject({ ok: true, clientId: 'demo' });
    expect(verify(access_token)).toMatchObject({ ok: true });
    clock = new Date(clock.getTime() + 120_000);
    expect(verify(access_token)).toMatchObject({ ok: false, error: 'invalid_token' });
  });

  it('never remembers a refusal, and stays bounded', async () => {
    const key = await createSigningKey();
    const now = new Date();
    const verify = createTokenVerifier({
      keys: [key],
      issuer: 'iss',
      audience: 'aud',
      now: () => now,
      maxEntries: 1,
    });
    const tampered = `${issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now }).access_token}x`;
    expect(verify(tampered).ok).toBe(false);
    expect(verify(tampered).ok).toBe(false);
    const a = issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now }).access_token;
    const b = issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now }).access_token;
    expect(verify(a).ok && verify(b).ok && verify(a).ok).toBe(true);
  });
});
