import { invalidScope, type OAuthError } from './OAuthError.ts';

/**
 * The one scope the mock grants. Every partner endpoint lives under
 * /v1/submissions, so one scope covers the flow; having it in the token still
 * lets a partner whose OAuth client always sends `scope` see a real answer, and
 * a typo in it fails loudly (invalid_scope) instead of being silently ignored.
 */
export const SUBMISSIONS_SCOPE = 'submissions';

export const SUPPORTED_SCOPES: readonly string[] = [SUBMISSIONS_SCOPE];

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export type ScopeResult = { ok: true; scope: string } | { ok: false; error: OAuthError };

/**
 * The scope to grant for a requested `scope` parameter: absent or empty means
 * everything this mock supports; otherwise each requested token must be known.
 */
export function grantScope(requested: string | undefined): ScopeResult {
  if (requested === undefined || requested.trim() === '')
    return { ok: true, scope: SUPPORTED_SCOPES.join(' ') };
  const tokens = requested.split(' ').filter((token) => token !== '');
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) {
    return {
      ok: false,
      error: invalidScope(
        'scope must be space-separated scope names; omit it or send scope=submissions, the only scope this server grants.',
      ),
    };
  }
  if (!tokens.every((token) => SUPPORTED_SCOPES.includes(token))) {
    return {
      ok: false,
      error: invalidScope(
        'Unknown scope requested; omit scope or send scope=submissions, the only scope this server grants.',
      ),
    };
  }
  return { ok: true, scope: [...new Set(tokens)].join(' ') };
}
