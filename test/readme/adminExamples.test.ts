import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCurlAndJq, readmeBlocks, runReadmeBlocks } from '../support/readmeWalkThrough.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(!hasCurlAndJq)('README admin example (needs curl and jq on PATH)', () => {
  it('prints the near miss the README shows, after a request with a wrong Content-Type', async () => {
    const refused = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'text/plain' },
      body: 'hello',
      signal: AbortSignal.timeout(5000),
    });
    expect(refused.status).toBe(415);

    const bash = readmeBlocks('Admin API');
    const json = readmeBlocks('Admin API', 'json');
    expect(bash).toHaveLength(1);
    expect(bash[0]).toContain('--max-time');
    const stdout = await runReadmeBlocks(bash, server.url, tmpdir());
    expect(
      stdout
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('--- block'))
        .map((line) => JSON.parse(line)),
    ).toEqual(
      (json[0] ?? '')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    );
  });
});
