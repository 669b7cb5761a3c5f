import { type ComposedServer, composeServices } from '../../src/app/composeServices.ts';
import type { ResolveHost } from '../../src/callbacks/checkCallbackTarget.ts';
import type { Config } from '../../src/config/configSchema.ts';
import { createApp } from '../../src/http/createApp.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import type { ScoringEngine } from '../../src/scoring/ScoringEngine.ts';
import { testConfig } from './testServer.ts';

/** A settable clock, so expiry can be tested without waiting. */
export function testClock(start = new Date('2026-03-01T10:00:00Z')) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(seconds: number) {
      current += seconds * 1000;
    },
  };
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  composed: ComposedServer;
  log: string[];
}

/** The app supertest drives: the same createApp the server mounts, never listening. */
export async function createTestApp(
  options: {
    config?: Partial<Config>;
    engine?: ScoringEngine;
    now?: () => Date;
    resolveHost?: ResolveHost;
  } = {},
): Promise<TestApp> {
  const log: string[] = [];
  const config = testConfig({ publicUrl: 'http://127.0.0.1:8080', ...options.config });
  const composed = await composeServices(
    config,
    options.engine ?? createFixtureEngine(),
    { info: (m) => log.push(m), warn: (m) => log.push(m), error: (m, e) => log.push(`${m}: ${String(e)}`) },
    options.now,
    options.resolveHost,
  );
  await composed.startWork();
  return { app: createApp(composed.services), composed, log };
}
