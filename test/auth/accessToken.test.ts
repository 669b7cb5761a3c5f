import { createHmac, createPublicKey, createVerify, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/auth/issueAccessToken.ts';
import { jwks } from '../../src/auth/jwks.ts';
import type { Partner } from '../../src/auth/Partner.ts';
import { createSigningKey, type SigningKey } from '../../src/auth/SigningKey.ts';
import {
  CLOCK_LEEWAY_SECONDS,
  MAX_TOKEN_LENGTH,
  verifyAccessToken,
} from '../../src/auth/verifyAccessToken.ts';

const partner: Partner = {
  clientId: 'demo',
  clientSecret: 'demo-secret',
  webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  thresholds: { success: 80, review: 70 },
  tokenTtlSeconds: 900,
};
const issuer = 'http://localhost:8080';
const audience = 'http://localhost:8080/v1';
const issuedAt = new Date('2026-01-15T10:00:00Z');
const later = (seconds: number) => new Date(issuedAt.getTime() + seconds * 1000);

let key: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  [key, otherKey] = await Promise.all([createSigningKey(), createSigningKey()]);
});

function issue(overrides: Partial<Parameters<typeof issueAccessToken>[0]> = {}): string {
  return issueAccessToken({ key, partner, issuer, audience, now: issuedAt, ...overrides }).access_token;
}

function check(token: unknown, now = later(1), keys: SigningKey[] = [key]) {
  return verifyAccessToken({ token, keys, issuer, audience, now });
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodePart = (part: string | undefined) =>
  JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));

describe('issueAccessToken', () => {
  it('answers with an RFC 6749 token response carrying an RFC 9068 JWT', () => {
    const response = issueAccessToken({ key, partner, issuer, audience, now: issuedAt });
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'submissions' });
    const [header, payload] = response.access_token.split('.');
    expect(decodePart(header)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: key.kid });
    const iat = issuedAt.getTime() / 1000;
    expect(decodePart(payload)).toEqual({
      iss: issuer,
      aud: audience,
      sub: 'demo',
      client_id: 'demo',
      iat,
      exp: iat + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'submissions',
    });
  });

  it('gives every token its own jti', () => {
    expect(decodePart(issue().split('.')[1]).jti).not.toEqual(decodePart(issue().split('.')[1]).jti);
  });
});

