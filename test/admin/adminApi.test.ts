import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { adminExposureWarning } from '../../src/app/adminExposureWarning.ts';
import { ConfigError } from '../../src/config/ConfigError.ts';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { adminClient } from '../support/adminClient.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

describe('the admin API, open (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      partners: [
        {
          clientId: 'acme',
          name: 'Acme Bank',
          clientSecret: 'acme-client-secret-42',
          webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
          callbackUrl: 'https://acme.example/hooks/facematch',
          thresholds: { success: 85, review: 72 },
          tokenTtlSeconds: 600,
        },
        {
          clientId: 'tiny',
          clientSecret: 'short-s1',
          webhookSecret: 'whsec_ZGVtbzItd2ViaG9vay1zZWNyZXQtOTg3NjU0MzIx',
          thresholds: { success: 80, review: 70 },
          tokenTtlSeconds: 3600,
        },
      ],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists partners with thresholds and settings, and never a usable secret', async () => {
    const response = await adminClient(server.url).get('/__admin/partners');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('acme-client-secret-42');
    expect(text).not.toContain('ZGVtby13ZWJob29r');
    expect(JSON.parse(text)).toEqual({
      partners: [
        {
          clientId: 'acme',
          name: 'Acme Bank',
          clientSecret: 'acme****',
          webhookSecret: 'whsec_****',
          callbackUrl: 'https://acme.example/hooks/facematch',
          thresholds: { success: 85, review: 72 },
          tokenTtlSeconds: 600,
        },
        {
          clientId: 'tiny',
          name: null,
          // Too short to give any of it away.
          clientSecret: '****',
          webhookSecret: 'whsec_****',
          callbackUrl: null,
          thresholds: { success: 80, review: 70 },
          tokenTtlSeconds: 3600,
        },
      ],
    });
  });

  it('shows one partner, and answers an unknown client id with a 404 problem', async () => {
    const admin = adminClient(server.url);
    const one = await admin.get('/__admin/partners/acme');
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ clientId: 'acme', thresholds: { success: 85, review: 72 } });

    const unknown = await admin.get('/__admin/partners/nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await unknown.json()).toMatchObject({ code: 'partner-not-found', status: 404 });
  });

  it('serves its own OpenAPI document, and unknown admin paths and methods are problems', async () => {
    const admin = adminClient(server.url);
    const document = await admin.get('/__admin/openapi.json');
    expect(document.status).toBe(200);
    const yamlPath = fileURLToPath(new URL('../../openapi/admin.yaml', import.meta.url));
    // The file as written, but for its servers: those name the origin the document was asked at.
    const { servers, ...served } = (await document.json()) as { servers: Array<{ url: string }> };
    const { servers: _written, ...file } = parseYaml(readFileSync(yamlPath, 'utf8')) as { servers: unknown };
    expect(served).toEqual(file);
    expect(servers.map((s) => s.url)).toEqual([server.url]);

    const missing = await admin.get('/__admin/nothing-here');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      code: 'not-found',
      detail: expect.stringContaining('/__admin/openapi.json'),
    });

    const wrongMethod = await fetch(`${server.url}/__admin/partners`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(5000),
    });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ code: 'method-not-allowed' });
  });

  it('checks admin responses against openapi/admin.yaml: a journal entry missing a member is a violation', () => {
    const contract = server.composed.services.admin.contract;
    const match = contract.match({ method: 'GET', path: '/__admin/journal', query: {}, headers: {} });
    if (match.kind !== 'matched') throw new Error(`no admin operation for /__admin/journal: ${match.kind}`);
    const entry = {
      id: 'req_1',
      at: '2026-03-01T10:00:00.000Z',
      businessAt: null,
      method: 'GET',
      path: '/healthz',
      area: 'api',
      status: 200,
      durationMs: 1,
      partnerId: null,
      correlationId: null,
      nearMiss: null,
    };
    const response = (entries: unknown[]) => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: { capacity: 10, size: 1, entries },
    });
    expect(contract.checkResponse(match.operation, response([entry]))).toEqual([]);
    const { nearMiss: _dropped, ...broken } = entry;
    expect(contract.checkResponse(match.operation, response([broken])).join('\n')).toMatch(/nearMiss/);
  });
});

