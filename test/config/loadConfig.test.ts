import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/ConfigError.ts';
import { loadConfig } from '../../src/config/loadConfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const partner = `partners:
  - clientId: acme
    clientSecret: acme-secret-1
    webhookSecret: whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5
    thresholds: { success: 85, review: 72 }
`;

describe('loadConfig', () => {
  it('gives the two demo partners and port 8080 with no file, env or flags', () => {
    const config = loadConfig({ env: {} });
    expect(config.port).toBe(8080);
    expect(config.partners.map((p) => p.clientId)).toEqual(['demo', 'demo-2']);
    expect(config.partners[0]?.thresholds).toEqual({ success: 80, review: 70 });
  });

  it('takes the file, then env, then flags, in that order of precedence', () => {
    const path = file('p.yaml', `${partner}port: 9000\nengine: onnx\n`);
    expect(loadConfig({ env: { FACEMATCH_CONFIG: path } })).toMatchObject({ port: 9000, engine: 'onnx' });
    expect(loadConfig({ env: { FACEMATCH_CONFIG: path, FACEMATCH_PORT: '9100' } }).port).toBe(9100);
    const both = loadConfig({
      env: { FACEMATCH_CONFIG: path, FACEMATCH_PORT: '9100' },
      flags: { port: 9200, engine: 'fixture' },
    });
    expect(both).toMatchObject({ port: 9200, engine: 'fixture' });
    expect(both.partners[0]?.thresholds).toEqual({ success: 85, review: 72 });
  });

  it('names the file and the field of every mistake', () => {
    const path = file(
      'bad.json',
      JSON.stringify({
        partners: [
          {
            clientId: 'x',
            clientSecret: 'short',
            webhookSecret: 'plain',
            thresholds: { success: 60, review: 75 },
          },
        ],
        colour: 'blue',
      }),
    );
    let message = '';
    try {
      loadConfig({ env: {}, flags: { configFile: path } });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain(path);
    expect(message).toMatch(/partners\.0\.clientSecret/);
    expect(message).toMatch(/partners\.0\.webhookSecret: .*whsec_/);
    expect(message).toMatch(/partners\.0\.thresholds: review must not be above success/);
    expect(message).toMatch(/colour/);
  });

  it('refuses unreadable, non-object and malformed files with a clear error', () => {
    expect(() => loadConfig({ env: {}, flags: { configFile: join(dir, 'missing.yaml') } })).toThrow(
      /Cannot read config file/,
    );
    expect(() => loadConfig({ env: {}, flags: { configFile: file('list.yaml', '- 1\n- 2\n') } })).toThrow(
      /must hold an object/,
    );
    expect(() =>
      loadConfig({ env: {}, flags: { configFile: file('broken.yaml', 'partners: [\n') } }),
    ).toThrow(/not valid JSON or YAML/);
    expect(() => loadConfig({ env: { FACEMATCH_PORT: 'eighty' } })).toThrow(
      /FACEMATCH_PORT must be a port number/,
    );
  });
});

describe('operational defaults', () => {
  it('drains for 10 s, keeps images a day and submissions a week, and allows browsers on the bucket only', () => {
    const config = loadConfig({ env: {} });
    expect(config.shutdown.drainSeconds).toBe(10);
    expect(config.retention).toMatchObject({ imageSeconds: 86_400, submissionSeconds: 604_800 });
    expect(config.cors).toEqual({ apiOrigins: [], bucketOrigins: ['*'] });
  });

  it('takes the drain time from FACEMATCH_DRAIN_SECONDS, and says how to fix a bad one', () => {
    expect(loadConfig({ env: { FACEMATCH_DRAIN_SECONDS: '25' } }).shutdown.drainSeconds).toBe(25);
    expect(() => loadConfig({ env: { FACEMATCH_DRAIN_SECONDS: 'soon' } })).toThrow(/number of seconds/);
  });

  it('refuses a CORS origin with a path, naming the field', () => {
    const path = file('cors.yaml', `${partner}cors: { apiOrigins: ["https://app.example.com/page"] }\n`);
    expect(() => loadConfig({ env: { FACEMATCH_CONFIG: path } })).toThrow(/cors\.apiOrigins\.0: must be \*/);
  });

  it('sizes the inference pool from onnx.workers: auto by default, then file, env, flag; bad values named', () => {
    expect(loadConfig({ env: {} }).onnx.workers).toBe('auto');
    expect(loadConfig({ env: {} }).processing.concurrency).toBe('auto');
    const path = file('workers.yaml', `${partner}onnx: { workers: 3, intraOpThreads: 1 }\n`);
    expect(loadConfig({ env: { FACEMATCH_CONFIG: path } }).onnx).toMatchObject({
      workers: 3,
      intraOpThreads: 1,
    });
    expect(loadConfig({ env: { FACEMATCH_CONFIG: path, FACEMATCH_ONNX_WORKERS: '2' } }).onnx.workers).toBe(2);
    const flagged = loadConfig({
      env: { FACEMATCH_CONFIG: path, FACEMATCH_ONNX_WORKERS: '2' },
      flags: { onnxWorkers: 'auto' },
    });
    expect(flagged.onnx).toMatchObject({ workers: 'auto', intraOpThreads: 1 });
    expect(() => loadConfig({ env: { FACEMATCH_ONNX_WORKERS: 'many' } })).toThrow(
      /FACEMATCH_ONNX_WORKERS must be auto .* or a number of workers/,
    );
    expect(() => loadConfig({ env: { FACEMATCH_ONNX_WORKERS: '0' } })).toThrow(/FACEMATCH_ONNX_WORKERS/);
    expect(() =>
      loadConfig({ env: { FACEMATCH_CONFIG: file('w0.yaml', `${partner}onnx: { workers: 0 }\n`) } }),
    ).toThrow(/onnx\.workers/);
    expect(() =>
      loadConfig({
        env: { FACEMATCH_CONFIG: file('old.yaml', `${partner}onnx: { offMainThread: true }\n`) },
      }),
    ).toThrow(/onnx\.offMainThread: was removed.*set onnx\.workers/);
  });
});

describe('the callback policy setting', () => {
  it('is auto by default, taken from the file, then FACEMATCH_CALLBACK_POLICY, then --callback-policy', () => {
    expect(loadConfig({ env: {} }).callbacks).toMatchObject({ policy: 'auto', allowHosts: [] });
    const path = file(
      'callbacks.yaml',
      `${partner}callbacks: { policy: public-only, allowHosts: [partner-app], timeoutMs: 3000 }\n`,
    );
    expect(loadConfig({ env: { FACEMATCH_CONFIG: path } }).callbacks).toMatchObject({
      policy: 'public-only',
      allowHosts: ['partner-app'],
      timeoutMs: 3000,
    });
    const fromEnv = loadConfig({
      env: { FACEMATCH_CONFIG: path, FACEMATCH_CALLBACK_POLICY: 'allow-private' },
    });
    // The env variable replaces the policy only: the file's other callback settings stay.
    expect(fromEnv.callbacks).toMatchObject({
      policy: 'allow-private',
      allowHosts: ['partner-app'],
      timeoutMs: 3000,
    });
    const flagged = loadConfig({
      env: { FACEMATCH_CONFIG: path, FACEMATCH_CALLBACK_POLICY: 'allow-private' },
      flags: { callbackPolicy: 'auto' },
    });
    expect(flagged.callbacks.policy).toBe('auto');
  });

  it('names the field of a policy it does not know, and of an allowHosts entry that is a URL', () => {
    expect(() => loadConfig({ env: { FACEMATCH_CALLBACK_POLICY: 'open' } })).toThrow(
      /callbacks\.policy: .*expected one of "auto"\|"public-only"\|"allow-private"/,
    );
    const path = file('hosts.yaml', `${partner}callbacks: { allowHosts: ['http://partner-app:4000'] }\n`);
    expect(() => loadConfig({ env: { FACEMATCH_CONFIG: path } })).toThrow(
      /callbacks\.allowHosts\.0: must be a host name or an IP address/,
    );
    const ok = file(
      'hosts-ok.yaml',
      `${partner}callbacks: { allowHosts: ['partner-app', '10.0.0.5', '[fd00::1]'] }\n`,
    );
    expect(loadConfig({ env: { FACEMATCH_CONFIG: ok } }).callbacks.allowHosts).toHaveLength(3);
  });
});

describe('the shared sandbox settings', () => {
  const url = 'postgres://facematch:secret@db.internal:5432/facematch';
  const token = 'operator-token-0123456789';

  it('takes the database URL, pool size and role from file, env and flags, flags winning', () => {
    const config = loadConfig({
      env: { FACEMATCH_DATABASE_URL: url, FACEMATCH_DATABASE_POOL_SIZE: '4', FACEMATCH_ADMIN_TOKEN: token },
      flags: { role: 'worker', databasePoolSize: 7 },
    });
    expect(config.store).toMatchObject({ databaseUrl: url, poolSize: 7, takeoverSeconds: 10 });
    expect(config.role).toBe('worker');
    expect(loadConfig({ env: {} }).store.databaseUrl).toBeUndefined();
    expect(loadConfig({ env: {} }).role).toBe('all');
  });

  it('refuses a role of its own without a database, saying the process would be the whole sandbox', () => {
    expect(() => loadConfig({ env: {}, flags: { role: 'api' } })).toThrow(
      /role: api needs the state shared with the other instances: give --database-url/,
    );
  });

  it('refuses a database without an operator token, and a database with --data-dir, naming the fix', () => {
    expect(() => loadConfig({ env: { FACEMATCH_DATABASE_URL: url } })).toThrow(
      /admin\.token: is required with a database URL.*--admin-token/s,
    );
    expect(() =>
      loadConfig({
        env: { FACEMATCH_DATABASE_URL: url, FACEMATCH_ADMIN_TOKEN: token },
        flags: { dataDir: '/tmp/x' },
      }),
    ).toThrow(/dataDir: cannot be used with a database URL/);
  });

  it('refuses what is not a PostgreSQL URL and a bad pool size, naming the source', () => {
    expect(() =>
      loadConfig({ env: { FACEMATCH_DATABASE_URL: 'mysql://x/y', FACEMATCH_ADMIN_TOKEN: token } }),
    ).toThrow(/store\.databaseUrl: must be a PostgreSQL connection URL/);
    expect(() => loadConfig({ env: { FACEMATCH_DATABASE_POOL_SIZE: 'ten' } })).toThrow(
      /FACEMATCH_DATABASE_POOL_SIZE must be a whole number/,
    );
  });
});
