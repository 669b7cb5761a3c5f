import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../support/postgres.ts';
import { captureLog, eventually, processingSubmission, storeOpener } from './postgresStores.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(unavailable);

const jobs = { pollIntervalMs: 50, heartbeatMs: 200, deadAfterMs: 1_500 };
/** The documented bound, and room for a loaded CI machine on top of it. */
const TAKE_OVER_MS = jobs.deadAfterMs + jobs.heartbeatMs + jobs.pollIntervalMs;
const SLACK_MS = 2_000;

/** A second instance in a process of its own, reporting each job its handlers take (and never finish). */
function startHangingWorker(databaseUrl: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./hangingWorker.ts', import.meta.url)),
      databaseUrl,
      JSON.stringify(jobs),
    ],
    { cwd: fileURLToPath(new URL('../../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).on('line', (line) =>
    lines.push(line),
  );
  return { child, lines };
}

describe.skipIf(unavailable !== null)('PostgreSQL store take-over of a dead instance’s jobs', () => {
  let database: TestDatabase;
  const stores = storeOpener(() => database.url);
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('takeover');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await stores.stopWork();
  });
  afterAll(async () => {
    await stores.closeAll();
    await database?.drop();
  });

  it('a job locked by an instance killed mid-handler runs on another within deadAfter + heartbeat + poll', async () => {
    const front = await stores.open({ jobs });
    const hanging = startHangingWorker(database.url);
    children.push(hanging.child);
    await eventually(
      () => hanging.lines.includes('started'),
      'the second instance to start its work queue',
      30_000,
    );

    const submission = processingSubmission('partner-takeover', new Date());
    await front.submissions.create(submission);
    await eventually(
      () => hanging.lines.includes(`taken ${submission.correlationId}`),
      'the second instance to take the job',
    );
    hanging.child.kill('SIGKILL');

    const log = captureLog();
    const survivor = await stores.open({ jobs, log });
    const processed: string[] = [];
    await survivor.work.start(
      { process: async (id) => void processed.push(id), deliver: async () => undefined },
      { processConcurrency: 1, deliverConcurrency: 1 },
    );
    await eventually(
      () => processed.includes(submission.correlationId),
      'the surviving instance to take the dead one’s job over',
      TAKE_OVER_MS + SLACK_MS,
    );
    expect(log.warnings.some((w) => w.includes('took over the jobs of instance'))).toBe(true);
  });

  it('a job locked long ago by a worker no live instance owns is taken over too', async () => {
    const front = await stores.open({ jobs });
    const submission = processingSubmission('partner-orphan', new Date());
    await front.submissions.create(submission);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `UPDATE facematch_jobs._private_jobs SET locked_by = 'pool-that-died-before-its-first-heartbeat',
                locked_at = now() - interval '1 hour'
          WHERE key = $1`,
        [`process:${submission.correlationId}`],
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    const processed: string[] = [];
    await front.work.start(
      { process: async (id) => void processed.push(id), deliver: async () => undefined },
      { processConcurrency: 1, deliverConcurrency: 1 },
    );
    await eventually(
      () => processed.includes(submission.correlationId),
      'the orphaned job to be unlocked and run',
      jobs.heartbeatMs + jobs.pollIntervalMs + SLACK_MS,
    );
  });
});
