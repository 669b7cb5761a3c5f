/**
 * Token endpoint errors as RFC 6749 §5.2 names them. The HTTP layer renders
 * them (problem+json carrying `error`/`error_description`); the core only
 * decides which one applies and what the partner should change.
 *
 * Descriptions are fixed sentences, never echoes of the request: RFC 6749
 * limits `error_description` to printable ASCII without `"` and `\`, and an
 * echoed secret would end up in logs.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export interface OAuthError {
  error: OAuthErrorCode;
  description: string;
  status: 400 | 401;
  /** The request parameter at fault, when there is one. */
  field?: string;
  /** Set with status 401: the value of the `WWW-Authenticate` header to send. */
  wwwAuthenticate?: string;
}

/** RFC 6749 §5.2 asks for the scheme the client can use; RFC 9110 requires the header on every 401. */
export const BASIC_CHALLENGE = 'Basic realm="facematch-mock"';

export function invalidRequest(description: string, field?: string): OAuthError {
  return field === undefined
    ? { error: 'invalid_request', description, status: 400 }
    : { error: 'invalid_request', description, status: 400, field };
}

export function invalidClient(description: string): OAuthError {
  return { error: 'invalid_client', description, status: 401, wwwAuthenticate: BASIC_CHALLENGE };
}

export function unsupportedGrantType(description: string): OAuthError {
  return { error: 'unsupported_grant_type', description, status: 400, field: 'grant_type' };
}

export function invalidScope(description: string): OAuthError {
  return { error: 'invalid_scope', description, status: 400, field: 'scope' };
}
