import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/configSchema.ts';

/** One way of keeping the sandbox's state, as a test server is configured for it. */
export interface StoreVariant {
  name: string;
  /** Config for a server on this store; `cleanup` removes what it made. */
  open(): Promise<{ overrides: Partial<Config>; cleanup(): Promise<void> }>;
}

const memory: StoreVariant = {
  name: 'memory',
  open: async () => ({ overrides: {}, cleanup: async () => {} }),
};

const directory: StoreVariant = {
  name: 'directory',
  async open() {
    const dataDir = mkdtempSync(join(tmpdir(), 'facematch-store-'));
    return { overrides: { dataDir }, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  },
};

/** Every store a server can run on. */
export const STORE_VARIANTS: StoreVariant[] = [memory, directory];
