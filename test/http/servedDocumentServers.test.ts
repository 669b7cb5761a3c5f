import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
/** The port really listened on: `server.url` is the public URL here. */
let port: number;
beforeAll(async () => {
  server = await startTestServer({ publicUrl: 'https://sandbox.example.com' });
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await server?.stop();
});

/** GET a document with a Host header of the test's choosing (fetch does not let one set Host). */
function getDocument(path: string, host: string): Promise<{ servers: Array<{ url: string }>; vary: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode} ${body}`));
        resolve({
          ...(JSON.parse(body) as { servers: Array<{ url: string }> }),
          vary: String(res.headers.vary),
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('the served OpenAPI documents name the origin they were requested at', () => {
  it('/openapi.json asked for at localhost:PORT names http://localhost:PORT first, then the public URL', async () => {
    const doc = await getDocument('/openapi.json', `localhost:${port}`);
    expect(doc.servers.map((s) => s.url)).toEqual([
      `http://localhost:${port}`,
      'https://sandbox.example.com',
    ]);
    expect(doc.vary).toMatch(/host/i);
  });

  it('/openapi.json asked for at 127.0.0.1:PORT names that origin', async () => {
    const doc = await getDocument('/openapi.json', `127.0.0.1:${port}`);
    expect(doc.servers[0]?.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('under the public URL’s own name (a TLS proxy keeping Host) names the public URL once, with its scheme', async () => {
    const doc = await getDocument('/openapi.json', 'sandbox.example.com');
    expect(doc.servers.map((s) => s.url)).toEqual(['https://sandbox.example.com']);
  });

  it('a Host that is no host name is left out: the public URL alone', async () => {
    const doc = await getDocument('/openapi.json', 'evil.example/"><script>');
    expect(doc.servers.map((s) => s.url)).toEqual(['https://sandbox.example.com']);
  });

  it('the admin document, which /docs also loads, names the request origin too', async () => {
    const doc = await getDocument('/__admin/openapi.json', `localhost:${port}`);
    expect(doc.servers[0]?.url).toBe(`http://localhost:${port}`);
  });
});
