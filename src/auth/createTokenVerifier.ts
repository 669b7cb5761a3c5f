import type { VerificationKey } from './SigningKey.ts';
import { type AccessTokenVerification, checkTokenTimes, verifySignedToken } from './verifyAccessToken.ts';

export interface TokenVerifierOptions {
  keys: readonly VerificationKey[];
  issuer: string;
  audience: string;
  /** Business time for the token's client (its test clock); tokens expire by it. */
  now: (clientId: string) => Promise<Date>;
  /** How many distinct valid tokens to remember; partners reuse one token for many calls. */
  maxEntries?: number;
}

/**
 * Partners send the same cached token on every call, and an RSA signature check costs more than
 * the rest of a status poll. A token whose signature verified once is remembered, bounded; only its
 * times are checked again, against its client's clock as it is now. Failures are never cached:
 * they are cheap to recompute and come from anyone.
 */
export function createTokenVerifier(
  options: TokenVerifierOptions,
): (token: unknown) => Promise<AccessTokenVerification> {
  const { keys, issuer, audience, now, maxEntries = 10_000 } = options;
  const signed = new Map<string, Extract<AccessTokenVerification, { ok: true }>>();
  return async (token) => {
    let known = typeof token === 'string' ? signed.get(token) : undefined;
    if (!known) {
      const result = verifySignedToken({ token, keys, issuer, audience });
      if (!result.ok) return result;
      known = result;
      // Oldest first out: a Map iterates in insertion order.
      if (signed.size >= maxEntries) signed.delete(signed.keys().next().value as string);
      signed.set(token as string, known);
    }
    return checkTokenTimes(known.claims, await now(known.clientId));
  };
}
