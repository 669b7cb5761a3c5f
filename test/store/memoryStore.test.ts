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
