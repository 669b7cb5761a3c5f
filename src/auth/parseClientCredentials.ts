import { grantScope } from './accessScope.ts';
import { invalidClient, invalidRequest, type OAuthError, unsupportedGrantType } from './OAuthError.ts';

export interface TokenRequest {
  /** The raw `Authorization` header, if the request carried one. */
  authorization?: string;
  /** The parsed form or JSON body; values are unknown because partners send anything. */
  body: Record<string, unknown>;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export type ParsedTokenRequest =
  | ({ ok: true; grantType: 'client_credentials'; scope?: string } & ClientCredentials)
  | { ok: false; error: OAuthError };

/**
 * Reads a client-credentials token request (RFC 6749 §4.4) without judging
 * the credentials themselves: that is `authenticateClient`'s job.
 *
 * The grant type is checked first because it is a property of the request,
 * not of the client; the caller's identity matters only once the request is
 * one we can serve at all.
 */
export function parseClientCredentials(request: TokenRequest): ParsedTokenRequest {
  const body = ownFields(request.body);

  const grantType = body.grant_type;
  if (grantType === undefined || grantType === '') {
    return fail(invalidRequest('Add grant_type=client_credentials to the request body.', 'grant_type'));
  }
  if (typeof grantType !== 'string') {
    return fail(notAString('grant_type', 'send it once, as grant_type=client_credentials'));
  }
  if (grantType !== 'client_credentials') {
    return fail(
      unsupportedGrantType(
        'This server only issues tokens for grant_type=client_credentials; send that value.',
      ),
    );
  }

  const scope = body.scope;
  if (scope !== undefined && typeof scope !== 'string') {
    return fail(notAString('scope', 'send one space-separated string such as scope=submissions, or omit it'));
  }
  const granted = grantScope(scope);
  if (!granted.ok) return granted;

  const credentials = readCredentials(request.authorization, body);
  if (!credentials.ok) return credentials;

  const base = { ok: true as const, grantType: 'client_credentials' as const, ...credentials.value };
  return scope === undefined || scope.trim() === '' ? base : { ...base, scope: granted.scope };
}

type CredentialsResult = { ok: true; value: ClientCredentials } | { ok: false; error: OAuthError };

function readCredentials(
  authorization: string | undefined,
  body: Record<string, unknown>,
): CredentialsResult {
  const bodyId = body.client_id;
  const bodySecret = body.client_secret;
  if (bodyId !== undefined && typeof bodyId !== 'string') {
    return fail(notAString('client_id', 'send it once, as a plain string'));
  }
  if (bodySecret !== undefined && typeof bodySecret !== 'string') {
    return fail(notAString('client_secret', 'send it once, as a plain string'));
  }

  if (authorization !== undefined && authorization.trim() !== '') {
    const basic = decodeBasic(authorization);
    if (!basic.ok) return basic;
    // RFC 6749 §2.3 forbids more than one authentication method per request.
    // A body client_id equal to the Basic one authenticates nothing by itself
    // (§3.2.1 lets clients name themselves that way), so it is tolerated.
    if (bodySecret !== undefined) {
      return fail(
        invalidRequest(
          'The client authenticated twice: use either HTTP Basic or client_id/client_secret in the body, not both. Remove client_secret from the body.',
          'client_secret',
        ),
      );
    }
    if (bodyId !== undefined && bodyId !== basic.value.clientId) {
      return fail(
        invalidRequest(
          'client_id in the body differs from the one in the Authorization header; send the client id in one place only.',
          'client_id',
        ),
      );
    }
    return basic;
  }

  if (bodyId === undefined || bodyId === '') {
    return fail(
      invalidClient(
        'No client credentials: send HTTP Basic (client id and secret) or client_id and client_secret in the body.',
      ),
    );
  }
  if (bodySecret === undefined || bodySecret === '') {
    return fail(
      invalidClient('client_secret is missing: send it in the body next to client_id, or use HTTP Basic.'),
    );
  }
  return { ok: true, value: { clientId: bodyId, clientSecret: bodySecret } };
}

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/**
 * RFC 6749 §2.3.1: client id and secret are application/x-www-form-urlencoded
 * *before* being joined with `:` and base64-encoded, so a secret containing
 * `:`, `%` or `+` arrives percent-encoded and must be decoded here. Clients
 * that skip that encoding only differ when a secret holds `%` or `+`.
 */
function decodeBasic(authorization: string): CredentialsResult {
  const match = BASIC.exec(authorization);
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length % 4 === 1) {
    return fail(
      invalidClient(
        'The Authorization header is not HTTP Basic: send Basic base64(urlencode(client_id) + : + urlencode(client_secret)).',
      ),
    );
  }
  const decoded = utf8(Buffer.from(encoded, 'base64'));
  const colon = decoded === undefined ? -1 : decoded.indexOf(':');
  if (decoded === undefined || colon < 0) {
    return fail(
      invalidClient(
        'The Basic credentials do not decode to client_id:client_secret; base64-encode the id and secret joined by a colon.',
      ),
    );
  }
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined) {
    return fail(
      invalidClient(
        'The Basic credentials hold a malformed percent-escape; form-urlencode the client id and secret before base64.',
      ),
    );
  }
  if (clientId === '' || clientSecret === '') {
    return fail(invalidClient('The Basic credentials have an empty client id or secret; send both.'));
  }
  return { ok: true, value: { clientId, clientSecret } };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

function notAString(field: string, fix: string): OAuthError {
  return invalidRequest(`${field} must be a single string: ${fix}.`, field);
}

/**
 * Only the body's own fields count: a parser that hands over an object with a
 * prototype (or a polluted Object.prototype) must not supply a grant type or
 * a secret the partner never sent.
 */
function ownFields(body: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.create(null);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fields;
  for (const name of ['grant_type', 'scope', 'client_id', 'client_secret']) {
    if (Object.hasOwn(body, name)) fields[name] = (body as Record<string, unknown>)[name];
  }
  return fields;
}

function fail(error: OAuthError): { ok: false; error: OAuthError } {
  return { ok: false, error };
}
