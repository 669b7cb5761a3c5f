import { verify } from 'node:crypto';
import { ACCESS_TOKEN_TYP, type AccessTokenClaims } from './AccessTokenClaims.ts';
import type { VerificationKey } from './SigningKey.ts';

/**
 * Tolerance for `exp` and `iat`. Tokens are issued and checked by this same
 * server, so the only skew is our own clock being stepped (NTP, a VM resumed);
 * a few seconds absorb that without letting a partner's cache-expiry bug hide
 * behind a generous grace period.
 */
export const CLOCK_LEEWAY_SECONDS = 5;

/** Our tokens are under 1 KiB; anything far larger is not ours and is refused before any decoding work. */
export const MAX_TOKEN_LENGTH = 8192;

export interface VerifyAccessTokenInput {
  token: unknown;
  keys: readonly VerificationKey[];
  issuer: string;
  audience: string;
  /** The time to check expiry against; a function gets the token's client, whose test clock may run ahead. */
  now: Date | ((clientId: string) => Date);
}

export type AccessTokenVerification =
  | { ok: true; clientId: string; claims: AccessTokenClaims }
  | {
      ok: false;
      error: 'invalid_token';
      description: string;
      /** Set when only the expiry failed: the signature verified, so the client it names is known. */
      expired?: { clientId: string };
    };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Checks a bearer token the way a careful resource server would (RFC 9068 §4,
 * RFC 8725). Every failure is a result, never an exception: tokens come from
 * anyone, so garbage must cost a 401, not a crash.
 *
 * Descriptions go into `WWW-Authenticate`, so they stay printable ASCII
 * without quotes, and they never echo the token.
 */
export function verifyAccessToken(input: VerifyAccessTokenInput): AccessTokenVerification {
  const signed = verifySignedToken(input);
  if (!signed.ok) return signed;
  const { now } = input;
  return checkTokenTimes(signed.claims, typeof now === 'function' ? now(signed.claims.client_id) : now);
}

/**
 * Everything but time: the form, the signature, the issuer and the audience. Its client is then
 * known (and trusted), so the caller can read that client's business clock for checkTokenTimes.
 */
export function verifySignedToken({
  token,
  keys,
  issuer,
  audience,
}: Omit<VerifyAccessTokenInput, 'now'>): AccessTokenVerification {
  if (typeof token !== 'string' || token === '') {
    return invalid('No access token: send Authorization: Bearer <access_token> from POST /v1/oauth/token.');
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    return invalid(
      'The access token is too long to be one of ours; request a new one from POST /v1/oauth/token.',
    );
  }
  const parts = token.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (
    parts.length !== 3 ||
    headerPart === undefined ||
    payloadPart === undefined ||
    signaturePart === undefined
  ) {
    return invalid(
      'The access token is not a JWT (three dot-separated parts); send the access_token value unchanged.',
    );
  }

  const header = decodeObject(headerPart);
  if (header === undefined) {
    return invalid(
      'The access token header is not base64url-encoded JSON; send the access_token value unchanged.',
    );
  }
  // The algorithm is fixed by us, never taken from the token: honouring `none`
  // or HS256 (with the public key as HMAC secret) would let anyone mint tokens.
  if (header.alg !== 'RS256') {
    return invalid(
      'The access token is not signed with RS256; only tokens from POST /v1/oauth/token are accepted.',
    );
  }
  if (typeof header.typ !== 'string' || !isAccessTokenTyp(header.typ)) {
    return invalid(
      'The token is not an access token (typ at+jwt); use the access_token from POST /v1/oauth/token.',
    );
  }
  // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
  if ('crit' in header) {
    return invalid('The access token declares critical header extensions this server does not support.');
  }
  const key =
    typeof header.kid === 'string' ? keys.find((candidate) => candidate.kid === header.kid) : undefined;
  if (key === undefined) {
    return invalid(
      'The access token was signed with a key this server does not know (it may predate a restart without --data-dir); request a new token.',
    );
  }
  if (
    !BASE64URL.test(signaturePart) ||
    !signatureMatches(`${headerPart}.${payloadPart}`, signaturePart, key)
  ) {
    return invalid(
      'The access token signature does not verify; it was altered or not issued here. Request a new token.',
    );
  }

  // Only now is the payload trusted enough to read.
  const claims = decodeObject(payloadPart);
  if (claims === undefined || !hasAccessTokenClaims(claims)) {
    return invalid('The access token lacks required claims; request a new token from POST /v1/oauth/token.');
  }
  if (claims.iss !== issuer) {
    return invalid('The access token was issued by another issuer; request a token from this server.');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(audience)) {
    return invalid('The access token is meant for another audience; request a token from this server.');
  }
  return { ok: true, clientId: claims.client_id, claims };
}

/** Expiry and issue time against `at`, the token's client's business time. */
export function checkTokenTimes(claims: AccessTokenClaims, at: Date): AccessTokenVerification {
  const nowSeconds = Math.floor(at.getTime() / 1000);
  if (nowSeconds >= claims.exp + CLOCK_LEEWAY_SECONDS) {
    // Told apart from the other failures: a partner caching tokens past expires_in is the commonest bug.
    return {
      ...invalid(
        'The access token has expired; request a new one and refresh it before expires_in runs out.',
      ),
      expired: { clientId: claims.client_id },
    };
  }
  if (claims.iat > nowSeconds + CLOCK_LEEWAY_SECONDS) {
    return invalid(
      'The access token is issued in the future; check the clock of the machine running the server.',
    );
  }
  if (claims.sub !== claims.client_id) {
    return invalid(
      'The access token subject is not its client; request a new token with client credentials.',
    );
  }
  return { ok: true, clientId: claims.client_id, claims };
}

function invalid(description: string): Extract<AccessTokenVerification, { ok: false }> {
  return { ok: false, error: 'invalid_token', description };
}

/** RFC 9068 §4 allows both spellings; media type names compare case-insensitively. */
function isAccessTokenTyp(typ: string): boolean {
  const lower = typ.toLowerCase();
  return lower === ACCESS_TOKEN_TYP || lower === `application/${ACCESS_TOKEN_TYP}`;
}

function signatureMatches(signingInput: string, signature: string, key: VerificationKey): boolean {
  try {
    return verify('sha256', Buffer.from(signingInput), key.publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

function decodeObject(part: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function hasAccessTokenClaims(
  claims: Record<string, unknown>,
): claims is Record<string, unknown> & AccessTokenClaims {
  const aud = claims.aud;
  return (
    typeof claims.iss === 'string' &&
    (typeof aud === 'string' || (Array.isArray(aud) && aud.every((entry) => typeof entry === 'string'))) &&
    typeof claims.sub === 'string' &&
    typeof claims.client_id === 'string' &&
    claims.client_id !== '' &&
    Number.isFinite(claims.iat) &&
    Number.isFinite(claims.exp) &&
    typeof claims.jti === 'string' &&
    (claims.scope === undefined || typeof claims.scope === 'string')
  );
}
