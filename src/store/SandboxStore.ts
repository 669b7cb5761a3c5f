import type { CallbackDeliveryRecord, DeliveryState } from '../domain/CallbackDelivery.ts';
import type { ClockState } from '../domain/clockState.ts';
import type { Submission, SubmissionStatus } from '../domain/Submission.ts';
import type { ConfirmOutcome } from '../domain/submissionLifecycle.ts';
import type { JournalEntry, JournalFilter } from '../journal/JournalEntry.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';

/**
 * Everything the sandbox remembers, behind one port with three adapters side by side:
 * `memory/` (the default), `directory/` (`--data-dir`) and `postgres/` (`--database-url`, shared
 * by any number of instances). test/store/contract/ is the one suite all three pass.
 *
 * The rules every adapter keeps:
 * - Every method that changes state is one step: another request, another instance or a crash
 *   sees the state before it or after it, never between. Callers never read, decide, then write;
 *   they name the transition and the store applies it to what it holds at that moment.
 * - Records are copied in and out: a caller mutating what it got changes nothing stored.
 * - Expired data (see StoreOptions.retention) reads as absent before any sweep removes it.
 * - A failure to reach or write the storage rejects with StorageError, and nothing was changed.
 * - Work (scoring a confirmed submission, the next callback attempt) is derived from the state:
 *   a PROCESSING submission with `processDueAt` is due for processing then, a delivery with
 *   `nextAttemptAt` (pending, or delivered with forced repeats to come) is due for an attempt
 *   then, both on the partner's business clock.
 *   Whatever writes those fields schedules the work in the same step (see WorkQueue).
 */
