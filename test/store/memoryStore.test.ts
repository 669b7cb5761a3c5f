// Until the memory adapter lands on this branch (src/store/memory/ is being written elsewhere), tsc would
// refuse the import; once it does, nothing is ignored here and these four comment lines can go.
// biome-ignore lint/suspicious/noTsIgnore: @ts-expect-error would turn into an error the day the adapter lands
// @ts-ignore
import { createMemoryStore } from '../../src/store/memory/createMemoryStore.ts';
import { describeStoreContract } from './contract/storeContract.ts';

describeStoreContract({
  name: 'memory',
  async create(options) {
    return {
      store: await createMemoryStore(options),
      reopen: async () => {
        throw new Error('a memory store keeps nothing to reopen');
      },
      cleanup: async () => {},
      persistent: false,
      sharedAcrossInstances: false,
    };
  },
});
