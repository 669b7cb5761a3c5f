import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createTestDatabase, postgresUnavailable } from './postgres.ts';
import type { TestConfigOverrides } from './testServer.ts';

/** The operator token of test servers on PostgreSQL, where the admin API always needs one. */
export const TEST_ADMIN_TOKEN = 'test-operator-token-0123456789abcdef';

/** One way of keeping the sandbox's state, as a test server is configured for it. */
export interface StoreVariant {
  name: 'memory' | 'directory' | 'postgres';
  /** Config for a server on this store; `cleanup` removes what it made. */
  open(): Promise<{
    overrides: TestConfigOverrides;
    /** The same, as `facematch-mock serve` flags. */
    args: string[];
    adminToken: string | undefined;
    cleanup(): Promise<void>;
  }>;
}

const memory: StoreVariant = {
  name: 'memory',
  open: async () => ({ overrides: {}, args: [], adminToken: undefined, cleanup: async () => {} }),
};

const directory: StoreVariant = {
  name: 'directory',
  async open() {
    const dataDir = mkdtempSync(join(tmpdir(), 'facematch-store-'));
    return {
      overrides: { dataDir },
      args: ['--data-dir', dataDir],
      adminToken: undefined,
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

const postgres: StoreVariant = {
  name: 'postgres',
  async open() {
    const database = await createTestDatabase('server');
    return {
      overrides: {
        store: { databaseUrl: database.url, poolSize: 5, takeoverSeconds: 10, pollIntervalMs: 50 },
        admin: { token: TEST_ADMIN_TOKEN, journalSize: 5000 },
      },
      args: ['--database-url', database.url, '--admin-token', TEST_ADMIN_TOKEN],
      adminToken: TEST_ADMIN_TOKEN,
      cleanup: () => database.drop(),
    };
  },
};

/**
 * Every store a server can run on here. PostgreSQL is left out, with a skipped suite saying why,
 * only where none answers (and CI, which sets FACEMATCH_REQUIRE_POSTGRES, fails instead).
 */
export async function storeVariants(): Promise<StoreVariant[]> {
  const unavailable = await postgresUnavailable();
  if (unavailable === null) return [memory, directory, postgres];
  describe.skip(`postgres store: ${unavailable}`, () => {});
  return [memory, directory];
}
