import { createHash, type KeyObject } from 'node:crypto';

/**
 * RFC 7638 thumbprint of an RSA public key: SHA-256 over the required members
 * in lexicographic order with no whitespace. Used as `kid`, so the id stays
 * stable across restarts that reload the same key and changes when the key does.
 */
export function jwkThumbprint(publicKey: KeyObject): string {
  const { e, n } = publicKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ e, kty: 'RSA', n });
  return createHash('sha256').update(canonical).digest('base64url');
}
