import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, read the way a scraper does: one sample per non-comment line. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  server = await startTestServer();
  // The first callback attempt is turned away, so the retry is visible too.
  receiver = await startReceiver((n) => (n === 0 ? 503 : 200));
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

async function scrape(): Promise<{ contentType: string | null; samples: Sample[] }> {
  const response = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5000) });
  expect(response.status).toBe(200);
  return {
    contentType: response.headers.get('content-type'),
    samples: parseExposition(await response.text()),
  };
}

describe('GET /metrics after a whole flow', () => {
  it('counts requests by route template, the finished flow, callback attempts and the scoring time', async () => {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({
      callbackUrl: receiver.url,
      selfieContentType: 'image/png',
    });
    const id = created.body.correlationId;
    await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));
    await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
    await client.confirm(id);
    await client.pollUntilFinished(id);
    await receiver.waitForRequests(2);
    await server.composed.idle();
    await client.status('no-such-submission');

    const { contentType, samples } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);

    const requests = 'facematch_http_requests_total';
    expect(sampleSum(samples, requests, { method: 'POST', route: '/v1/oauth/token', status: '200' })).toBe(1);
    expect(
      sampleSum(samples, requests, {
        method: 'PUT',
        route: '/bucket/uploads/{correlationId}/{imageType}',
        status: '200',
      }),
    ).toBe(2);
    expect(
      sampleSum(samples, requests, {
        method: 'GET',
        route: '/v1/submissions/{correlationId}/status',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleSum(samples, requests, {
        method: 'GET',
        route: '/v1/submissions/{correlationId}/status',
        status: '404',
      }),
    ).toBe(1);
    // Route templates only: no series carries a correlation id.
    expect(samples.filter((s) => s.name === requests && JSON.stringify(s.labels).includes(id))).toEqual([]);

    expect(
      sampleSum(samples, 'facematch_flows_finished_total', { status: 'COMPLETED', outcome: 'Success' }),
    ).toBe(1);
    expect(sampleSum(samples, 'facematch_callback_attempts_total', { result: 'rejected' })).toBe(1);
    expect(sampleSum(samples, 'facematch_callback_attempts_total', { result: 'delivered' })).toBe(1);
    expect(
      sampleSum(samples, 'facematch_scoring_duration_seconds_count', { engine: 'fixture', result: 'ok' }),
    ).toBe(1);
    expect(
      sampleSum(samples, 'facematch_scoring_duration_seconds_bucket', { engine: 'fixture', le: '+Inf' }),
    ).toBe(1);
    // No worker pool behind the fixture engine: no inference-worker series at all, rather than a 0 to alert on.
    expect(samples.filter((s) => s.name.startsWith('facematch_inference_'))).toEqual([]);
  });

  it('keeps one registry per server: a second server in the same process starts from zero', async () => {
    const other = await startTestServer();
    try {
      const response = await fetch(`${other.url}/metrics`, { signal: AbortSignal.timeout(5000) });
      const samples = parseExposition(await response.text());
      expect(sampleSum(samples, 'facematch_flows_finished_total')).toBe(0);
      expect(sampleSum(samples, 'facematch_http_requests_total', { route: '/v1/oauth/token' })).toBe(0);
    } finally {
      await other.stop();
    }
  });
});
