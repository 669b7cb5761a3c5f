import type { components } from '../../src/admin/generated/admin.ts';
import type { components as partnerComponents } from '../../src/http/generated/openapi.ts';

type Schemas = components['schemas'];
export type SubmissionSummary = Schemas['SubmissionSummary'];
export type CallbackDelivery = Schemas['CallbackDelivery'];
export type CallbackAttempt = CallbackDelivery['attempts'][number];
export type JournalEntry = Schemas['JournalEntry'];
export type AdminPartner = Schemas['AdminPartner'];
export type Scenario = Schemas['Scenario'];
export type Thresholds = Schemas['Thresholds'];
export type MatchResult = partnerComponents['schemas']['MatchResult'];
export type Landmark = Schemas['Landmark'];
/** The partner's face data, or the engine's own view (`analysis`), which adds landmarks. */
export type FaceData = Omit<partnerComponents['schemas']['FaceData'], 'quality'> & {
  quality?: { sharpness: number; brightness: number } | null;
  landmarks?: Landmark[] | null;
};
export type ImageAnalysis = Omit<partnerComponents['schemas']['ImageAnalysis'], 'face'> & {
  face: FaceData | null;
};
/**
 * The submission as the admin API holds it. `result` is exactly what the partner reads (typed here
 * from the partner document, which the admin one only references); `analysis` is the engine's own
 * view with landmarks.
 */
export type AdminSubmission = Omit<Schemas['AdminSubmission'], 'result'> & { result: MatchResult | null };
export type ClockState = {
  clientId: string;
  now: string;
  offsetMs: number;
  frozen: boolean;
  pending: number;
};
export type ScenarioQueue = { clientId: string; queue: Array<{ scenario: string; remaining: number }> };

export type AdminCaller = Schemas['AdminCaller'];

const TOKEN_KEY = 'facematch-mock.adminToken';

/** A problem+json answer (or a network failure), said the way the server said it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/*
 * Who the page signs in as: the operator token, a partner's access token, or a partner's client
 * credentials, from which the page gets (and renews) the access token itself. Tokens are kept for
 * this tab only (sessionStorage); a client secret only in memory, so a reload or a closed tab
 * forgets it and the page asks again once the token it left expires.
 */
let bearer = sessionStorage.getItem(TOKEN_KEY) ?? '';
let partnerCredentials: { clientId: string; clientSecret: string } | undefined;
let renewal: ReturnType<typeof setTimeout> | undefined;
const tokenListeners = new Set<(required: boolean) => void>();
const sessionListeners = new Set<() => void>();

/** The page asks for a token when the server says one is required (401). */
export function onAdminTokenRequired(listener: (required: boolean) => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

/** Called when the page signs in as someone else (or out): what it shows must be fetched again. */
export function onSessionChange(listener: () => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

function keepBearer(token: string): void {
  bearer = token.trim();
  if (bearer) sessionStorage.setItem(TOKEN_KEY, bearer);
  else sessionStorage.removeItem(TOKEN_KEY);
  for (const listener of tokenListeners) listener(false);
  for (const listener of sessionListeners) listener();
}

/** The operator token or a partner's access token, as typed: the server tells which (GET /__admin/whoami). */
export function setAdminToken(token: string): void {
  forgetCredentials();
  keepBearer(token);
}

export function signOut(): void {
  setAdminToken('');
}

/**
 * Signs in as a partner with its client credentials: the page asks POST /v1/oauth/token itself,
 * as the partner's backend would, and renews the token before `expires_in` runs out.
 */
export async function signInAsPartner(clientId: string, clientSecret: string): Promise<void> {
  forgetCredentials();
  const credentials = { clientId: clientId.trim(), clientSecret };
  const token = await partnerToken(credentials);
  partnerCredentials = credentials;
  keepBearer(token);
}

/** The client credentials the page signed in with, if it did (for "Try it"). */
export function signedInCredentials(): { clientId: string; clientSecret: string } | undefined {
  return partnerCredentials;
}

function forgetCredentials(): void {
  partnerCredentials = undefined;
  clearTimeout(renewal);
}

async function partnerToken(credentials: { clientId: string; clientSecret: string }): Promise<string> {
  const { access_token: token, expires_in: expiresIn } = await requestPartnerToken(credentials);
  // Renewed a fifth of its life (at most a minute) before it expires, so no call meets an expired one.
  clearTimeout(renewal);
  const leadSeconds = Math.min(60, expiresIn / 5);
  renewal = setTimeout(() => void renew(), Math.max(1, expiresIn - leadSeconds) * 1000);
  return token;
}

let renewing: Promise<boolean> | undefined;

/**
 * A fresh token for the partner the page signed in as; false when it has no credentials to ask
 * with. Calls refused together share one token request.
 */
function renew(): Promise<boolean> {
  renewing ??= (async () => {
    const credentials = partnerCredentials;
    if (!credentials) return false;
    try {
      const token = await partnerToken(credentials);
      if (partnerCredentials !== credentials) return false;
      bearer = token;
      sessionStorage.setItem(TOKEN_KEY, token);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    renewing = undefined;
  });
  return renewing;
}

export function authHeaders(): Record<string, string> {
  return bearer ? { authorization: `Bearer ${bearer}` } : {};
}

/**
 * A fetch with the page's token. A 401 gets one retry with a renewed token when the page holds
 * client credentials (a partner's token expires on its own test clock, which a test may have
 * moved on); otherwise it asks the page for a token.
 */
async function authorized(url: string, init: RequestInit): Promise<Response> {
  const send = () =>
    fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...authHeaders() },
      signal: AbortSignal.timeout(15_000),
    });
  let response = await send();
  if (response.status === 401 && (await renew())) response = await send();
  if (response.status === 401) for (const listener of tokenListeners) listener(true);
  return response;
}

/** One admin API call, bounded; a 401 asks the page for a token. */
export async function admin<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await authorized(`/__admin${path}`, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json, application/problem+json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** An admin image as a blob URL: an <img src> could not carry the token. */
export async function adminImageUrl(href: string): Promise<string> {
  const response = await authorized(href, {});
  if (!response.ok) throw await problemOf(response);
  return URL.createObjectURL(await response.blob());
}

/** A partner's access token by its client credentials (HTTP Basic), as the partner's own backend asks for one. */
export async function requestPartnerToken(credentials: {
  clientId: string;
  clientSecret: string;
}): Promise<{ access_token: string; expires_in: number }> {
  const response = await fetch('/v1/oauth/token', {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${credentials.clientId}:${credentials.clientSecret}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as { access_token: string; expires_in: number };
}

export async function problemOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { detail?: string; title?: string; code?: string };
    const message = [problem.title, problem.detail].filter(Boolean).join(': ');
    return new ApiError(response.status, message || `HTTP ${response.status}`, problem.code);
  } catch {
    return new ApiError(response.status, text.slice(0, 300) || `HTTP ${response.status}`);
  }
}

export function query(params: Record<string, string | number | boolean | undefined>): string {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
}

/** `GET /__admin/submissions/{id}/timeline`: everything that happened to one submission, oldest first. */
export type TimelineEvent = Schemas['TimelineEvent'];
