import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/auth/createTokenVerifier.ts';
import { issueAccessToken } from '../../src/auth/issueAccessToken.ts';
import { createSigningKey, type VerificationKey } from '../../src/auth/SigningKey.ts';

const partner = {
  clientId: 'demo',
  clientSecret: 'demo-secret',
  webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  thresholds: { success: 80, review: 70 },
  tokenTtlSeconds: 60,
};

describe('createTokenVerifier', () => {
  it("keeps answering for a remembered token until it expires on its client's clock, then refuses it", async () => {
    const key = await createSigningKey();
    let clock = new Date('2026-03-01T10:00:00Z');
    const asked: string[] = [];
    const verify = createTokenVerifier({
      keys: [key],
      issuer: 'iss',
      audience: 'aud',
      now: async (clientId) => {
        asked.push(clientId);
        return clock;
      },
      maxEntries: 2,
    });
    const { access_token } = issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now: clock });
    expect(await verify(access_token)).toMatchObject({ ok: true, clientId: 'demo' });
    expect(await verify(access_token)).toMatchObject({ ok: true });
    clock = new Date(clock.getTime() + 120_000);
    expect(await verify(access_token)).toMatchObject({
      ok: false,
      error: 'invalid_token',
      description: expect.stringMatching(/expired/),
      expired: { clientId: 'demo' },
    });
    // Every check, remembered or not, reads the clock of the client the token names.
    expect(asked).toEqual(['demo', 'demo', 'demo']);
  });

  it('never remembers a refusal, and stays bounded', async () => {
    const key = await createSigningKey();
    const now = new Date();
    // The keys it verifies with, changed under it: what it remembers keeps verifying without them.
    const keys: VerificationKey[] = [];
    const verify = createTokenVerifier({
      keys,
      issuer: 'iss',
      audience: 'aud',
      now: async () => now,
      maxEntries: 1,
    });
    const issue = () => issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now }).access_token;
    const a = issue();
    const b = issue();

    expect((await verify(a)).ok).toBe(false);
    keys.push(key);
    // Refused while its key was unknown, accepted once it is: the refusal was not remembered.
    expect((await verify(a)).ok).toBe(true);
    expect((await verify(`${a}x`)).ok).toBe(false);
    expect((await verify(`${a}x`)).ok).toBe(false);
    expect((await verify(b)).ok).toBe(true);

    keys.length = 0;
    // b, the newest, is remembered; a was pushed out by it (one entry), so it is checked afresh.
    expect((await verify(b)).ok).toBe(true);
    expect(await verify(a)).toMatchObject({
      ok: false,
      description: expect.stringMatching(/key this server does not know/),
    });
  });

  it('refuses what is not a token without asking any clock', async () => {
    const key = await createSigningKey();
    let asked = 0;
    const verify = createTokenVerifier({
      keys: [key],
      issuer: 'iss',
      audience: 'aud',
      now: async () => {
        asked++;
        return new Date();
      },
    });
    for (const token of [undefined, '', 'a.b', 42]) {
      expect((await verify(token)).ok, String(token)).toBe(false);
    }
    expect(asked).toBe(0);
  });
});
