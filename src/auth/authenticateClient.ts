import { createHash, timingSafeEqual } from 'node:crypto';
import { invalidClient, type OAuthError } from './OAuthError.ts';
import type { Partner } from './Partner.ts';
import type { ClientCredentials } from './parseClientCredentials.ts';

export type ClientAuthentication = { ok: true; partner: Partner } | { ok: false; error: OAuthError };

/**
 * Hashing both sides first gives equal-length inputs to timingSafeEqual, so
 * neither the secret's length nor its first differing byte shows in timing.
 */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compared against when the client id is unknown, so that path costs the same as a wrong secret. */
const UNKNOWN_CLIENT_DIGEST = digest('facematch-mock: no such client');

/**
 * One answer for an unknown client and a wrong secret (RFC 6749 §5.2
 * invalid_client): telling them apart would let anyone enumerate client ids.
 */
export function authenticateClient(
  credentials: ClientCredentials,
  findPartner: (clientId: string) => Partner | undefined,
): ClientAuthentication {
  const partner = findPartner(credentials.clientId);
  const expected = partner === undefined ? UNKNOWN_CLIENT_DIGEST : digest(partner.clientSecret);
  const matches = timingSafeEqual(digest(credentials.clientSecret), expected);
  if (partner === undefined || !matches) {
    return {
      ok: false,
      error: invalidClient(
        'Client authentication failed: check the client id and secret against your partner configuration.',
      ),
    };
  }
  return { ok: true, partner };
}
