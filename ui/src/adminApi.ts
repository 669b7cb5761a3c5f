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

let adminToken = sessionStorage.getItem(TOKEN_KEY) ?? '';
const tokenListeners = new Set<(required: boolean) => void>();

/** The page asks for the admin token when the server says one is required (401). */
export function onAdminTokenRequired(listener: (required: boolean) => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

/** Kept for this tab only: a closed tab forgets it. */
export function setAdminToken(token: string): void {
  adminToken = token.trim();
  if (adminToken) sessionStorage.setItem(TOKEN_KEY, adminToken);
  else sessionStorage.removeItem(TOKEN_KEY);
  for (const listener of tokenListeners) listener(false);
}

export function authHeaders(): Record<string, string> {
  return adminToken ? { authorization: `Bearer ${adminToken}` } : {};
}

/** One admin API call, bounded; a 401 asks the page for the token. */
export async function admin<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`/__admin${path}`, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json, application/problem+json',
      ...authHeaders(),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status === 401) for (const listener of tokenListeners) listener(true);
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** An admin image as a blob URL: an <img src> could not carry the admin token. */
export async function adminImageUrl(href: string): Promise<string> {
  const response = await fetch(href, { headers: authHeaders(), signal: AbortSignal.timeout(15_000) });
  if (response.status === 401) for (const listener of tokenListeners) listener(true);
  if (!response.ok) throw await problemOf(response);
  return URL.createObjectURL(await response.blob());
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
