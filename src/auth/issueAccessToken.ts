import { randomUUID, sign } from 'node:crypto';
import { ACCESS_TOKEN_TYP, type AccessTokenClaims } from './AccessTokenClaims.ts';
import { SUPPORTED_SCOPES } from './accessScope.ts';
import type { Partner } from './Partner.ts';
import type { SigningKey } from './SigningKey.ts';

export interface IssueAccessTokenInput {
  key: SigningKey;
  partner: Partner;
  issuer: string;
  audience: string;
  now: Date;
  /** The scope granted by `grantScope`; defaults to every supported scope. */
  scope?: string;
}

/** The RFC 6749 §5.1 token response body. */
export interface IssuedAccessToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /** Sent because RFC 6749 §5.1 requires it whenever the granted scope may differ from the requested one (e.g. none requested). */
  scope: string;
}

export function issueAccessToken({
  key,
  partner,
  issuer,
  audience,
  now,
  scope = SUPPORTED_SCOPES.join(' '),
}: IssueAccessTokenInput): IssuedAccessToken {
  const ttl = partner.tokenTtlSeconds;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) {
    // Config validation should have caught this; a token that is born expired would only confuse the partner.
    throw new RangeError(
      `Partner ${partner.clientId} has tokenTtlSeconds ${ttl}; it must be a positive whole number.`,
    );
  }
  const iat = Math.floor(now.getTime() / 1000);
  const header = { alg: 'RS256', typ: ACCESS_TOKEN_TYP, kid: key.kid };
  const claims: AccessTokenClaims = {
    iss: issuer,
    aud: audience,
    sub: partner.clientId,
    client_id: partner.clientId,
    iat,
    exp: iat + ttl,
    jti: randomUUID(),
    scope,
  };
  const signingInput = `${encode(header)}.${encode(claims)}`;
  // RS256 = RSASSA-PKCS1-v1_5 with SHA-256, which is node's default padding for RSA keys.
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return { access_token: `${signingInput}.${signature}`, token_type: 'Bearer', expires_in: ttl, scope };
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