export interface SandboxStore {
  readonly kind: 'memory' | 'directory' | 'postgres';
  readonly submissions: SubmissionStore;
  readonly deliveries: DeliveryStore;
  readonly idempotency: IdempotencyStore;
  readonly clocks: ClockStore;
  readonly scenarios: ScenarioStateStore;
  readonly journal: JournalStore;
  readonly secrets: SecretStore;
  readonly work: WorkQueue;
  /** Every change, from every instance sharing the store (the admin event stream's source). */
  readonly changes: ChangeFeed;
  /**
   * Back to a clean slate for one partner, or for everyone (null), in one step: submissions with
   * their images, deliveries, counters and pending work; Idempotency-Key answers; the scenario
   * queue; journal entries; the test clock (back to real time). Waits for any `excludingReset`
   * of that partner to end first, and holds new ones off until it is done.
   */
  reset(partnerId: string | null): Promise<{ submissions: number }>;
  /**
   * Runs `fn` (a composite operation, e.g. setting up a Pact provider state through the flow)
   * while no reset of `partnerId` runs: one that is running finishes first, one asked for meanwhile
   * waits for `fn` to end. Several `excludingReset` of a partner may run at once.
   */
  excludingReset<T>(partnerId: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Deletes what retention says has expired (images first of all: these are faces). With several
   * instances on one store, one sweeps at a time; the others' calls return zeros.
   */
  sweepExpired(): Promise<{ images: number; submissions: number; answers: number }>;
  /** Rejects with StorageError when the storage cannot be reached (readiness). */
  ping(): Promise<void>;
  /** Stops the work queue (as WorkQueue.stop) and releases connections and files. */
  close(): Promise<void>;
}

export interface StoreOptions {
  retention: {
    /** An uploaded image reads as absent this long after its upload. */
    imageSeconds: number;
    /** A submission (its images, delivery and counters too) and an Idempotency-Key answer, after creation. */
    submissionSeconds: number;
  };
  /** Journal entries kept per partner (requests of no known partner count as one more partner). */
  journalCapacity: number;
  /** How a partner's clock starts the first time it is read: in real time, or frozen at that instant. */
  initialClock: 'real' | 'frozen';
  /** Wall time: image `storedAt`, retention, clocks. Tests pass a settable one. */
  now: () => Date;
}

export interface SubmissionFilter {
  partnerId?: string;
  status?: SubmissionStatus;
  /** The scenario name. */
  scenario?: string;
  correlationId?: string;
  referenceId?: string;
  /** At most this many, newest (createdAt) first. Default: all. */
  limit?: number;
}

export interface ImageMeta {
  contentType: string;
  /** Quoted lower-case hex MD5 of the bytes, as S3 gives it for single-part uploads. */
  etag: string;
  size: number;
  /** Wall time of the upload (retention counts from it). */
  storedAt: Date;
}

export interface StoredImage extends ImageMeta {
  bytes: Buffer;
}

export type ConfirmAnswer = ConfirmOutcome | { kind: 'not-found' };

export type FinishAnswer =
  | { kind: 'finished'; submission: Submission }
  /** Another run finished it first, or it is gone (reset, expired); nothing was written. */
  | { kind: 'not-processing'; submission: Submission | undefined };

/** A submission and what belongs to it: its two images, its one completion delivery, its counters. */
export interface SubmissionStore {
  /** Records a new submission; its correlationId is new (a UUID), never one in use. */
  create(submission: Submission): Promise<void>;
  get(correlationId: string): Promise<Submission | undefined>;
  list(filter: SubmissionFilter): Promise<Submission[]>;
  /**
   * Stores an uploaded image, replacing the previous one of that role, only while the submission
   * is AWAITING_UPLOAD; `locked` when it is not (or does not exist). One step with `confirm`: an
   * image answered `stored` is the one a later confirm records, never replaced after it.
   */
  putImage(
    correlationId: string,
    role: ImageRole,
    image: { bytes: Buffer; contentType: string; etag: string },
  ): Promise<'stored' | 'locked'>;
  image(correlationId: string, role: ImageRole): Promise<StoredImage | null>;
  imageMeta(correlationId: string, role: ImageRole): Promise<ImageMeta | null>;
  /**
   * "Confirm Upload" in one step: `confirmUploads` (domain) applied to the submission and the
   * ETags of its images as stored now, for the partner that owns it (`not-found` for any other).
   * When it starts processing, `processDueAt` is recorded (null: only a poll count or an admin
   * advance will set it) and the work is scheduled with it.
   */
  confirm(
    correlationId: string,
    partnerId: string,
    at: Date,
    processDueAt: Date | null,
  ): Promise<ConfirmAnswer>;
  /**
   * Makes processing due at `dueAt` (earlier than already set, or set at all) if the submission is
   * still PROCESSING; returns the submission as it is after the step, or undefined if unknown.
   */
  dueProcessing(correlationId: string, dueAt: Date): Promise<Submission | undefined>;
  /**
   * PROCESSING → COMPLETED or FAILED (`finished`, computed by the domain), in one step with the
   * completion delivery (null: none is sent): the delivery is created only with the finish, so a
   * submission has at most one, whichever worker or instance finished it, however often a job ran.
   */
  finish(finished: Submission, delivery: CallbackDeliveryRecord | null): Promise<FinishAnswer>;
}

export interface DeliveryFilter {
  partnerId?: string;
  correlationId?: string;
  state?: DeliveryState;
}

export type RedeliverAnswer =
  | { kind: 'started'; record: CallbackDeliveryRecord }
  | { kind: 'not-found' }
  | { kind: 'in-progress'; record: CallbackDeliveryRecord };

export interface DeliveryStore {
  get(webhookId: string): Promise<CallbackDeliveryRecord | undefined>;
  /** Newest (createdAt) first. */
  list(filter: DeliveryFilter): Promise<CallbackDeliveryRecord[]>;
  /**
   * Replaces the record with `next` (revision + 1) only if its revision is still `revision`: the
   * step that records an attempt (domain `afterAttempt`) or gives a delivery up. False when
   * another write came first (another worker recorded the attempt) or the delivery is gone.
   * Schedules the next attempt when `next` has a `nextAttemptAt`.
   */
  compareAndSet(next: CallbackDeliveryRecord, revision: number): Promise<boolean>;
  /** A finished delivery pending again now (domain `reopenDelivery`), or `in-progress` while attempts are to come. */
  redeliver(webhookId: string, at: Date): Promise<RedeliverAnswer>;
}

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Hash of method, path and body: the same key with another request is refused. */
  fingerprint: string;
  storedAt: string;
}

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'answered'; answer: StoredAnswer }
  /** Another request with this key is being answered (a claim younger than CLAIM_TIMEOUT_MS). */
  | { kind: 'in-flight' };

/**
 * A claim older than this is a request whose server died: the next one with the key takes it over.
 * Short, because what it guards (a confirm) takes milliseconds and is idempotent in itself: two
 * claimers at worst both get the same answer, while a partner retrying after a crash waits no longer.
 */
export const CLAIM_TIMEOUT_MS = 10_000;

/** Idempotency-Key answers; `key` is already a hash of the partner and the header value. */
export interface IdempotencyStore {
  /**
   * In one step: the stored answer, or `in-flight`, or the key is now claimed by the caller. A store
   * that is one process's forgets claims when that process ends (the requests ended with it).
   */
  claim(partnerId: string, key: string, at: Date): Promise<IdempotencyClaim>;
  /** Stores the answer of a claimed key. */
  complete(key: string, answer: StoredAnswer): Promise<void>;
  /** Gives a claim up (the request failed): the next request with the key runs afresh. */
  release(key: string): Promise<void>;
}

export interface ClockStore {
  /** The partner's clock; on first use as StoreOptions.initialClock says (a frozen one is kept). */
  get(partnerId: string): Promise<ClockState>;
  /**
   * Changes the partner's clock in one step, and moves its pending work onto the new time (work
   * now due runs at once; a frozen clock holds what lies ahead). Returns the new state.
   */
  update(partnerId: string, change: (state: ClockState) => ClockState): Promise<ClockState>;
}

