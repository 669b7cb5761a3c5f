import type { CallbackDeliveryRecord } from '../../domain/CallbackDelivery.ts';
import type { ClockState } from '../../domain/clockState.ts';
import type { Submission } from '../../domain/Submission.ts';
import type { ImageRole } from '../../scoring/ScoringEngine.ts';
import type { QueuedScenario, SecretName, StoredAnswer } from '../SandboxStore.ts';

/** An uploaded image as a submission document holds it: its metadata and where its bytes are. */
export interface ImageRecord {
  contentType: string;
  etag: string;
  size: number;
  /** Wall time of the upload, ISO 8601. */
  storedAt: string;
  /** The bytes, by a reference the persistence gave (a map key, a file name). */
  blob: string;
}

/**
 * A submission and everything that belongs to it, written as one document: one write is one
 * transition, so an upload, a confirm or a finish with its delivery is whole or absent after a crash.
 */
export interface SubmissionDoc {
  submission: Submission;
  images: Partial<Record<ImageRole, ImageRecord>>;
  delivery: CallbackDeliveryRecord | null;
  counters: Record<string, number>;
}

export interface AnswerRecord {
  partnerId: string;
  /** Wall time the key was claimed, ISO 8601; answers persist, bare claims need not. */
  claimedAt: string;
  answer?: StoredAnswer;
}

/** What a reset removes, decided before anything is removed, so an interrupted reset can be finished. */
export interface ResetPlan {
  partnerId: string | null;
  correlationIds: string[];
  blobs: string[];
  answerKeys: string[];
  partners: string[];
}

export interface PersistedState {
  docs: SubmissionDoc[];
  answers: Array<[string, AnswerRecord]>;
  clocks: Array<[string, ClockState]>;
  queues: Array<[string, QueuedScenario[]]>;
}

/**
 * Where an in-process store keeps what must outlive the process. The memory store keeps only the
 * image bytes (in a map) and forgets everything else on exit; the directory store writes every
 * call to files, each one atomically. A call resolves once its write is durable; the store changes
 * what readers see only after that, so they never see what a crash would take back.
 */
export interface Persistence {
  load(): Promise<PersistedState>;
  saveDoc(doc: SubmissionDoc): Promise<void>;
  deleteDoc(correlationId: string): Promise<void>;
  writeBlob(bytes: Buffer): Promise<string>;
  readBlob(blob: string): Promise<Buffer | null>;
  deleteBlob(blob: string): Promise<void>;
  saveAnswer(key: string, record: AnswerRecord | null): Promise<void>;
  saveClock(partnerId: string, state: ClockState | null): Promise<void>;
  saveQueue(partnerId: string, queue: QueuedScenario[]): Promise<void>;
  secret(name: SecretName, create: () => Promise<string>): Promise<string>;
  /** Carries a reset out whole: after a crash, `load` finishes one that was under way. */
  reset(plan: ResetPlan): Promise<void>;
  /** Rejects with StorageError when nothing can be written (readiness). */
  ping(): Promise<void>;
}

export function memoryPersistence(): Persistence {
  const blobs = new Map<string, Buffer>();
  const secrets = new Map<SecretName, Promise<string>>();
  let nextBlob = 0;
  return {
    load: async () => ({ docs: [], answers: [], clocks: [], queues: [] }),
    saveDoc: async () => {},
    deleteDoc: async () => {},
    async writeBlob(bytes) {
      const blob = `blob-${++nextBlob}`;
      // A copy: a caller reusing its buffer must not change what is stored.
      blobs.set(blob, Buffer.from(bytes));
      return blob;
    },
    async readBlob(blob) {
      const bytes = blobs.get(blob);
      return bytes ? Buffer.from(bytes) : null;
    },
    async deleteBlob(blob) {
      blobs.delete(blob);
    },
    saveAnswer: async () => {},
    saveClock: async () => {},
    saveQueue: async () => {},
    secret(name, create) {
      let value = secrets.get(name);
      if (!value) {
        value = create();
        secrets.set(name, value);
        value.catch(() => secrets.delete(name));
      }
      return value;
    },
    async reset(plan) {
      for (const blob of plan.blobs) blobs.delete(blob);
    },
    ping: async () => {},
  };
}
