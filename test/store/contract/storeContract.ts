import { describe } from 'vitest';
import type { SandboxStore, StoreOptions } from '../../../src/store/SandboxStore.ts';
import { changeContract } from './changes.ts';
import { clockContract } from './clocks.ts';
import { confirmContract } from './confirm.ts';
import { deliveryContract } from './deliveries.ts';
import { failureContract } from './failures.ts';
import { finishContract } from './finish.ts';
import { useStores } from './harness.ts';
import { idempotencyContract } from './idempotency.ts';
import { imageContract } from './images.ts';
import { instanceContract } from './instances.ts';
import { journalContract } from './journal.ts';
import { resetContract } from './reset.ts';
import { scenarioContract } from './scenarios.ts';
import { secretContract } from './secrets.ts';
import { submissionContract } from './submissions.ts';
import { workContract } from './work.ts';

export interface OpenedStorage {
  store: SandboxStore;
  /** Another store on the SAME storage: a restart (after closing the first) or, where shared, a second instance. */
  reopen(options?: StoreOptions): Promise<SandboxStore>;
  /** Removes the storage; every store on it is closed by then. */
  cleanup(): Promise<void>;
  /** False for memory: nothing survives a close, so the restart tests are skipped. */
  persistent: boolean;
  /** True when several stores may be open on the storage at once (PostgreSQL). */
  sharedAcrossInstances: boolean;
  /**
   * Makes the storage unreachable or unwritable until the returned function undoes it, for the
   * StorageError promise; absent where the storage cannot fail (memory), and that test is skipped.
   */
  cutOff?(): Promise<() => Promise<void>>;
}

export interface StoreContractVariant {
  name: string;
  /** Null when the adapter cannot run here (say why, e.g. no PostgreSQL): the suite is skipped with that message. */
  unavailable?: () => Promise<string | null>;
  /** Opens a store on fresh storage (see OpenedStorage). */
  create(options: StoreOptions): Promise<OpenedStorage>;
}

/**
 * The one suite every SandboxStore adapter passes, written from the port's doc comments: each
 * promise there has a test here, the one-step promises a concurrent one that fails on an adapter
 * that reads, decides, then writes; what the port leaves open is left open.
 */
export function describeStoreContract(variant: StoreContractVariant): void {
  describe(`SandboxStore contract: ${variant.name}`, { timeout: 30_000 }, () => {
    const stores = useStores(variant);
    submissionContract(stores);
    imageContract(stores);
    confirmContract(stores);
    finishContract(stores);
    deliveryContract(stores);
    idempotencyContract(stores);
    clockContract(stores);
    scenarioContract(stores);
    journalContract(stores);
    secretContract(stores);
    resetContract(stores);
    workContract(stores);
    changeContract(stores);
    instanceContract(stores);
    failureContract(stores);
  });
}
