import { randomUUID } from 'node:crypto';
import { access, constants, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ClockState } from '../../domain/clockState.ts';
import type {
  AnswerRecord,
  PersistedState,
  Persistence,
  ResetPlan,
  SubmissionDoc,
} from '../memory/Persistence.ts';
import type { QueuedScenario, SecretName } from '../SandboxStore.ts';
import { StorageError } from '../StorageError.ts';
import { createFileOnce } from './createFileOnce.ts';
import { writeFileAtomically } from './writeFileAtomically.ts';

/**
 * The directory store's files, all under `<dataDir>/store/` but the two secrets, which stay where
 * earlier versions kept them so that tokens partners cached keep verifying:
 *
 *   token-signing-key.pem, bucket-signing-secret
 *   store/submissions/<id>.json       a submission with its images' metadata, delivery and counters
 *   store/blobs/<uuid>.bin            image bytes, named by the document that holds them
 *   store/answers/<key>.json          Idempotency-Key answers (keys are hashes)
 *   store/clocks/<partner>.json       test clocks
 *   store/scenario-queues/<partner>.json
 *   store/reset.json                  a reset under way; finished at the next start if cut short
 *
 * Every write is atomic (writeFileAtomically). Names are URI-encoded ids, so no id can name a path
 * outside the folder.
 */
const SECRET_FILES: Record<SecretName, string> = {
  'token-signing-key': 'token-signing-key.pem',
  'bucket-signing-secret': 'bucket-signing-secret',
};

const FOLDERS = ['submissions', 'blobs', 'answers', 'clocks', 'scenario-queues'] as const;

/** Written by earlier versions, which this one does not read. */
const EARLIER_FOLDERS = ['submissions', 'callbacks', 'objects', 'idempotency'];

/**
 * What a file must hold to be read back: enough shape that one damaged or foreign file is skipped
 * with a warning, never a crash of the whole store. Fields within records are the domain's and pass.
 */
const imageSchema = z.object({
  contentType: z.string(),
  etag: z.string(),
  size: z.number(),
  storedAt: z.string(),
  blob: z.string(),
});
const documentSchema = z.object({
  submission: z.looseObject({
    correlationId: z.string().min(1),
    partnerId: z.string(),
    status: z.enum(['AWAITING_UPLOAD', 'PROCESSING', 'COMPLETED', 'FAILED']),
    createdAt: z.string(),
  }),
  images: z.object({ SELFIE: imageSchema.optional(), DOCUMENT: imageSchema.optional() }),
  delivery: z
    .looseObject({ id: z.string().min(1), attempts: z.array(z.unknown()), revision: z.number() })
    .nullable(),
  counters: z.record(z.string(), z.number()),
});
const answerSchema = z.looseObject({ partnerId: z.string(), claimedAt: z.string() });
const clockSchema = z.object({ offsetMs: z.number(), frozenAtMs: z.number().nullable() });
const queueSchema = z.array(z.object({ scenario: z.string(), remaining: z.number().int() }));

const resetPlanSchema = z.object({
  partnerId: z.string().nullable(),
  correlationIds: z.array(z.string()),
  blobs: z.array(z.string()),
  answerKeys: z.array(z.string()),
  partners: z.array(z.string()),
});

