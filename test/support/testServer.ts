import { Writable } from 'node:stream';
import type { z } from 'zod';
import { type RunningServer, startServer } from '../../src/app/startServer.ts';
import type { ResolveHost } from '../../src/callbacks/checkCallbackTarget.ts';
import { type Config, configSchema } from '../../src/config/configSchema.ts';
import { loadConfig } from '../../src/config/loadConfig.ts';
import type { ScoringEngine } from '../../src/scoring/ScoringEngine.ts';
import { fetchToken } from './fetchToken.ts';

export const DEMO = {
  clientId: 'demo',
  clientSecret: 'demo-secret',
  webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
};
export const DEMO_2 = { clientId: 'demo-2', clientSecret: 'demo-2-secret' };

/**
 * The demo configuration with test-friendly timings: short processing delay,
 * millisecond callback retries, and responses checked against the OpenAPI
 * document (a response that breaks it becomes a 500 the test cannot miss).
 */
/** Config sections as a config file may give them: a field left out takes its default. */
export type TestConfigOverrides = Partial<z.input<typeof configSchema>>;

export function testConfig(overrides: TestConfigOverrides = {}): Config {
  const demo = loadConfig({ env: {}, flags: { engine: 'fixture', port: 0, host: '127.0.0.1' } });
  return configSchema.parse({
    ...demo,
    validateResponses: 'enforce',
    processing: { delayMs: 30, concurrency: 2, retryAfterSeconds: 1 },
    callbacks: { retryScheduleMs: [20, 40, 80], timeoutMs: 2000 },
    ...overrides,
  });
}

export interface TestServer extends RunningServer {
  log: string[];
  token(partner?: { clientId: string; clientSecret: string }): Promise<string>;
}

/** A real listening server on 127.0.0.1, as `facematch-mock serve` starts it. */
export async function startTestServer(
  overrides: TestConfigOverrides = {},
  /**
   * `engine`: one the test built (and can reach into), instead of the one the config chooses;
   * `resolveHost`: how callback host names resolve (no external DNS in tests).
   */
  options: { engine?: ScoringEngine; resolveHost?: ResolveHost } = {},
): Promise<TestServer> {
  const log: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      log.push(String(chunk));
      done();
    },
  });
  const running = await startServer(
    testConfig(overrides),
    { stdout: sink, stderr: sink },
    { handleSignals: false, ...options },
  );
  return {
    ...running,
    log,
    async token(partner = DEMO) {
      try {
        return await fetchToken(running.url, partner);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${log.join('')}`);
      }
    },
  };
}
