import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { jwkThumbprint } from './jwkThumbprint.ts';

/** What verification needs: the public half and the id tokens name it by. */
export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

const generateRsaKeyPair = promisify(generateKeyPair);

/** A fresh RSA 2048 key for RS256, named by its RFC 7638 thumbprint. */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  return signingKeyFrom(privateKey);
}

/** Rebuilds a signing key from a PKCS#8 or PKCS#1 PEM; throws if it is not an RSA key of at least 2048 bits. */
export function signingKeyFromPem(pem: string): SigningKey {
  return signingKeyFrom(createPrivateKey({ key: pem, format: 'pem' }));
}

function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa' || bits < 2048) {
    // RFC 7518 §3.3 requires at least 2048 bits for RS256.
    throw new Error(
      `The token signing key must be an RSA key of at least 2048 bits (got ${privateKey.asymmetricKeyType}, ${bits} bits).`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: jwkThumbprint(publicKey), publicKey, privateKey };
}
