import { byCreation, reopenDelivery } from '../../domain/CallbackDelivery.ts';
import { type ClockState, REAL_TIME } from '../../domain/clockState.ts';
import { IMAGE_ROLES, type Submission } from '../../domain/Submission.ts';
import { confirmUploads, processingDue } from '../../domain/submissionLifecycle.ts';
import { isExpired } from '../../retention/isExpired.ts';
import type { ImageRole } from '../../scoring/ScoringEngine.ts';
import {
  CLAIM_TIMEOUT_MS,
  type ConfirmAnswer,
  type FinishAnswer,
  type ImageMeta,
  type QueuedScenario,
  type RedeliverAnswer,
  type SandboxStore,
  type StateChange,
  type StoreOptions,
  type WorkItem,
} from '../SandboxStore.ts';
import { createKeyedLock } from './KeyedLock.ts';
import type { AnswerRecord, ImageRecord, Persistence, SubmissionDoc } from './Persistence.ts';
import { createPartnerJournal } from './partnerJournal.ts';
import { createReadWriteLock, type ReadWriteLock } from './ReadWriteLock.ts';
import { createWorkScheduler, workKey } from './scheduleWork.ts';

/** Resets of every partner take this key exclusively; a reset or set-up of one partner takes it shared. */
const ALL_PARTNERS = '\u0000all';

/**
 * The sandbox's state in this process: the memory store, and the directory store, which is the
 * same store writing every change through to files first. Each transition runs alone per record
 * (KeyedLock), decides from the record as it is then, writes through `persistence`, and only then
 * changes what readers see and tells the work queue and the change feed.
 */