describe('the admin API with an admin token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ admin: { token: ADMIN_TOKEN, journalSize: 3 } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses /__admin and /metrics without the token, or with another, with a Bearer challenge', async () => {
    for (const path of ['/__admin/journal', '/__admin/partners', '/metrics']) {
      for (const token of [undefined, 'not-the-admin-token-at-all']) {
        const response = await adminClient(server.url, token).get(path);
        expect(response.status, `${path} with ${token ?? 'no token'}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="facematch-mock admin"/);
        expect(await response.json()).toMatchObject({ code: 'admin-token-required' });
      }
    }
  });

  it('answers with the token; the partner API does not ask for it', async () => {
    const admin = adminClient(server.url, ADMIN_TOKEN);
    expect((await admin.get('/__admin/partners')).status).toBe(200);
    expect((await admin.get('/metrics')).status).toBe(200);
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(health.status).toBe(200);
  });

  it('keeps at most admin.journalSize entries, dropping the oldest', async () => {
    for (let i = 0; i < 5; i++) {
      await fetch(`${server.url}/healthz?i=${i}`, { signal: AbortSignal.timeout(5000) });
    }
    const page = await adminClient(server.url, ADMIN_TOKEN).journal();
    expect(page).toMatchObject({ capacity: 3, size: 3 });
    expect(page.entries.map((e) => e.path)).toEqual(['/healthz?i=4', '/healthz?i=3', '/healthz?i=2']);
  });
});

describe('admin token settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'admin-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('come from the file, FACEMATCH_ADMIN_TOKEN or --admin-token, flags winning, journalSize kept', () => {
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      `partners:\n  - clientId: acme\n    clientSecret: acme-secret-1\n    webhookSecret: whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5\nadmin:\n  token: from-the-file-0123456789\n  journalSize: 50\n`,
    );
    expect(loadConfig({ env: { FACEMATCH_CONFIG: file } }).admin).toEqual({
      token: 'from-the-file-0123456789',
      journalSize: 50,
      allowedHosts: [],
    });
    expect(
      loadConfig({ env: { FACEMATCH_CONFIG: file, FACEMATCH_ADMIN_TOKEN: 'from-the-env-0123456789' } }).admin,
    ).toEqual({ token: 'from-the-env-0123456789', journalSize: 50, allowedHosts: [] });
    expect(
      loadConfig({
        env: { FACEMATCH_CONFIG: file, FACEMATCH_ADMIN_TOKEN: 'from-the-env-0123456789' },
        flags: { adminToken: 'from-the-flag-0123456789' },
      }).admin.token,
    ).toBe('from-the-flag-0123456789');
    expect(loadConfig({ env: {} }).admin).toEqual({ journalSize: 5000, allowedHosts: [] });
  });

  it('allowed hosts come from the file, FACEMATCH_ADMIN_ALLOWED_HOSTS or --admin-allowed-hosts, flags winning', () => {
    const file = join(dir, 'hosts.yaml');
    writeFileSync(
      file,
      `partners:\n  - clientId: acme\n    clientSecret: acme-secret-1\n    webhookSecret: whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5\nadmin:\n  allowedHosts: [sandbox.lan]\n  journalSize: 50\n`,
    );
    expect(loadConfig({ env: { FACEMATCH_CONFIG: file } }).admin).toEqual({
      allowedHosts: ['sandbox.lan'],
      journalSize: 50,
    });
    const env = { FACEMATCH_CONFIG: file, FACEMATCH_ADMIN_ALLOWED_HOSTS: 'mock.ci, .dev.example' };
    expect(loadConfig({ env }).admin).toEqual({ allowedHosts: ['mock.ci', '.dev.example'], journalSize: 50 });
    expect(loadConfig({ env, flags: { adminAllowedHosts: ['*'] } }).admin.allowedHosts).toEqual(['*']);
  });

  it.each(['http://sandbox.lan', 'sandbox.lan:8080', 'sandbox.lan/ui', 'user@sandbox.lan'])(
    'refuse %s as an allowed host, naming the field and the form it takes',
    (name) => {
      expect(() => loadConfig({ env: {}, flags: { adminAllowedHosts: [name] } })).toThrow(
        /admin\.allowedHosts\.0: must be a host name/,
      );
    },
  );

  it('refuse a short token, saying how to make a good one', () => {
    expect(() => loadConfig({ env: {}, flags: { adminToken: 'secret' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, flags: { adminToken: 'secret' } })).toThrow(
      /admin\.token.*openssl rand/,
    );
  });

  it('the banner warns when the open admin API listens beyond loopback', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2'])
      expect(adminExposureWarning(host, undefined)).toBeNull();
    expect(adminExposureWarning('0.0.0.0', undefined)).toMatch(/--admin-token/);
    expect(adminExposureWarning('::', undefined)).toMatch(/open to anyone/);
    expect(adminExposureWarning('0.0.0.0', ADMIN_TOKEN)).toBeNull();
  });
});
