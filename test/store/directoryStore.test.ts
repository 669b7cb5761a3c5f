import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectoryStore } from '../../src/store/directory/createDirectoryStore.ts';
import { describeStoreContract } from './contract/storeContract.ts';

describeStoreContract({
  name: 'directory',
  async create(options) {
    const dir = mkdtempSync(join(tmpdir(), 'facematch-store-contract-'));
    return {
      store: await createDirectoryStore(dir, { ...options, warn: () => {} }),
      // One process per data dir: the suite closes the first store before it reopens.
      reopen: async (again = options) => createDirectoryStore(dir, { ...again, warn: () => {} }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      persistent: true,
      sharedAcrossInstances: false,
      // The data dir moved away and a file in its place: every write under it fails.
      async cutOff() {
        const away = `${dir}.away`;
        renameSync(dir, away);
        writeFileSync(dir, 'not a directory');
        return async () => {
          rmSync(dir, { force: true });
          renameSync(away, dir);
        };
      },
    };
  },
});
