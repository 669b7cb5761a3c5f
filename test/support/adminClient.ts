/** The admin API (/__admin) as a test script drives it, over real HTTP, every call bounded. */
export function adminClient(baseUrl: string, token?: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}/__admin${path}`, {
      method,
      headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the admin document allows
    return { response, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };
  return {
    call,
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
