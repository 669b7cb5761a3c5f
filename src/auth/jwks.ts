import type { VerificationKey } from './SigningKey.ts';

export interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export interface JsonWebKeySet {
  keys: RsaPublicJwk[];
}

/**
 * The body of /.well-known/jwks.json. Members are picked one by one rather
 * than spreading the exported JWK, so no private member can ever leak into it.
 */
export function jwks(key: VerificationKey): JsonWebKeySet {
  const { n, e } = key.publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') {
    throw new TypeError('jwks() needs an RSA public key.');
  }
  return { keys: [{ kty: 'RSA', n, e, kid: key.kid, alg: 'RS256', use: 'sig' }] };
}
