import type { VerificationKey } from './SigningKey.ts';
import {
  type AccessTokenVerification,
  CLOCK_LEEWAY_SECONDS,
  verifyAccessToken,
} from './verifyAccessToken.ts';

export interface TokenVerifierOptions {
  keys: readonly VerificationKey[];
  issuer: string;
  audience: string;
  /** Business time for the token's client (its test clock); tokens expire by it. */
  now: (clientId: string) => Date;
  /** How many distinct valid tokens to remember; partners reuse one token for many calls. */
  maxEntries?: number;
}

/**
 * Partners send the same cached token on every call, and an RSA signature
 * check costs more than the rest of a status poll. A token that verified once
 * stays valid until it expires — the only part that changes with time — so
 * successes are remembered, bounded, and only the expiry is checked again.
 * Failures are never cached: they are cheap to recompute and come from anyone.
 */
export function createTokenVerifier(
  options: TokenVerifierOptions,
): (token: unknown) => AccessTokenVerification {
  const { keys, issuer, audience, now, maxEntries = 10_000 } = options;
  const verified = new Map<string, Extract<AccessTokenVerification, { ok: true }>>();
  return (token) => {
    const known = typeof token === 'string' ? verified.get(token) : undefined;
    if (known) {
      const nowSeconds = Math.floor(now(known.clientId).getTime() / 1000);
      if (nowSeconds < known.claims.exp + CLOCK_LEEWAY_SECONDS) return known;
    }
    const result = verifyAccessToken({ token, keys, issuer, audience, now });
    if (typeof token === 'string') verified.delete(token);
    if (result.ok && typeof token === 'string') {
      // Oldest first out: a Map iterates in insertion order.
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
      verified.set(token, result);
    }
    return result;
  };
}
