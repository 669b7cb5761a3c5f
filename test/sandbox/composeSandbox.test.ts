import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createCallbackPolicy } from '../../src/callbacks/callbackPolicy.ts';
import { loadConfig } from '../../src/config/loadConfig.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

interface Service {
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}

/**
 * compose.yaml's sandbox profile, as `docker compose --profile sandbox up` would start it: every
 * instance over one database and one public URL (the gateway's), two api instances behind it, a
 * worker, and each instance's settings accepted by the config loader they will meet at start-up.
 */
describe("compose.yaml's shared sandbox", () => {
  const compose = parseYaml(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
  const sandbox = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('sandbox'));
  const instances = sandbox.filter(([, s]) => s.command?.[0] === 'serve');

  it('runs two api instances and a worker over one database, one operator token and one public URL', () => {
    const roles = instances.map(([, s]) => s.command?.[s.command.indexOf('--role') + 1]).sort();
    expect(roles).toEqual(['api', 'api', 'worker']);
    for (const name of ['FACEMATCH_DATABASE_URL', 'FACEMATCH_ADMIN_TOKEN', 'FACEMATCH_PUBLIC_URL']) {
      expect(new Set(instances.map(([, s]) => s.environment?.[name])).size, name).toBe(1);
    }
    const gateway = compose.services['sandbox-gateway'];
    const published = gateway?.ports?.[0]?.split(':').at(-1);
    expect(instances[0]?.[1].environment?.FACEMATCH_PUBLIC_URL).toBe(`http://localhost:${published}`);
  });

  it('sends the gateway to exactly the api instances', () => {
    const upstreams = [...read('examples/sandbox/nginx.conf').matchAll(/server (\S+):8080/g)].map(
      (m) => m[1],
    );
    const apis = instances.filter(([, s]) => s.command?.includes('api')).map(([name]) => name);
    expect(upstreams.sort()).toEqual(apis.sort());
  });

  it("gives every instance settings the server accepts, and the operator token only from the operator's shell", () => {
    for (const [name, service] of instances) {
      const env = { ...(service.environment ?? {}) };
      expect(env.FACEMATCH_ADMIN_TOKEN, name).toMatch(/^\$\{FACEMATCH_ADMIN_TOKEN:\?/);
      env.FACEMATCH_ADMIN_TOKEN = 'a-token-of-sixteen-or-more';
      // The config file is mounted from the repository; here it is read from there.
      env.FACEMATCH_CONFIG = `${ROOT}examples/partner-app/facematch.yaml`;
      const args = service.command ?? [];
      const config = loadConfig({
        env,
        flags: { role: args[args.indexOf('--role') + 1] as 'api' | 'worker', host: '0.0.0.0' },
      });
      expect(config.store.databaseUrl, name).toMatch(/^postgres:\/\/.+@sandbox-db:5432\/facematch$/);
    }
  });
});

describe("compose.yaml's mock beside the example app", () => {
  it('lets the mock, listening on 0.0.0.0 in its container, call the app back on the compose network, and no other private host', () => {
    const config = loadConfig({
      env: { FACEMATCH_CONFIG: `${ROOT}examples/partner-app/facematch.yaml` },
      flags: { host: '0.0.0.0' },
    });
    const policy = createCallbackPolicy({
      mode: config.callbacks.policy,
      listenHost: config.host,
      listenPort: 8080,
      publicUrl: 'http://facematch:8080',
      allowHosts: config.callbacks.allowHosts,
      localAddresses: [],
    });
    const callbackUrl = new URL(config.partners[0]?.callbackUrl ?? '');
    expect(callbackUrl.hostname).toBe('partner-app');
    expect(policy.checkAddress(callbackUrl, '172.18.0.3')).toBeNull();
    expect(policy.checkAddress(new URL('http://other-service:4000/cb'), '172.18.0.4')).toMatch(/private/);
  });
});
