import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/app/createTokenService.ts';
import { issueAccessToken } from '../../src/auth/issueAccessToken.ts';
import { jwks } from '../../src/auth/jwks.ts';
import { jwkThumbprint } from '../../src/auth/jwkThumbprint.ts';
import type { Partner } from '../../src/auth/Partner.ts';
import { createSigningKey, signingKeyFromPem } from '../../src/auth/SigningKey.ts';
import { verifyAccessToken } from '../../src/auth/verifyAccessToken.ts';
import { createDirectoryStore } from '../../src/store/directory/createDirectoryStore.ts';
import { createMemoryStore } from '../../src/store/memory/createMemoryStore.ts';
import type { SandboxStore, StoreOptions } from '../../src/store/SandboxStore.ts';

const partner: Partner = {
  clientId: 'demo',
  clientSecret: 'demo-secret',
  webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  thresholds: { success: 80, review: 70 },
  tokenTtlSeconds: 3600,
};

const storeOptions: StoreOptions = {
  retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
  journalCapacity: 100,
  initialClock: 'real',
  now: () => new Date(),
};

/** The PEM as the token service creates it (PKCS#8). */
const newPem = async () =>
  (await createSigningKey()).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

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

describe('the token signing key in the directory store', () => {
  let dir: string;
  const opened: SandboxStore[] = [];
  const open = async (dataDir = dir) => {
    const store = await createDirectoryStore(dataDir, { ...storeOptions, warn: () => undefined });
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facematch-auth-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('is kept in token-signing-key.pem, private to the owner, so tokens survive a restart', async () => {
    const dataDir = join(dir, 'data');
    const first = await open(dataDir);
    const pem = await first.secrets.getOrCreate('token-signing-key', newPem);
    const file = join(dataDir, 'token-signing-key.pem');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const key = signingKeyFromPem(pem);
    const now = new Date();
    const { access_token } = issueAccessToken({ key, partner, issuer: 'iss', audience: 'aud', now });
    await first.close();

    const second = await open(dataDir);
    const again = signingKeyFromPem(
      await second.secrets.getOrCreate('token-signing-key', async () => {
        throw new Error('a key was already stored; none may be created');
      }),
    );
    expect(again.kid).toBe(key.kid);
    const result = verifyAccessToken({
      token: access_token,
      keys: [again],
      issuer: 'iss',
      audience: 'aud',
      now,
    });
    expect(result.ok).toBe(true);
  });

  it('is one key for two stores opening one directory at once', async () => {
    const start = async () => (await open()).secrets.getOrCreate('token-signing-key', newPem);
    const [a, b] = await Promise.all([start(), start()]);
    expect(signingKeyFromPem(a).kid).toBe(signingKeyFromPem(b).kid);
    expect((await readFile(join(dir, 'token-signing-key.pem'), 'utf8')).trim()).toBe(a.trim());
  });

  it('signs with the stored key: the token service publishes it, the same after a restart', async () => {
    const service = async () =>
      createTokenService({
        partners: new Map([[partner.clientId, partner]]),
        issuer: 'iss',
        audience: 'aud',
        secrets: (await open()).secrets,
        now: async () => new Date(),
      });
    const first = await service();
    const token = await first.issue(partner);
    const second = await service();
    expect(second.jwks()).toEqual(first.jwks());
    expect(await second.verify(token.access_token)).toMatchObject({
      ok: true,
      partner: { clientId: 'demo' },
    });
  });

  it('refuses a stored key that is not a usable RS256 key, saying how to recover', async () => {
    const tokens = async () =>
      createTokenService({
        partners: new Map([[partner.clientId, partner]]),
        issuer: 'iss',
        audience: 'aud',
        secrets: (await open()).secrets,
        now: async () => new Date(),
      });
    const file = join(dir, 'token-signing-key.pem');
    await writeFile(file, 'not a pem');
    await expect(tokens()).rejects.toThrow(
      /stored token signing key is not usable .*Remove it \(token-signing-key\.pem in the data dir/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await writeFile(file, ec.export({ format: 'pem', type: 'pkcs8' }));
    await expect(tokens()).rejects.toThrow(/RSA key of at least 2048 bits.*Remove it/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    await writeFile(file, small.export({ format: 'pem', type: 'pkcs8' }));
    await expect(tokens()).rejects.toThrow(/got rsa, 1024 bits/);
    // The broken key was reported, never silently replaced: tokens cached by partners would stop verifying.
    expect(await readFile(file, 'utf8')).toBe(small.export({ format: 'pem', type: 'pkcs8' }));
  });
});

describe('the token signing key in the memory store', () => {
  it('is fresh per store, never one built in, and the same for the life of the store', async () => {
    const [a, b] = await Promise.all([createMemoryStore(storeOptions), createMemoryStore(storeOptions)]);
    try {
      const [first, second, again] = await Promise.all([
        a.secrets.getOrCreate('token-signing-key', newPem),
        b.secrets.getOrCreate('token-signing-key', newPem),
        a.secrets.getOrCreate('token-signing-key', newPem),
      ]);
      expect(signingKeyFromPem(first).kid).not.toBe(signingKeyFromPem(second).kid);
      expect(again).toBe(first);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
