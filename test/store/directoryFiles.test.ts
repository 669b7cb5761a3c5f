import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { afterAttempt, type DeliveryAttempt, openDelivery } from '../../src/domain/CallbackDelivery.ts';
import { DEFAULT_THRESHOLDS } from '../../src/domain/outcome.ts';
import { IMAGE_ROLES } from '../../src/domain/Submission.ts';
import { openSubmission, recordScore } from '../../src/domain/submissionLifecycle.ts';
import { createDirectoryStore } from '../../src/store/directory/createDirectoryStore.ts';
import type { ResetPlan, SubmissionDoc } from '../../src/store/memory/Persistence.ts';
import type { SandboxStore } from '../../src/store/SandboxStore.ts';

/**
 * What only the directory store does with its files: the generic behaviour every store keeps
 * (survives a reopen, resets, secrets created once…) is test/store/contract/'s. These tests look
 * at the data dir itself, as an operator (or a crash) leaves it.
 */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataDir() {
  const dir = await mkdtemp(join(tmpdir(), 'facematch-directory-files-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens the directory store on `dir`, collecting what it warns about. */
async function open(dir: string) {
  const warnings: string[] = [];
  const store = await createDirectoryStore(dir, {
    retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
    journalCapacity: 10,
    initialClock: 'real',
    now: () => new Date(),
    warn: (message) => warnings.push(message),
  });
  cleanups.push(() => store.close());
  return { store, warnings };
}

/** A submission of `partnerId` with both images uploaded; returns the bytes of each. */
async function uploaded(store: SandboxStore, correlationId: string, partnerId = 'demo') {
  await store.submissions.create(
    openSubmission(
      {
        correlationId,
        partnerId,
        referenceId: null,
        documentType: 'KTP',
        callbackUrl: null,
        contentTypes: { SELFIE: 'image/png', DOCUMENT: 'image/jpeg' },
      },
      new Date(),
    ),
  );
  const bytes: Record<string, Buffer> = {};
  for (const role of IMAGE_ROLES) {
    bytes[role] = Buffer.from(`${role} of ${correlationId}`);
    const etag = `"${createHash('md5').update(bytes[role]).digest('hex')}"`;
    const answer = await store.submissions.putImage(correlationId, role, {
      bytes: bytes[role],
      contentType: 'image/png',
      etag,
    });
    expect(answer).toBe('stored');
  }
  return bytes;
}

const submissionFile = (dir: string, id: string) => join(dir, 'store', 'submissions', `${id}.json`);
const blobsOf = async (dir: string, id: string) =>
  Object.values((JSON.parse(await readFile(submissionFile(dir, id), 'utf8')) as SubmissionDoc).images).map(
    (image) => image.blob,
  );
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('directory store files', () => {
  it('reports a damaged submission file and still loads and serves every other submission', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    const one = await uploaded(first.store, 'sub-1');
    await uploaded(first.store, 'sub-2');
    await first.store.close();
    await writeFile(
      join(dir, 'store', 'submissions', 'sub-broken.json'),
      '{"submission": {"correlationId": ',
    );

    const { store, warnings } = await open(dir);
    expect(warnings).toEqual([
      expect.stringMatching(/^skipping unreadable .*store\/submissions\/sub-broken\.json: .*JSON/),
    ]);
    expect((await store.submissions.list({})).map((s) => s.correlationId).sort()).toEqual(['sub-1', 'sub-2']);
    expect((await store.submissions.image('sub-1', 'SELFIE'))?.bytes).toEqual(one.SELFIE);
    expect(await store.submissions.get('sub-broken')).toBeUndefined();
    // Still serving: it takes new work as before.
    expect((await store.submissions.confirm('sub-1', 'demo', new Date(), null)).kind).toBe('started');
  });

  it('starts on a data dir not yet created, and leaves no temporary file behind after its writes', async () => {
    const dir = join(await dataDir(), 'not-yet-created');
    const { store, warnings } = await open(dir);
    expect(await store.submissions.list({})).toEqual([]);
    expect(warnings).toEqual([]);
    await Promise.all(['a', 'b', 'c'].map((id) => uploaded(store, `sub-${id}`)));
    await store.submissions.confirm('sub-a', 'demo', new Date(), null);
    await store.clocks.update('demo', (state) => ({ ...state, offsetMs: 60_000 }));
    await store.scenarios.enqueue('demo', 'review', 2);
    expect((await store.idempotency.claim('demo', 'key-1', new Date())).kind).toBe('claimed');
    await store.idempotency.complete('key-1', {
      status: 201,
      headers: {},
      body: { ok: true },
      fingerprint: 'f',
      storedAt: new Date().toISOString(),
    });
    await store.secrets.getOrCreate('bucket-signing-secret', async () => 'secret');
    await store.reset('demo');

    const files = await filesUnder(dir);
    expect(files).toContain('bucket-signing-secret');
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('sweeps temporary files an interrupted write left, saying how many', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    await uploaded(first.store, 'sub-1');
    await first.store.close();
    const strays = [
      join(dir, `token-signing-key.pem.${randomUUID()}.tmp`),
      ...['submissions', 'blobs', 'answers', 'clocks', 'scenario-queues'].map((folder) =>
        join(dir, 'store', folder, `x.${randomUUID()}.tmp`),
      ),
    ];
    for (const stray of strays) await writeFile(stray, 'half a file');

    const { store, warnings } = await open(dir);
    expect(warnings).toEqual([
      `removed ${strays.length} unfinished temporary file(s) left in ${dir} by an interrupted write`,
    ]);
    for (const stray of strays) expect(await exists(stray), stray).toBe(false);
    expect(await store.submissions.get('sub-1')).toBeDefined();

    // Nothing is said when there is nothing to sweep.
    await store.close();
    expect((await open(dir)).warnings).toEqual([]);
  });

  it('removes at start image bytes no submission names (an upload cut short), keeping the named ones', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    const bytes = await uploaded(first.store, 'sub-1');
    await first.store.close();
    const named = await blobsOf(dir, 'sub-1');
    const orphan = join(dir, 'store', 'blobs', `${randomUUID()}.bin`);
    await writeFile(orphan, 'bytes written before the process died');

    const { store } = await open(dir);
    expect(await exists(orphan)).toBe(false);
    expect((await readdir(join(dir, 'store', 'blobs'))).sort()).toEqual([...named].sort());
    expect((await store.submissions.image('sub-1', 'DOCUMENT'))?.bytes).toEqual(bytes.DOCUMENT);
  });

  it('finishes at the next start a reset that was cut short after its plan was written', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    await uploaded(first.store, 'demo-1');
    const other = await uploaded(first.store, 'other-1', 'other');
    for (const [partnerId, key] of [
      ['demo', 'key-demo'],
      ['other', 'key-other'],
    ] as const) {
      await first.store.idempotency.claim(partnerId, key, new Date());
      await first.store.idempotency.complete(key, {
        status: 201,
        headers: {},
        body: { partnerId },
        fingerprint: 'f',
        storedAt: new Date().toISOString(),
      });
      await first.store.scenarios.enqueue(partnerId, 'review', 3);
      await first.store.clocks.update(partnerId, () => ({
        offsetMs: 0,
        frozenAtMs: Date.parse('2030-01-01'),
      }));
    }
    await first.store.close();
    const demoBlobs = await blobsOf(dir, 'demo-1');
    // The plan as the store writes it before it removes anything; the process died right after.
    const plan: ResetPlan = {
      partnerId: 'demo',
      correlationIds: ['demo-1'],
      blobs: demoBlobs,
      answerKeys: ['key-demo'],
      partners: ['demo'],
    };
    await writeFile(join(dir, 'store', 'reset.json'), `${JSON.stringify(plan)}\n`);

    const { store } = await open(dir);
    expect(await exists(join(dir, 'store', 'reset.json'))).toBe(false);
    expect(await store.submissions.get('demo-1')).toBeUndefined();
    expect(await exists(submissionFile(dir, 'demo-1'))).toBe(false);
    for (const blob of demoBlobs) expect(await exists(join(dir, 'store', 'blobs', blob))).toBe(false);
    expect(await store.idempotency.claim('demo', 'key-demo', new Date())).toEqual({ kind: 'claimed' });
    expect(await store.scenarios.queue('demo')).toEqual([]);
    expect(await store.clocks.get('demo')).toEqual({ offsetMs: 0, frozenAtMs: null });

    // The other partner keeps everything.
    expect((await store.submissions.image('other-1', 'SELFIE'))?.bytes).toEqual(other.SELFIE);
    expect(await store.idempotency.claim('other', 'key-other', new Date())).toMatchObject({
      kind: 'answered',
      answer: { body: { partnerId: 'other' } },
    });
    expect(await store.scenarios.queue('other')).toEqual([{ scenario: 'review', remaining: 3 }]);
    expect(await store.clocks.get('other')).toEqual({ offsetMs: 0, frozenAtMs: Date.parse('2030-01-01') });
  });

  it('keeps, across a restart, everything an attempt recorded and what a scenario forces on the delivery', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    await uploaded(first.store, 'sub-1');
    const now = new Date();
    const confirmed = await first.store.submissions.confirm('sub-1', 'demo', now, null);
    if (confirmed.kind !== 'started') throw new Error(`confirm answered ${confirmed.kind}`);
    const finished = recordScore(
      confirmed.submission,
      { score: 92, reasons: [], selfie: null, document: null, engine: 'test' },
      DEFAULT_THRESHOLDS,
      now,
    );
    const opened = openDelivery({
      id: 'msg_1',
      correlationId: 'sub-1',
      partnerId: 'demo',
      url: 'https://partner.example/cb',
      body: '{"type":"submission.completed"}',
      at: now,
      forced: { failAttempts: 'all', duplicates: 2 },
    });
    await first.store.submissions.finish(finished, opened);
    const attempt: DeliveryAttempt = {
      at: now.toISOString(),
      durationMs: 3,
      statusCode: 401,
      ok: false,
      error: 'receiver answered 401; only 2xx counts as delivered',
      requestHeaders: { 'webhook-id': 'msg_1', 'content-type': 'application/json' },
      responseBodyExcerpt: '{"error":"bad signature"}',
      responseBodyTruncated: false,
    };
    const stored = await first.store.deliveries.get('msg_1');
    if (!stored) throw new Error('the delivery was not stored');
    const attempted = afterAttempt(stored, attempt, [1000], now);
    expect(await first.store.deliveries.compareAndSet(attempted, stored.revision)).toBe(true);
    const before = await first.store.deliveries.get('msg_1');
    expect(before).toMatchObject({ forced: { failAttempts: 'all', duplicates: 2 }, attempts: [attempt] });
    await first.store.close();

    const second = await open(dir);
    expect(await second.store.deliveries.get('msg_1')).toEqual(before);
    // Given up, then sent again: the retry schedule's base survives a restart too.
    const exhausted = afterAttempt(before as NonNullable<typeof before>, attempt, [], now);
    expect(await second.store.deliveries.compareAndSet(exhausted, before?.revision ?? -1)).toBe(true);
    expect((await second.store.deliveries.redeliver('msg_1', now)).kind).toBe('started');
    const redelivered = await second.store.deliveries.get('msg_1');
    expect(redelivered).toMatchObject({ state: 'pending', retryBase: 2 });
    await second.store.close();

    expect(await (await open(dir)).store.deliveries.get('msg_1')).toEqual(redelivered);
  });

  it('warns once, naming them, about folders an earlier version wrote, and leaves them alone', async () => {
    const dir = await dataDir();
    const earlier = ['submissions', 'callbacks', 'objects', 'idempotency'].map((name) => join(dir, name));
    for (const folder of earlier) await mkdir(folder);
    await writeFile(join(earlier[1] as string, 'msg_1.json'), '{}');

    const { warnings } = await open(dir);
    expect(warnings).toHaveLength(1);
    for (const folder of earlier) expect(warnings[0]).toContain(folder);
    expect(warnings[0]).toMatch(/earlier facematch-mock, which this version does not read/);
    expect(warnings[0]).toContain(join(dir, 'store'));
    for (const folder of earlier) expect(await exists(folder)).toBe(true);
  });

  it('names only the earlier folders that exist, and says nothing on a fresh data dir', async () => {
    const dir = await dataDir();
    expect((await open(dir)).warnings).toEqual([]);
    const other = await dataDir();
    await mkdir(join(other, 'objects'));
    const { warnings } = await open(other);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^${join(other, 'objects')} hold\\(s\\) data`)),
    ]);
    expect(warnings[0]).not.toContain(join(other, 'callbacks'));
  });

  it('keeps the secrets where earlier versions did, at the data dir root, private to the owner', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    const key = await first.store.secrets.getOrCreate('token-signing-key', async () => 'the-pem');
    const bucket = await first.store.secrets.getOrCreate('bucket-signing-secret', async () => 'the-secret');
    await first.store.close();
    for (const [file, value] of [
      ['token-signing-key.pem', key],
      ['bucket-signing-secret', bucket],
    ] as const) {
      const path = join(dir, file);
      expect((await stat(path)).mode & 0o777, file).toBe(0o600);
      expect(await readFile(path, 'utf8')).toBe(value);
    }

    // A secret an earlier version (or an operator) put there is the one used.
    await writeFile(join(dir, 'bucket-signing-secret'), 'set-by-hand\n', { mode: 0o600 });
    const { store } = await open(dir);
    const refuse = async (): Promise<string> => {
      throw new Error('a stored secret must not be created again');
    };
    expect(await store.secrets.getOrCreate('token-signing-key', refuse)).toBe('the-pem');
    expect(await store.secrets.getOrCreate('bucket-signing-secret', refuse)).toBe('set-by-hand');
  });
});