export function directoryPersistence(dataDir: string, warn: (message: string) => void): Persistence {
  const root = join(dataDir, 'store');
  const file = (folder: (typeof FOLDERS)[number], name: string) =>
    join(root, folder, `${encodeURIComponent(name)}.json`);
  const blobPath = (blob: string) => {
    // Blob names come from this store; one read back from a damaged file must still stay inside.
    if (!/^[0-9a-f-]{36}\.bin$/.test(blob)) throw new Error(`not a blob name: ${JSON.stringify(blob)}`);
    return join(root, 'blobs', blob);
  };

  const write = async (what: string, path: string, data: string | Buffer) => {
    try {
      await writeFileAtomically(path, data);
    } catch (error) {
      throw new StorageError(`could not write ${what} under ${root}`, error);
    }
  };
  const remove = async (what: string, path: string) => {
    try {
      await rm(path, { force: true });
    } catch (error) {
      throw new StorageError(`could not delete ${what} under ${root}`, error);
    }
  };
  const json = (value: unknown) => `${JSON.stringify(value)}\n`;
  const secrets = new Map<SecretName, Promise<string>>();

  /** Left by writes a crash cut short (the files they were to replace are intact); at start-up none is under way. */
  async function sweepTempFiles(): Promise<number> {
    let removed = 0;
    for (const dir of [dataDir, root, ...FOLDERS.map((folder) => join(root, folder))]) {
      for (const name of await readdir(dir)) {
        if (!name.endsWith('.tmp')) continue;
        await rm(join(dir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }

  async function readFolder<T>(
    folder: (typeof FOLDERS)[number],
    schema: z.ZodType,
  ): Promise<Array<[string, T]>> {
    const entries: Array<[string, T]> = [];
    for (const name of await readdir(join(root, folder))) {
      const path = join(root, folder, name);
      if (!name.endsWith('.json')) continue;
      try {
        const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
        if (!parsed.success)
          throw new Error(
            `not what ${folder}/ holds (${z.prettifyError(parsed.error).replace(/\n/g, '; ')})`,
          );
        entries.push([decodeURIComponent(name.slice(0, -'.json'.length)), parsed.data as T]);
      } catch (error) {
        // One damaged file must not stop the sandbox from serving everything else.
        warn(`skipping unreadable ${path}: ${(error as Error).message}`);
      }
    }
    return entries;
  }

  async function carryOut(plan: ResetPlan) {
    for (const id of plan.correlationIds) await remove(id, file('submissions', id));
    for (const blob of plan.blobs) await remove(blob, blobPath(blob));
    for (const key of plan.answerKeys) await remove(key, file('answers', key));
    for (const partnerId of plan.partners) {
      await remove(partnerId, file('scenario-queues', partnerId));
      await write(partnerId, file('clocks', partnerId), json({ offsetMs: 0, frozenAtMs: null }));
    }
  }

  return {
    async load(): Promise<PersistedState> {
      for (const folder of FOLDERS) await mkdir(join(root, folder), { recursive: true });
      const earlier = [];
      for (const folder of EARLIER_FOLDERS) {
        if (
          await access(join(dataDir, folder), constants.F_OK).then(
            () => true,
            () => false,
          )
        )
          earlier.push(join(dataDir, folder));
      }
      const swept = await sweepTempFiles();
      if (swept > 0)
        warn(`removed ${swept} unfinished temporary file(s) left in ${dataDir} by an interrupted write`);
      if (earlier.length > 0) {
        warn(
          `${earlier.join(', ')} hold(s) data written by an earlier facematch-mock, which this version does not read (it keeps its state in ${root}); delete them once you no longer need them`,
        );
      }
      const interrupted = await readFile(join(root, 'reset.json'), 'utf8').catch(() => undefined);
      if (interrupted !== undefined) {
        const plan = resetPlanSchema.safeParse(JSON.parse(interrupted));
        if (plan.success) await carryOut(plan.data);
        await remove('reset plan', join(root, 'reset.json'));
      }
      const docs = (await readFolder<SubmissionDoc>('submissions', documentSchema)).map(([, doc]) => doc);
      // Bytes no document names: an upload cut short, or replaced while the process died.
      const named = new Set(docs.flatMap((doc) => Object.values(doc.images).map((image) => image.blob)));
      for (const name of await readdir(join(root, 'blobs'))) {
        if (!named.has(name)) await rm(join(root, 'blobs', name), { force: true });
      }
      return {
        docs,
        answers: await readFolder<AnswerRecord>('answers', answerSchema),
        clocks: await readFolder<ClockState>('clocks', clockSchema),
        queues: await readFolder<QueuedScenario[]>('scenario-queues', queueSchema),
      };
    },
    saveDoc: (doc) =>
      write(doc.submission.correlationId, file('submissions', doc.submission.correlationId), json(doc)),
    deleteDoc: (id) => remove(id, file('submissions', id)),
    async writeBlob(bytes) {
      const blob = `${randomUUID()}.bin`;
      await write(blob, blobPath(blob), bytes);
      return blob;
    },
    async readBlob(blob) {
      try {
        return await readFile(blobPath(blob));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new StorageError(`could not read ${blob} under ${root}`, error);
      }
    },
    deleteBlob: (blob) => remove(blob, blobPath(blob)),
    saveAnswer: (key, record) =>
      record ? write(key, file('answers', key), json(record)) : remove(key, file('answers', key)),
    saveClock: (partnerId, state) =>
      state
        ? write(partnerId, file('clocks', partnerId), json(state))
        : remove(partnerId, file('clocks', partnerId)),
    saveQueue: (partnerId, queue) =>
      queue.length > 0
        ? write(partnerId, file('scenario-queues', partnerId), json(queue))
        : remove(partnerId, file('scenario-queues', partnerId)),
    secret(name, create) {
      // One read-or-create per secret and process: concurrent callers share it, and later ones the value.
      let value = secrets.get(name);
      if (!value) {
        value = mkdir(dataDir, { recursive: true, mode: 0o700 })
          .then(() => createFileOnce(join(dataDir, SECRET_FILES[name]), create))
          .then((text) => text.trim());
        secrets.set(name, value);
        value.catch(() => secrets.delete(name));
      }
      return value;
    },
    async reset(plan) {
      // The plan first: whatever a crash leaves undone, the next start finishes.
      await write('reset plan', join(root, 'reset.json'), json(plan));
      await carryOut(plan);
      await remove('reset plan', join(root, 'reset.json'));
    },
    async ping() {
      try {
        await access(root, constants.W_OK);
      } catch (error) {
        throw new StorageError(`${root} is not writable`, error);
      }
    },
  };
}