export async function createInProcessStore(
  kind: 'memory' | 'directory',
  options: StoreOptions,
  persistence: Persistence,
): Promise<SandboxStore> {
  const { retention } = options;
  const wallNow = () => options.now().getTime();
  const docs = new Map<string, SubmissionDoc>();
  const deliveryOwner = new Map<string, string>();
  const answers = new Map<string, AnswerRecord>();
  const clocks = new Map<string, ClockState>();
  const queues = new Map<string, QueuedScenario[]>();
  const listeners = new Set<(change: StateChange) => void>();
  const journal = createPartnerJournal(options.journalCapacity);
  const locks = createKeyedLock();
  // Transitions take it shared, a reset exclusively: a reset is one step for every reader and writer.
  const stateLock = createReadWriteLock();
  const resetLocks = new Map<string, ReadWriteLock>();
  const resetLock = (key: string) => {
    const lock = resetLocks.get(key) ?? createReadWriteLock();
    resetLocks.set(key, lock);
    return lock;
  };

  const initialClock = (): ClockState =>
    options.initialClock === 'frozen' ? { offsetMs: 0, frozenAtMs: wallNow() } : REAL_TIME;
  /** Frozen defaults fixed in memory but not yet written: written by the next get or update, under the clock's turn. */
  const unsavedClocks = new Set<string>();
  /** The clock as the scheduler needs it, synchronously; a frozen default is fixed at first sight. */
  const clockOf = (partnerId: string): ClockState => {
    let state = clocks.get(partnerId);
    if (!state) {
      state = initialClock();
      if (state.frozenAtMs !== null) {
        clocks.set(partnerId, state);
        unsavedClocks.add(partnerId);
      }
    }
    return state;
  };
  const work = createWorkScheduler({ clockOf, wallNow });

  const publish = (changes: readonly StateChange[]) => {
    for (const change of changes) for (const listener of [...listeners]) listener(change);
  };
  const submissionChange = (s: Submission): StateChange => ({
    kind: 'submission',
    correlationId: s.correlationId,
    partnerId: s.partnerId,
  });

  const expiredDoc = (doc: SubmissionDoc) =>
    isExpired(doc.submission.createdAt, retention.submissionSeconds, options.now());
  const liveDoc = (id: string) => {
    const doc = docs.get(id);
    return doc && !expiredDoc(doc) ? doc : undefined;
  };
  const liveImage = (image: ImageRecord | undefined) =>
    image && !isExpired(image.storedAt, retention.imageSeconds, options.now()) ? image : undefined;
  const metaOf = (image: ImageRecord): ImageMeta => ({
    contentType: image.contentType,
    etag: image.etag,
    size: image.size,
    storedAt: new Date(image.storedAt),
  });

  function syncWork(id: string, doc: SubmissionDoc | undefined, before: SubmissionDoc | undefined) {
    const s = doc?.submission;
    const processing: WorkItem | undefined =
      s?.status === 'PROCESSING' && s.processDueAt
        ? {
            kind: 'process',
            id,
            partnerId: s.partnerId,
            dueAt: new Date(s.processDueAt),
            revision: s.processDueAt,
          }
        : undefined;
    work.set(workKey('process', id), processing);
    const delivery = doc?.delivery ?? before?.delivery;
    if (!delivery) return;
    const current = doc?.delivery;
    work.set(
      workKey('deliver', delivery.id),
      current?.nextAttemptAt
        ? {
            kind: 'deliver',
            id: current.id,
            partnerId: current.partnerId,
            dueAt: new Date(current.nextAttemptAt),
            revision: String(current.revision),
          }
        : undefined,
    );
  }

  function commit(id: string, doc: SubmissionDoc | null) {
    const before = docs.get(id);
    if (doc) docs.set(id, doc);
    else docs.delete(id);
    if (before?.delivery && before.delivery.id !== doc?.delivery?.id)
      deliveryOwner.delete(before.delivery.id);
    if (doc?.delivery) deliveryOwner.set(doc.delivery.id, id);
    syncWork(id, doc ?? undefined, before);
  }

  interface Decision<T> {
    /** The document after the step; null removes it; absent changes nothing. */
    next?: SubmissionDoc | null;
    result: T;
    changes?: StateChange[];
  }

  /** One step on one submission document (see the module comment). */
  function transition<T>(id: string, decide: (doc: SubmissionDoc | undefined) => Decision<T>): Promise<T> {
    return stateLock.shared(() =>
      locks.run(`doc:${id}`, async () => {
        const { next, result, changes = [] } = decide(liveDoc(id));
        if (next === null) await persistence.deleteDoc(id);
        else if (next) await persistence.saveDoc(next);
        if (next !== undefined) commit(id, next);
        publish(changes);
        return result;
      }),
    );
  }

  const copy = <T>(value: T): T => structuredClone(value);

  const loaded = await persistence.load();
  for (const doc of loaded.docs) commit(doc.submission.correlationId, doc);
  for (const [key, record] of loaded.answers) answers.set(key, record);
  for (const [partnerId, state] of loaded.clocks) clocks.set(partnerId, state);
  for (const [partnerId, queue] of loaded.queues) queues.set(partnerId, queue);

  async function deleteBlobs(blobs: Iterable<string | undefined>) {
    for (const blob of blobs) if (blob) await persistence.deleteBlob(blob).catch(() => undefined);
  }

  const store: SandboxStore = {
    kind,

    submissions: {
      create(submission) {
        return transition(submission.correlationId, (doc) => {
          if (doc || docs.has(submission.correlationId))
            throw new Error(`correlationId ${submission.correlationId} is already in use`);
          return {
            next: { submission: copy(submission), images: {}, delivery: null, counters: {} },
            result: undefined,
            changes: [submissionChange(submission)],
          };
        });
      },

      async get(correlationId) {
        const doc = liveDoc(correlationId);
        return doc && copy(doc.submission);
      },

      async list(filter) {
        const found: Submission[] = [];
        for (const doc of docs.values()) {
          const s = doc.submission;
          if (expiredDoc(doc)) continue;
          if (filter.partnerId !== undefined && s.partnerId !== filter.partnerId) continue;
          if (filter.status !== undefined && s.status !== filter.status) continue;
          if (filter.scenario !== undefined && s.scenario?.name !== filter.scenario) continue;
          if (filter.correlationId !== undefined && s.correlationId !== filter.correlationId) continue;
          if (filter.referenceId !== undefined && s.referenceId !== filter.referenceId) continue;
          found.push(s);
        }
        found.sort((a, b) =>
          a.createdAt < b.createdAt
            ? 1
            : a.createdAt > b.createdAt
              ? -1
              : a.correlationId < b.correlationId
                ? 1
                : -1,
        );
        return copy(filter.limit === undefined ? found : found.slice(0, filter.limit));
      },

      async putImage(correlationId, role, image) {
        // The bytes first, outside the record's turn: a 10 MB write must not hold the submission up.
        const blob = await persistence.writeBlob(image.bytes);
        let replaced: string | undefined;
        let answer: 'stored' | 'locked';
        try {
          answer = await transition(correlationId, (doc) => {
            if (doc?.submission.status !== 'AWAITING_UPLOAD') return { result: 'locked' as const };
            replaced = doc.images[role]?.blob;
            const record: ImageRecord = {
              contentType: image.contentType,
              etag: image.etag,
              size: image.bytes.length,
              storedAt: new Date(wallNow()).toISOString(),
              blob,
            };
            return {
              next: { ...doc, images: { ...doc.images, [role]: record } },
              result: 'stored' as const,
              changes: [submissionChange(doc.submission)],
            };
          });
        } catch (error) {
          await deleteBlobs([blob]);
          throw error;
        }
        await deleteBlobs([answer === 'locked' ? blob : replaced]);
        return answer;
      },

      async image(correlationId, role) {
        const image = liveImage(liveDoc(correlationId)?.images[role]);
        if (!image) return null;
        const bytes = await persistence.readBlob(image.blob);
        return bytes ? { ...metaOf(image), bytes } : null;
      },

      async imageMeta(correlationId, role) {
        const image = liveImage(liveDoc(correlationId)?.images[role]);
        return image ? metaOf(image) : null;
      },

      confirm(correlationId, partnerId, at, processDueAt) {
        return transition<ConfirmAnswer>(correlationId, (doc) => {
          if (!doc || doc.submission.partnerId !== partnerId) return { result: { kind: 'not-found' } };
          const uploads: Partial<Record<ImageRole, string>> = {};
          for (const role of IMAGE_ROLES) {
            const image = liveImage(doc.images[role]);
            if (image) uploads[role] = image.etag;
          }
          const outcome = confirmUploads(doc.submission, uploads, at, processDueAt);
          if (outcome.kind !== 'started') return { result: copy(outcome) };
          return {
            next: { ...doc, submission: outcome.submission },
            result: copy(outcome),
            changes: [submissionChange(outcome.submission)],
          };
        });
      },

      dueProcessing(correlationId, dueAt) {
        return transition(correlationId, (doc) => {
          if (!doc) return { result: undefined };
          const next = processingDue(doc.submission, dueAt);
          if (next === doc.submission) return { result: copy(next) };
          return { next: { ...doc, submission: next }, result: copy(next) };
        });
      },

      finish(finished, delivery) {
        return transition<FinishAnswer>(finished.correlationId, (doc) => {
          if (doc?.submission.status !== 'PROCESSING')
            return { result: { kind: 'not-processing', submission: doc && copy(doc.submission) } };
          // The one delivery of the submission is born with its finish, or never.
          const kept = doc.delivery ?? (delivery ? { ...copy(delivery), revision: 0 } : null);
          return {
            next: { ...doc, submission: copy(finished), delivery: kept },
            result: { kind: 'finished', submission: copy(finished) },
            changes: [submissionChange(finished)],
          };
        });
      },
    },

    deliveries: {
      async get(webhookId) {
        const owner = deliveryOwner.get(webhookId);
        const delivery = owner === undefined ? undefined : liveDoc(owner)?.delivery;
        return delivery ? copy(delivery) : undefined;
      },

      async list(filter) {
        const found = [];
        for (const doc of docs.values()) {
          const d = doc.delivery;
          if (!d || expiredDoc(doc)) continue;
          if (filter.partnerId !== undefined && d.partnerId !== filter.partnerId) continue;
          if (filter.correlationId !== undefined && d.correlationId !== filter.correlationId) continue;
          if (filter.state !== undefined && d.state !== filter.state) continue;
          found.push(d);
        }
        return copy(found.sort(byCreation).reverse());
      },

      compareAndSet(next, revision) {
        const owner = deliveryOwner.get(next.id);
        if (owner === undefined) return Promise.resolve(false);
        return transition(owner, (doc) => {
          const current = doc?.delivery;
          if (!doc || current?.id !== next.id || current.revision !== revision) return { result: false };
          const written = { ...copy(next), revision: revision + 1 };
          const attempted = written.attempts.length > current.attempts.length;
          return {
            next: { ...doc, delivery: written },
            result: true,
            changes: attempted
              ? [
                  {
                    kind: 'callback-attempt' as const,
                    correlationId: written.correlationId,
                    partnerId: written.partnerId,
                    webhookId: written.id,
                  },
                ]
              : [],
          };
        });
      },

      redeliver(webhookId, at) {
        const owner = deliveryOwner.get(webhookId);
        if (owner === undefined) return Promise.resolve({ kind: 'not-found' as const });
        return transition<RedeliverAnswer>(owner, (doc) => {
          const current = doc?.delivery;
          if (!doc || current?.id !== webhookId) return { result: { kind: 'not-found' } };
          const reopened = reopenDelivery(current, at);
          if (!reopened) return { result: { kind: 'in-progress', record: copy(current) } };
          const written = { ...reopened, revision: current.revision + 1 };
          return { next: { ...doc, delivery: written }, result: { kind: 'started', record: copy(written) } };
        });
      },
    },

    idempotency: {
      claim(partnerId, key, at) {
        return locks.run(`answer:${key}`, async () => {
          const record = answers.get(key);
          if (
            record?.answer &&
            !isExpired(record.answer.storedAt, retention.submissionSeconds, options.now())
          )
            return { kind: 'answered' as const, answer: copy(record.answer) };
          if (record && !record.answer && at.getTime() - Date.parse(record.claimedAt) < CLAIM_TIMEOUT_MS)
            return { kind: 'in-flight' as const };
          // A bare claim is not written anywhere: a restart ends the request that held it anyway.
          answers.set(key, { partnerId, claimedAt: at.toISOString() });
          return { kind: 'claimed' as const };
        });
      },
      complete(key, answer) {
        return locks.run(`answer:${key}`, async () => {
          const record: AnswerRecord = {
            partnerId: answers.get(key)?.partnerId ?? '',
            claimedAt: answers.get(key)?.claimedAt ?? answer.storedAt,
            answer: copy(answer),
          };
          await persistence.saveAnswer(key, record);
          answers.set(key, record);
        });
      },
      release(key) {
        return locks.run(`answer:${key}`, async () => {
          if (answers.get(key)?.answer) return;
          answers.delete(key);
        });
      },
    },

    clocks: {
      async get(partnerId) {
        const known = clocks.get(partnerId);
        if (known && !unsavedClocks.has(partnerId)) return { ...known };
        return locks.run(`clock:${partnerId}`, async () => {
          const state = clockOf(partnerId);
          // A frozen default is written before anyone is told the instant it stands at.
          if (unsavedClocks.has(partnerId)) {
            await persistence.saveClock(partnerId, state);
            unsavedClocks.delete(partnerId);
          }
          return { ...state };
        });
      },
      update(partnerId, change) {
        return locks.run(`clock:${partnerId}`, async () => {
          const next = change({ ...clockOf(partnerId) });
          await persistence.saveClock(partnerId, next);
          unsavedClocks.delete(partnerId);
          clocks.set(partnerId, next);
          work.rearm(partnerId);
          return { ...next };
        });
      },
    },

    scenarios: {
      enqueue(partnerId, scenario, count) {
        return locks.run(`queue:${partnerId}`, async () => {
          const next = [...(queues.get(partnerId) ?? []), { scenario, remaining: count }];
          await persistence.saveQueue(partnerId, next);
          queues.set(partnerId, next);
          return copy(next);
        });
      },
      take(partnerId) {
        return locks.run(`queue:${partnerId}`, async () => {
          const queue = queues.get(partnerId) ?? [];
          const head = queue[0];
          if (!head) return undefined;
          const next =
            head.remaining > 1
              ? [{ ...head, remaining: head.remaining - 1 }, ...queue.slice(1)]
              : queue.slice(1);
          await persistence.saveQueue(partnerId, next);
          queues.set(partnerId, next);
          return head.scenario;
        });
      },
      async queue(partnerId) {
        return copy(queues.get(partnerId) ?? []);
      },
      clearQueue(partnerId) {
        return locks.run(`queue:${partnerId}`, async () => {
          await persistence.saveQueue(partnerId, []);
          queues.delete(partnerId);
        });
      },
      count(correlationId, names) {
        return transition(correlationId, (doc) => {
          if (!doc) return { result: names.map(() => 0) };
          const counters = { ...doc.counters };
          const values = names.map((name) => {
            counters[name] = (counters[name] ?? 0) + 1;
            return counters[name];
          });
          return { next: { ...doc, counters }, result: values };
        });
      },
    },

    journal: {
      capacity: options.journalCapacity,
      async record(fields) {
        const entry = journal.record(fields);
        publish([
          {
            kind: 'journal',
            journalId: entry.id,
            partnerId: entry.partnerId,
            correlationId: entry.correlationId,
          },
        ]);
        return copy(entry);
      },
      list: async (filter) => copy(journal.list(filter)),
      clear: async (partnerId) => journal.clear(partnerId),
      size: async () => journal.size(),
    },

    secrets: { getOrCreate: (name, create) => persistence.secret(name, create) },

    work,

    changes: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },

    reset(partnerId) {
      const apply = () =>
        stateLock.exclusive(async () => {
          const mine = (p: string) => partnerId === null || p === partnerId;
          const gone = [...docs.values()].filter((doc) => mine(doc.submission.partnerId));
          const answerKeys = [...answers].filter(([, r]) => mine(r.partnerId)).map(([key]) => key);
          const partners =
            partnerId === null ? [...new Set([...clocks.keys(), ...queues.keys()])] : [partnerId];
          await persistence.reset({
            partnerId,
            correlationIds: gone.map((doc) => doc.submission.correlationId),
            blobs: gone.flatMap((doc) => Object.values(doc.images).map((image) => image.blob)),
            answerKeys,
            partners,
          });
          for (const doc of gone) commit(doc.submission.correlationId, null);
          for (const key of answerKeys) answers.delete(key);
          for (const p of partners) {
            queues.delete(p);
            // Back to real time, whatever --clock said: what a test suite's clean slate expects.
            clocks.set(p, REAL_TIME);
            work.rearm(p);
          }
          journal.clear(partnerId ?? undefined);
          publish(gone.map((doc) => submissionChange(doc.submission)));
          return { submissions: gone.filter((doc) => !expiredDoc(doc)).length };
        });
      return partnerId === null
        ? resetLock(ALL_PARTNERS).exclusive(apply)
        : resetLock(ALL_PARTNERS).shared(() => resetLock(partnerId).exclusive(apply));
    },

    excludingReset(partnerId, fn) {
      return resetLock(ALL_PARTNERS).shared(() => resetLock(partnerId).shared(fn));
    },

    async sweepExpired() {
      let images = 0;
      let submissions = 0;
      for (const [id, doc] of [...docs]) {
        if (expiredDoc(doc)) {
          // Reads hide it already; the record goes whole, its images with it.
          const removed = await transition(id, () => {
            const raw = docs.get(id);
            return raw && expiredDoc(raw) ? { next: null, result: raw } : { result: undefined };
          });
          if (removed) {
            submissions++;
            images += Object.keys(removed.images).length;
            await deleteBlobs(Object.values(removed.images).map((image) => image.blob));
            publish([submissionChange(removed.submission)]);
          }
          continue;
        }
        const expired = IMAGE_ROLES.filter((role) => doc.images[role] && !liveImage(doc.images[role]));
        if (expired.length === 0) continue;
        const dropped = await transition(id, (current) => {
          if (!current) return { result: [] as string[] };
          const kept = { ...current.images };
          const blobs: string[] = [];
          for (const role of expired) {
            const image = kept[role];
            if (image && !liveImage(image)) {
              blobs.push(image.blob);
              delete kept[role];
            }
          }
          return { next: { ...current, images: kept }, result: blobs };
        });
        images += dropped.length;
        await deleteBlobs(dropped);
      }
      let answersRemoved = 0;
      for (const [key, record] of [...answers]) {
        const since = record.answer?.storedAt ?? record.claimedAt;
        if (!isExpired(since, retention.submissionSeconds, options.now())) continue;
        await locks.run(`answer:${key}`, async () => {
          await persistence.saveAnswer(key, null);
          answers.delete(key);
        });
        answersRemoved++;
      }
      return { images, submissions, answers: answersRemoved };
    },

    ping: () => persistence.ping(),

    close: () => work.stop(),
  };
  return store;
}
