import type { BenchPartner } from './benchConfig.ts';

/** One client-credentials request, as a partner backend makes it (HTTP Basic, form body). */
export async function requestToken(
  baseUrl: string,
  partner: BenchPartner,
  signal: AbortSignal,
): Promise<{ token: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${partner.clientId}:${partner.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
    signal,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`token: HTTP ${response.status} ${text.slice(0, 200)}`);
  return { token: (JSON.parse(text) as { access_token: string }).access_token, ms };
}
