import { randomUUID } from 'node:crypto';
import { openDelivery } from '../../../src/domain/CallbackDelivery.ts';
import type { Submission } from '../../../src/domain/Submission.ts';
import { openSubmission } from '../../../src/domain/submissionLifecycle.ts';
import {
  createPostgresStore,
  type PostgresStoreOptions,
} from '../../../src/store/postgres/createPostgresStore.ts';
import type { SandboxStore } from '../../../src/store/SandboxStore.ts';

/** What a store said through its log, for tests that expect (or forbid) a warning. */
export interface CapturedLog {
  warnings: string[];
  errors: string[];
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function captureLog(): CapturedLog {
  const log: CapturedLog = {
    warnings: [],
    errors: [],
    warn: (message) => log.warnings.push(message),
    error: (message) => log.errors.push(message),
  };
  return log;
}

/** The store's wall clock, settable by the test (retention, clocks). */
export function settableNow(start = Date.now()) {
  let offset = start - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms: number) {
      offset += ms;
    },
  };
}

export type TestStore = SandboxStore & { queryCount(): number };

/**
 * Opens stores on one test database and closes every one of them at the end of the file, with
 * fast job settings (polls and heartbeats in tens of milliseconds) unless a test overrides them.
 */
export function storeOpener(databaseUrl: () => string) {
  const opened: TestStore[] = [];
  return {
    async open(overrides: Partial<PostgresStoreOptions> = {}): Promise<TestStore> {
      const store = await createPostgresStore({
        databaseUrl: databaseUrl(),
        poolSize: 5,
        log: captureLog(),
        retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
        journalCapacity: 50,
        initialClock: 'real',
        now: () => new Date(),
        jobs: { pollIntervalMs: 50, heartbeatMs: 200, deadAfterMs: 2_000 },
        ...overrides,
      });
      opened.push(store);
      return store;
    },
    /** Stops every work queue (afterEach): a queue left running would take the next test's jobs. */
    async stopWork(): Promise<void> {
      await Promise.allSettled(
        opened.map((store) => within(store.work.stop(), 10_000, 'stopping a work queue')),
      );
    },
    async closeAll(): Promise<void> {
      await Promise.allSettled(
        opened.splice(0).map((store) => within(store.close(), 10_000, 'closing a store')),
      );
    },
  };
}

/** A submission as the flow opens it. */
export function newSubmission(
  partnerId: string,
  at = new Date(),
  referenceId: string | null = null,
): Submission {
  return openSubmission(
    {
      correlationId: randomUUID(),
      partnerId,
      referenceId,
      documentType: 'PASSPORT',
      callbackUrl: 'https://partner.example/callback',
      contentTypes: { SELFIE: 'image/jpeg', DOCUMENT: 'image/jpeg' },
      scenario: null,
    },
    at,
  );
}

/** A submission already PROCESSING, due at `dueAt` (a shortcut the port allows: create schedules it). */
export function processingSubmission(partnerId: string, dueAt: Date | null, at = new Date()): Submission {
  return {
    ...newSubmission(partnerId, at),
    status: 'PROCESSING',
    confirmedAt: at.toISOString(),
    confirmedUploads: { SELFIE: '"a"', DOCUMENT: '"b"' },
    processDueAt: dueAt?.toISOString() ?? null,
  };
}

/** Finishes a PROCESSING submission with a delivery whose first attempt is due at `attemptAt`. */
export async function finishWithDelivery(store: SandboxStore, submission: Submission, attemptAt: Date) {
  const finished: Submission = {
    ...submission,
    status: 'COMPLETED',
    completedAt: attemptAt.toISOString(),
    processDueAt: null,
  };
  const delivery = openDelivery({
    id: `msg_${randomUUID().replaceAll('-', '')}`,
    correlationId: submission.correlationId,
    partnerId: submission.partnerId,
    url: 'https://partner.example/callback',
    body: '{}',
    at: attemptAt,
  });
  const answer = await store.submissions.finish(finished, delivery);
  if (answer.kind !== 'finished')
    throw new Error(`could not finish ${submission.correlationId}: ${answer.kind}`);
  return delivery;
}

/** Waits (bounded) for an asynchronous condition; fails with what it was waiting for. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