describe('verifyAccessToken', () => {
  it('accepts a token it issued and names the client', () => {
    const result = check(issue());
    expect(result).toMatchObject({ ok: true, clientId: 'demo', claims: { sub: 'demo', aud: audience } });
  });

  it('verifies independently: node:crypto and the published JWK agree with the signature', () => {
    const [header, payload, signature] = issue().split('.');
    const [jwk] = jwks(key).keys;
    const publicKey = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    const verifier = createVerify('RSA-SHA256').update(`${header}.${payload}`);
    expect(verifier.verify(publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(true);
  });

  it('rejects an expired token, allowing only the documented leeway', () => {
    const token = issue();
    expect(check(token, later(900 + CLOCK_LEEWAY_SECONDS - 1)).ok).toBe(true);
    expect(check(token, later(900 + CLOCK_LEEWAY_SECONDS))).toMatchObject({
      ok: false,
      error: 'invalid_token',
      description: expect.stringContaining('expired'),
    });
  });

  it('rejects a token issued in the future', () => {
    expect(check(issue(), later(-CLOCK_LEEWAY_SECONDS - 1))).toMatchObject({
      ok: false,
      error: 'invalid_token',
    });
  });

  it('rejects a token forged with another key, even when it claims our kid', () => {
    const forged = issue({ key: otherKey });
    expect(check(forged)).toMatchObject({ ok: false, error: 'invalid_token' });
    const [, payload, signature] = forged.split('.');
    const withOurKid = `${b64url({ alg: 'RS256', typ: 'at+jwt', kid: key.kid })}.${payload}.${signature}`;
    expect(check(withOurKid)).toMatchObject({ ok: false, description: expect.stringContaining('signature') });
  });

  it('accepts tokens from any key it is given, so a rotated-out key can still verify', () => {
    expect(check(issue({ key: otherKey }), later(1), [key, otherKey]).ok).toBe(true);
  });

  it('rejects a tampered payload', () => {
    const [header, payload, signature] = issue().split('.');
    const claims = { ...decodePart(payload), client_id: 'demo-2', sub: 'demo-2' };
    expect(check(`${header}.${b64url(claims)}.${signature}`)).toMatchObject({
      ok: false,
      error: 'invalid_token',
    });
  });

  it('rejects alg none', () => {
    const [, payload] = issue().split('.');
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64url({ alg, typ: 'at+jwt', kid: key.kid })}.${payload}.`;
      expect(check(unsigned), alg).toMatchObject({ ok: false, error: 'invalid_token' });
    }
  });

  it('rejects HS256 signed with the public key as HMAC secret (algorithm confusion)', () => {
    const [, payload] = issue().split('.');
    const header = b64url({ alg: 'HS256', typ: 'at+jwt', kid: key.kid });
    for (const secret of [
      key.publicKey.export({ format: 'pem', type: 'spki' }),
      key.publicKey.export({ format: 'pem', type: 'pkcs1' }),
      JSON.stringify(jwks(key).keys[0]),
    ]) {
      const mac = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      expect(check(`${header}.${payload}.${mac}`)).toMatchObject({ ok: false, error: 'invalid_token' });
    }
  });

  it('rejects a JWT that is not an access token (typ)', () => {
    const [, payload] = issue().split('.');
    for (const typ of [undefined, 'JWT', 'at+JWT-not']) {
      const header = b64url({ alg: 'RS256', typ, kid: key.kid });
      const signature = signWith(key, `${header}.${payload}`);
      expect(check(`${header}.${payload}.${signature}`), String(typ)).toMatchObject({ ok: false });
    }
    const spelledOut = b64url({ alg: 'RS256', typ: 'application/at+jwt', kid: key.kid });
    expect(check(`${spelledOut}.${payload}.${signWith(key, `${spelledOut}.${payload}`)}`).ok).toBe(true);
  });

  it('rejects validly signed tokens with the wrong audience or issuer', () => {
    expect(check(issue({ audience: 'https://elsewhere.example/v1' }))).toMatchObject({
      ok: false,
      description: expect.stringContaining('audience'),
    });
    expect(check(issue({ issuer: 'https://elsewhere.example' }))).toMatchObject({
      ok: false,
      description: expect.stringContaining('issuer'),
    });
  });

  it('rejects an unknown kid', () => {
    const [, payload] = issue().split('.');
    const header = b64url({ alg: 'RS256', typ: 'at+jwt', kid: 'not-a-key' });
    expect(check(`${header}.${payload}.${signWith(key, `${header}.${payload}`)}`)).toMatchObject({
      ok: false,
    });
  });

  it('rejects signed payloads that are not an object of claims', () => {
    const header = b64url({ alg: 'RS256', typ: 'at+jwt', kid: key.kid });
    for (const payload of [
      b64url([1, 2]),
      b64url(null),
      b64url('claims'),
      b64url({ sub: 'demo' }),
      'bm90IGpzb24',
    ]) {
      expect(check(`${header}.${payload}.${signWith(key, `${header}.${payload}`)}`), payload).toMatchObject({
        ok: false,
      });
    }
  });

  it('never throws on hostile input, and its descriptions are safe in a header', () => {
    const token = issue();
    const [header, payload, signature] = token.split('.');
    const hostile: unknown[] = [
      undefined,
      null,
      42,
      {},
      '',
      '.',
      '..',
      '...',
      'a.b.c',
      '%%%.***.!!!',
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.extra`,
      `${b64url('string header')}.${payload}.${signature}`,
      `${b64url([])}.${payload}.${signature}`,
      `${b64url(null)}.${payload}.${signature}`,
      `${b64url({ alg: 'RS256', typ: 'at+jwt', kid: { $ne: null } })}.${payload}.${signature}`,
      `${b64url({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, crit: ['exp'] })}.${payload}.${signature}`,
      `${header}.${payload}.${'A'.repeat(10)}`,
      `${header}.${payload}.@@@`,
      `${'A'.repeat(MAX_TOKEN_LENGTH)}.${payload}.${signature}`,
      'x'.repeat(10_000_000),
      '\u0000\ud800.\r\n.\u{1F600}',
    ];
    for (const input of hostile) {
      const result = check(input);
      expect(result.ok, String(input).slice(0, 60)).toBe(false);
      if (!result.ok) expect(result.description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
    }
  });
});

/** An RS256 signature made outside issueAccessToken, for headers and payloads it would never write. */
function signWith(signingKey: SigningKey, input: string): string {
  return sign('sha256', Buffer.from(input), signingKey.privateKey).toString('base64url');
}
