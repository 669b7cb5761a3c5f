/** RFC 6750 §3.1 error codes for protected resources. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * The `WWW-Authenticate` value for a 401/403 on a protected endpoint
 * (RFC 6750 §3). Without an error code it is the bare challenge, which
 * §3.1 asks for when the request carried no credentials at all.
 */
export function bearerChallenge(error?: BearerErrorCode, description?: string): string {
  let challenge = 'Bearer realm="facematch-mock"';
  if (error !== undefined) challenge += `, error="${error}"`;
  if (error !== undefined && description !== undefined && description !== '') {
    challenge += `, error_description="${headerSafe(description)}"`;
  }
  return challenge;
}

/**
 * RFC 6750 §3 allows only printable ASCII without `"` and `\` in
 * error_description, and node refuses to send a header holding CR/LF or
 * characters above U+00FF. So double quotes become single quotes (a
 * backslash-escape would still break the RFC 6750 grammar), backslashes
 * become slashes, and anything else outside the set becomes a space; the
 * header can then neither be split nor throw.
 */
function headerSafe(description: string): string {
  return description
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .replace(/[^\x20-\x7E]/gu, ' ');
}
