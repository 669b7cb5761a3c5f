import { afterEach, beforeAll, beforeEach } from 'vitest';
import type { SandboxStore, StoreOptions } from '../../../src/store/SandboxStore.ts';
import type { StoreContractVariant } from './storeContract.ts';

/**
 * Wall time for a store under test: real time plus an offset a test moves forward. It keeps
 * ticking, so work due a few hundred ms ahead falls due by itself, while retention and claim
 * time-outs are reached by `advance` instead of waiting.
 */
export interface SettableClock {
  now(): Date;
  advance(ms: number): void;
}

export function settableClock(): SettableClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms) => {
      offsetMs += ms;
    },
  };
}

export interface OpenedStore {
  store: SandboxStore;
  clock: SettableClock;
  options: StoreOptions;
  persistent: boolean;
  sharedAcrossInstances: boolean;
  /** Another store on the same storage, with the same options (and clock) unless told otherwise. */
  reopen(options?: Partial<StoreOptions>): Promise<SandboxStore>;
  /** Closes one store of this storage now (a restart); the rest are closed after the test. */
  close(store: SandboxStore): Promise<void>;
  cutOff?: () => Promise<() => Promise<void>>;
}

export interface Stores {
  readonly variantName: string;
  /** A store on fresh storage; retention, journal capacity and the initial clock as the test needs. */
  open(options?: Partial<StoreOptions>): Promise<OpenedStore>;
}

export const DEFAULT_RETENTION = { imageSeconds: 3600, submissionSeconds: 7200 };

/**
 * Registers, in the calling describe, the skip when the variant cannot run here and the cleanup
 * after each test: every store a test opened is closed (bounded), then its storage removed.
 */
export function useStores(variant: StoreContractVariant): Stores {
  let unavailable: string | null = null;
  let opened: Array<{ stores: Set<SandboxStore>; cleanup: () => Promise<void> }> = [];

  beforeAll(async () => {
    unavailable = (await variant.unavailable?.()) ?? null;
  });
  beforeEach((context) => {
    if (unavailable !== null) context.skip(unavailable);
  });
  afterEach(async () => {
    const storages = opened;
    opened = [];
    const failures: unknown[] = [];
    for (const storage of storages) {
      for (const store of [...storage.stores].reverse()) {
        await within(store.close(), 10_000, `closing a ${store.kind} store`).catch((e) => failures.push(e));
      }
      await within(storage.cleanup(), 10_000, 'removing the storage').catch((e) => failures.push(e));
    }
    if (failures.length > 0) throw failures[0];
  });

  return {
    variantName: variant.name,
    async open(overrides = {}) {
      const clock = settableClock();
      const options: StoreOptions = {
        retention: DEFAULT_RETENTION,
        journalCapacity: 100,
        initialClock: 'real',
        now: clock.now,
        ...overrides,
      };
      const storage = await variant.create(options);
      const open = new Set<SandboxStore>([storage.store]);
      opened.push({ stores: open, cleanup: () => storage.cleanup() });
      return {
        store: storage.store,
        clock,
        options,
        persistent: storage.persistent,
        sharedAcrossInstances: storage.sharedAcrossInstances,
        async reopen(more = {}) {
          const store = await storage.reopen({ ...options, ...more });
          open.add(store);
          return store;
        },
        async close(store) {
          open.delete(store);
          await within(store.close(), 10_000, `closing a ${store.kind} store`);
        },
        ...(storage.cutOff ? { cutOff: storage.cutOff.bind(storage) } : {}),
      };
    },
  };
}

/** `promise`, or a rejection naming `what` once `ms` have passed: no test waits unbounded. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` until it holds; throws naming `what` after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves after `turns` macrotask turns: staggers concurrent calls into varied interleavings. */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Runs `count` calls of `fn` at once. */
export function concurrently<T>(count: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => fn(i)));
}
