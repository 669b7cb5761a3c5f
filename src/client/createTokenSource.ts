import { FaceMatchApiError, type Problem } from './FaceMatchApiError.ts';
import { type RequestPolicy, sendRequest } from './sendRequest.ts';

export interface TokenSource {
  /** A cached access token, fetched again shortly before it expires. */
  get(): Promise<string>;
  /** Forget the cached token (after a 401 invalid_token), so the next `get` fetches a fresh one. */
  invalidate(token: string): void;
}

export interface TokenSourceOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Fetch a new token this long before the old one expires, so no request leaves with a dying token. */
  refreshBeforeExpiryMs: number;
  policy: RequestPolicy;
  now?: () => number;
}

/**
 * OAuth 2.0 client credentials with HTTP Basic client authentication (RFC 6749 §2.3.1: id and
 * secret form-urlencoded before base64). Concurrent callers share one token request.
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now;
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const basic = Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString('base64');

  async function fetchToken(): Promise<string> {
    const requestedAt = now();
    const response = await sendRequest(
      `${options.baseUrl}/v1/oauth/token`,
      () => ({
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      }),
      options.policy,
    );
    const body = (await response.json().catch(() => undefined)) as
      | { access_token?: string; expires_in?: number }
      | Problem
      | undefined;
    if (response.status !== 200 || !body || !('access_token' in body) || !body.access_token) {
      throw new FaceMatchApiError('issueToken', response.status, { problem: body as Problem });
    }
    const lifetimeMs = (body.expires_in ?? 0) * 1000;
    // A token shorter-lived than the margin is still used once rather than fetched in a loop.
    const refreshAt = requestedAt + Math.max(lifetimeMs - options.refreshBeforeExpiryMs, lifetimeMs / 2);
    cached = { token: body.access_token, refreshAt };
    return body.access_token;
  }

  return {
    get() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
