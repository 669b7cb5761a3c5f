import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Until the directory adapter lands on this branch (src/store/directory/ is being written elsewhere), tsc would
// refuse the import; once it does, nothing is ignored here and these four comment lines can go.
// biome-ignore lint/suspicious/noTsIgnore: @ts-expect-error would turn into an error the day the adapter lands
// @ts-ignore
import { createDirectoryStore } from '../../src/store/directory/createDirectoryStore.ts';
import { describeStoreContract } from './contract/storeContract.ts';

describeStoreContract({
  name: 'directory',
  async create(options) {
    const dir = mkdtempSync(join(tmpdir(), 'facematch-store-contract-'));
    return {
      store: await createDirectoryStore(dir, options),
      // One process per data dir: the suite closes the first store before it reopens.
      reopen: async (again = options) => createDirectoryStore(dir, again),
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