export interface QueuedScenario {
  scenario: string;
  remaining: number;
}

export interface ScenarioStateStore {
  /** "The next N submissions of partner P get scenario S": appends; returns the queue after. */
  enqueue(partnerId: string, scenario: string, count: number): Promise<QueuedScenario[]>;
  /** Takes one use of the partner's first entry (each use goes to exactly one caller), or undefined. */
  take(partnerId: string): Promise<string | undefined>;
  queue(partnerId: string): Promise<QueuedScenario[]>;
  clearQueue(partnerId: string): Promise<void>;
  /**
   * Adds one to each named counter of a submission (faults seen per step, polls that saw
   * PROCESSING) in one step, and returns their new values in the same order; a new counter starts
   * at 0. Counters go with their submission: for one that does not exist (or expired) nothing is
   * counted and every value returned is 0.
   */
  count(correlationId: string, counters: readonly string[]): Promise<number[]>;
}

export interface JournalStore {
  /** Entries kept per partner; the oldest of that partner go first. */
  readonly capacity: number;
  /** Records one request; the id it gets (`req_…`) sorts by arrival on every instance. */
  record(entry: Omit<JournalEntry, 'id'>): Promise<JournalEntry>;
  /** Newest first. */
  list(filter: JournalFilter): Promise<JournalEntry[]>;
  /** Removes one partner's entries (or all); returns how many. */
  clear(partnerId?: string): Promise<number>;
  size(): Promise<number>;
}

export type SecretName = 'token-signing-key' | 'bucket-signing-secret';

export interface SecretStore {
  /**
   * The named secret. The first caller anywhere creates it with `create`; every later caller, on
   * any instance, after any restart, gets that same value.
   */
  getOrCreate(name: SecretName, create: () => Promise<string>): Promise<string>;
}

export type WorkKind = 'process' | 'deliver';

/** One piece of due work, as derived from the state (see SandboxStore). */
export interface WorkItem {
  kind: WorkKind;
  /** The correlationId (process) or the webhook-id (deliver). */
  id: string;
  partnerId: string;
  /** Business time it falls due. */
  dueAt: Date;
  /** Names this occurrence: the item has run once the state shows another revision, or none. */
  revision: string;
}

export interface WorkHandlers {
  /** Scores a submission if it is PROCESSING and due; may find nothing to do. */
  process(correlationId: string, signal: AbortSignal): Promise<void>;
  /** Makes the next attempt of a delivery if one is due; may find nothing to do. */
  deliver(webhookId: string, signal: AbortSignal): Promise<void>;
}

export interface WorkQueue {
  /**
   * Runs due work on this instance until drained or stopped (roles `all` and `worker`). Each due
   * item is handed to a handler at least once (more than once only after a crash or a
   * take-over); a handler that throws is tried again later. At most `processConcurrency` scoring
   * and `deliverConcurrency` delivery handlers run at once.
   */
  start(
    handlers: WorkHandlers,
    options: { processConcurrency: number; deliverConcurrency: number },
  ): Promise<void>;
  /** The partner's earliest pending item due at or before `upTo`, overdue ones included. */
  nextDue(partnerId: string, upTo: Date): Promise<WorkItem | undefined>;
  /** How many items of the partner are pending, whatever their due time. */
  pending(partnerId: string): Promise<number>;
  /** True once `item` has run (see WorkItem.revision); false when `timeoutMs` passed first. */
  settled(item: WorkItem, timeoutMs: number): Promise<boolean>;
  /**
   * A graceful stop: what runs finishes, what is due now still starts (a callback's first attempt
   * after a scoring job that just finished), scoring that falls due before `until` (the end of the
   * drain time) is run when it does, so a confirmed submission waiting out its processing delay
   * finishes; what falls due later (callback retries, scoring after `until`) stays pending in the
   * store, for another instance or the next start. Resolves once nothing runs here and no such
   * scoring is left. `until` defaults to now.
   */
  drain(until?: Date): Promise<void>;
  /** Aborts running handlers (at their next safe point) and starts nothing more; resolves when they ended. */
  stop(): Promise<void>;
  /** Resolves once nothing is pending anywhere or running here (tests). */
  idle(): Promise<void>;
}

/** One change, named but not described: a dashboard re-fetches what it shows. */
export type StateChange =
  | { kind: 'submission'; correlationId: string; partnerId: string }
  | { kind: 'callback-attempt'; correlationId: string; partnerId: string; webhookId: string }
  | { kind: 'journal'; journalId: string; partnerId: string | null; correlationId: string | null };

export interface ChangeFeed {
  /** Returns the unsubscribe function. */
  subscribe(listener: (change: StateChange) => void): () => void;
}
