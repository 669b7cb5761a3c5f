import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { byCreation, type CallbackDeliveryRecord, type CallbackLog } from './CallbackLog.ts';

const attemptSchema = z.object({
  at: z.string(),
  durationMs: z.number(),
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  ok: z.boolean(),
  // Kept since the dashboard work; records written before simply lack them.
  requestHeaders: z.record(z.string(), z.string()).optional(),
  responseBodyExcerpt: z.string().optional(),
  responseBodyTruncated: z.boolean().optional(),
});

const recordSchema = z.object({
  id: z.string().min(1),
  correlationId: z.string(),
  partnerId: z.string(),
  url: z.string(),
  body: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  createdAt: z.string(),
  attempts: z.array(attemptSchema),
  nextAttemptAt: z.string().optional(),
  failureReason: z.string().optional(),
  // Listed so they survive a restart: an unlisted member is dropped by the parse.
  retryBase: z.number().int().min(0).optional(),
  forced: z
    .object({
      failAttempts: z.union([z.literal('all'), z.number().int().min(0)]).optional(),
      duplicates: z.number().int().min(0).optional(),
    })
    .optional(),
});

// Ids become file names, so they are restricted to characters that are safe on
// every file system and cannot climb out of the directory.
const SAFE_ID = /^[A-Za-z0-9_-]{1,200}$/;
const SUFFIX = '.json';

export interface DirectoryCallbackLogOptions {
  /** Told about files that cannot be read back; they are skipped, never fatal. */
  onCorrupt?: (file: string, reason: string) => void;
}

/**
 * One JSON file per delivery, named `<base64url(correlationId)>.<webhook-id>.json`:
 * the prefix lets a correlation's history be read without opening every file,
 * and one file per delivery means concurrent deliveries never rewrite each other.
 */
export function createDirectoryCallbackLog(
  dir: string,
  options: DirectoryCallbackLogOptions = {},
): CallbackLog {
  const onCorrupt =
    options.onCorrupt ??
    ((file: string, reason: string) => console.warn(`callback log: skipping unreadable ${file}: ${reason}`));
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true });
    return ready;
  };

  const prefixFor = (correlationId: string) => `${Buffer.from(correlationId).toString('base64url')}.`;

  async function listFiles(): Promise<string[]> {
    try {
      return (await readdir(dir)).filter((name) => name.endsWith(SUFFIX));
    } catch (err) {
      // A data dir that was never written to simply has no deliveries yet.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async function load(name: string): Promise<CallbackDeliveryRecord | undefined> {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // Removed between listing and reading: not corruption, just gone.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      onCorrupt(file, (err as Error).message);
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      onCorrupt(file, `not JSON (${(err as Error).message})`);
      return undefined;
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) {
      onCorrupt(file, `not a delivery record (${z.prettifyError(parsed.error).replace(/\n/g, '; ')})`);
      return undefined;
    }
    return parsed.data;
  }

  async function loadAll(names: string[]): Promise<CallbackDeliveryRecord[]> {
    const records = await Promise.all(names.map(load));
    return records.filter((r): r is CallbackDeliveryRecord => r !== undefined).sort(byCreation);
  }

  return {
    async save(record) {
      if (!SAFE_ID.test(record.id))
        throw new Error(`delivery id ${JSON.stringify(record.id)} is not file-name safe`);
      await ensureDir();
      const file = join(dir, `${prefixFor(record.correlationId)}${record.id}${SUFFIX}`);
      // Write-then-rename: a crash mid-write leaves a stray temp file, never a
      // half-written record that would lose the delivery on restart.
      const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, 'utf8');
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true }).catch(() => {});
        throw err;
      }
    },
    async get(id) {
      const name = (await listFiles()).find((n) => n.endsWith(`.${id}${SUFFIX}`));
      return name ? load(name) : undefined;
    },
    async byCorrelationId(correlationId) {
      const prefix = prefixFor(correlationId);
      const records = await loadAll((await listFiles()).filter((n) => n.startsWith(prefix)));
      // The name is only an index; the record inside is the authority.
      return records.filter((r) => r.correlationId === correlationId);
    },
    async deleteByCorrelationId(correlationId) {
      const prefix = prefixFor(correlationId);
      for (const name of (await listFiles()).filter((n) => n.startsWith(prefix))) {
        // The prefix is only an index: confirm the record inside before removing it.
        const record = await load(name);
        if (record === undefined || record.correlationId === correlationId)
          await rm(join(dir, name), { force: true });
      }
    },
    async pending() {
      return (await loadAll(await listFiles())).filter((r) => r.state === 'pending');
    },
  };
}
