/** The claims of our access tokens: the RFC 9068 set for a client-credentials grant. */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  /** RFC 9068 §2.2: with no resource owner, the subject is the client itself. */
  sub: string;
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
  scope?: string;
}

/** RFC 9068 §2.1: the `typ` that keeps access tokens from being confused with ID tokens or other JWTs. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
