import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/auth/issueAccessToken.ts';
import { jwks } from '../../src/auth/jwks.ts';
import { jwkThumbprint } from '../../src/auth/jwkThumbprint.ts';
import { loadOrCreateSigningKey, SIGNING_KEY_FILE } from '../../src/auth/loadOrCreateSigningKey.ts';
import type { Partner } from '../../src/auth/Partner.ts';
import { createSigningKey } from '../../src/auth/SigningKey.ts';
import { verifyAccessToken } from '../../src/auth/verifyAccessToken.ts';

const partner: Partner = {
  clientId: 'demo',
  clientSecret: 'demo-secret',
  webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  thresholds: { success: 80, review: 70 },
  tokenTtlSeconds: 3600,
};

describe('jwkThumbprint', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const key = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    expect(jwkThumbprint(key)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('jwks', () => {
  it('publishes only the public parts, and they verify our tokens', async () => {
    const key = await createSigningKey();
    const set = jwks(key);
    expect(set).toEqual({
      keys: [{ kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: key.kid, alg: 'RS256', use: 'sig' }],
    });
    expect(Object.keys(set.keys[0] ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);

    // Rebuild the key from the JWKS alone, as a partner or gateway would.
    const publicKey = createPublicKey({ key: { ...set.keys[0] }, format: 'jwk' });
    const now = new Date();
    const { access_token } = issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now });
    const result = verifyAccessToken({
      token: access_token,
      keys: [{ kid: set.keys[0]?.kid ?? '', publicKey }],
      issuer: 'iss',
      audience: 'aud',
      now,
    });
    expect(result).toMatchObject({ ok: true, clientId: 'demo' });
  });
});

describe('loadOrCreateSigningKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facematch-auth-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the key in the data directory, private to the owner, so tokens survive a restart', async () => {
    const dataDir = join(dir, 'data');
    const first = await loadOrCreateSigningKey(dataDir);
    const file = join(dataDir, SIGNING_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const now = new Date();
    const { access_token } = issueAccessToken({ key: first, partner, issuer: 'iss', audience: 'aud', now });
    const second = await loadOrCreateSigningKey(dataDir);
    expect(second.kid).toBe(first.kid);
    const result = verifyAccessToken({
      token: access_token,
      keys: [second],
      issuer: 'iss',
      audience: 'aud',
      now,
    });
    expect(result.ok).toBe(true);
  });

  it('lets two concurrent starts on one directory agree on a single key', async () => {
    const keys = await Promise.all([loadOrCreateSigningKey(dir), loadOrCreateSigningKey(dir)]);
    expect(keys[0].kid).toBe(keys[1].kid);
  });

  it('makes a fresh key per call without a directory', async () => {
    const [a, b] = await Promise.all([loadOrCreateSigningKey(), loadOrCreateSigningKey()]);
    expect(a.kid).not.toBe(b.kid);
  });

  it('refuses a key file that is not a usable RS256 key, saying how to recover', async () => {
    await writeFile(join(dir, SIGNING_KEY_FILE), 'not a pem');
    await expect(loadOrCreateSigningKey(dir)).rejects.toThrow(/Delete it/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, SIGNING_KEY_FILE), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await expect(loadOrCreateSigningKey(dir)).rejects.toThrow(/RSA key of at least 2048 bits/);
  });
});
