import type { components, paths } from '../../src/admin/generated/admin.ts';

type Schemas = components['schemas'];
export type JournalQuery = NonNullable<paths['/__admin/journal']['get']['parameters']['query']>;

/** The admin API (/__admin) as an operator's script or a test drives it, over real HTTP, every call bounded. */
export function adminClient(baseUrl: string, token?: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  /** The answer as sent: status, headers and the body's exact text (for byte-for-byte comparisons). */
  const raw = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}/__admin${path}`, {
      method,
      headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { response, text: await response.text() };
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const { response, text } = await raw(method, path, body);
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the admin document allows
    return { response, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };
  const get = (path: string) =>
    fetch(`${baseUrl}${path}`, { headers: headers(), signal: AbortSignal.timeout(5000) });
  return {
    raw,
    call,
    get,
    /** Whom the server answers this client for (GET /__admin/whoami). */
    whoami: async () => (await call('GET', '/whoami')).body as Schemas['AdminCaller'],
    async journal(query: JournalQuery = {}) {
      const search = new URLSearchParams(
        Object.entries(query).map(([name, value]) => [name, String(value)] as [string, string]),
      );
      const response = await get(`/__admin/journal?${search}`);
      if (response.status !== 200) throw new Error(`journal: ${response.status} ${await response.text()}`);
      return (await response.json()) as Schemas['JournalPage'];
    },
    async clearJournal(partner?: string) {
      const response = await fetch(
        `${baseUrl}/__admin/journal${partner ? `?partner=${encodeURIComponent(partner)}` : ''}`,
        { method: 'DELETE', headers: headers(), signal: AbortSignal.timeout(5000) },
      );
      return { response, body: (await response.json()) as Schemas['JournalCleared'] };
    },
    advanceClock: (clientId: string, seconds: number) =>
      call('POST', `/partners/${clientId}/clock`, { advanceSeconds: seconds }),
    freezeClock: (clientId: string) => call('POST', `/partners/${clientId}/clock`, { freeze: true }),
    resetClock: (clientId: string) => call('DELETE', `/partners/${clientId}/clock`),
    queueScenario: (clientId: string, scenario: string, count = 1) =>
      call('POST', `/partners/${clientId}/scenario-queue`, { scenario, count }),
    advanceSubmission: (correlationId: string) => call('POST', `/submissions/${correlationId}/advance`),
    submission: (correlationId: string) => call('GET', `/submissions/${correlationId}`),
  };
}
