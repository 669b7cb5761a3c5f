import type { CallbackDeliveryRecord } from '../../domain/CallbackDelivery.ts';
import type { ClockState } from '../../domain/clockState.ts';
import type { Submission } from '../../domain/Submission.ts';
import { confirmUploads, processingDue } from '../../domain/submissionLifecycle.ts';
import type { ImageRole } from '../../scoring/ScoringEngine.ts';
import type {
  ConfirmAnswer,
  FinishAnswer,
  ImageMeta,
  StateChange,
  StoredImage,
  StoreOptions,
  SubmissionFilter,
  SubmissionStore,
} from '../SandboxStore.ts';
import { clockOf, initialFrozenAt, lockPartnerClock } from './clockTable.ts';
import type { Sql } from './database.ts';
import { addJobCall, jobRunAt, removeJobCall } from './jobs/jobPlacement.ts';
import { cutoffs } from './retention.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/** The columns kept beside a submission's record, as the port filters and schedules on them. */
function columnsOf(submission: Submission) {
  return {
    partnerId: submission.partnerId,
    status: submission.status,
    referenceId: submission.referenceId,
    scenario: submission.scenario?.name ?? null,
    createdAt: submission.createdAt,
    processDueAt: submission.processDueAt ?? null,
    record: JSON.stringify(submission),
  };
}

/** When processing of this record falls due, if it is work at all. */
function processingDueAt(submission: Submission): Date | null {
  return submission.status === 'PROCESSING' && submission.processDueAt
    ? new Date(submission.processDueAt)
    : null;
}

function changeOf(submission: Pick<Submission, 'correlationId' | 'partnerId'>): StateChange {
  return { kind: 'submission', correlationId: submission.correlationId, partnerId: submission.partnerId };
}

/**
 * Reads the submission for a step, locked until the step commits, with its partner's clock locked
 * shared before it (every step takes the clock first, then its rows, then jobs: no two steps wait
 * on each other in a circle). Undefined if the submission is absent or expired.
 */
async function lockSubmission(
  tx: Sql,
  correlationId: string,
  options: StoreOptions,
): Promise<{ submission: Submission; clock: ClockState } | undefined> {
  const { rows } = await tx.query(
    `SELECT s.record, c.offset_ms, c.frozen_at_ms
       FROM facematch.submissions s CROSS JOIN LATERAL facematch.partner_clock(s.partner_id, $3, false) c
      WHERE s.correlation_id = $1 AND s.created_at > $2
      FOR UPDATE OF s`,
    [correlationId, cutoffs(options).submissions, initialFrozenAt(options)],
  );
  const row = rows[0];
  return row && { submission: row.record, clock: clockOf(row as never) };
}

export function createSubmissionTable(ctx: StoreContext): SubmissionStore {
  const { db, options, origin, feed } = ctx;

  /**
   * Writes the submission's new record, tells every instance, and schedules its processing job
   * when `runAt` is given, in one statement of the caller's transaction.
   */
  async function writeRecord(tx: Sql, next: Submission, runAt: string | null): Promise<void> {
    const c = columnsOf(next);
    await tx.query(
      `WITH written AS (
         UPDATE facematch.submissions
            SET status = $2, reference_id = $3, scenario = $4, process_due_at = $5, record = $6::json
          WHERE correlation_id = $1
         RETURNING correlation_id
       ),
       published AS (SELECT facematch.publish_change($7, $8::json) FROM written),
       scheduled AS (SELECT (${addJobCall("'process'", '$1', '$9')}).id FROM written WHERE $9::text IS NOT NULL)
       SELECT (SELECT count(*) FROM published), (SELECT count(*) FROM scheduled)`,
      [
        next.correlationId,
        c.status,
        c.referenceId,
        c.scenario,
        c.processDueAt,
        c.record,
        origin,
        JSON.stringify(changeOf(next)),
        runAt,
      ],
    );
  }

  return {
    create: (submission) =>
      reaching('submissions.create', async () => {
        const c = columnsOf(submission);
        const due = processingDueAt(submission);
        const insert = async (sql: Sql, runAt: string | null) =>
          sql.query(
            `WITH created AS (
               INSERT INTO facematch.submissions
                 (correlation_id, partner_id, status, reference_id, scenario, created_at, process_due_at, record)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json)
               RETURNING correlation_id
             ),
             published AS (SELECT facematch.publish_change($9, $10::json) FROM created),
             scheduled AS (SELECT (${addJobCall("'process'", '$1', '$11')}).id FROM created WHERE $11::text IS NOT NULL)
             SELECT (SELECT count(*) FROM published), (SELECT count(*) FROM scheduled)`,
            [
              submission.correlationId,
              c.partnerId,
              c.status,
              c.referenceId,
              c.scenario,
              c.createdAt,
              c.processDueAt,
              c.record,
              origin,
              JSON.stringify(changeOf(submission)),
              runAt,
            ],
          );
        if (due === null) {
          await insert(db, null);
        } else {
          // Created already processing (an import, a test's shortcut): its work is scheduled with it.
          await db.transaction(async (tx) => {
            const clock = await lockPartnerClock(tx, submission.partnerId, options);
            await insert(tx, jobRunAt(due, clock, options.now()));
          });
        }
        feed.emit(changeOf(submission));
      }),

    get: (correlationId) =>
      reaching('submissions.get', async () => {
        const { rows } = await db.query(
          'SELECT record FROM facematch.submissions WHERE correlation_id = $1 AND created_at > $2',
          [correlationId, cutoffs(options).submissions],
        );
        return rows[0]?.record;
      }),

    list: (filter: SubmissionFilter) =>
      reaching('submissions.list', async () => {
        const values: unknown[] = [cutoffs(options).submissions];
        const where = ['created_at > $1'];
        const match = (column: string, value: unknown) => {
          if (value === undefined) return;
          values.push(value);
          where.push(`${column} = $${values.length}`);
        };
        match('partner_id', filter.partnerId);
        match('status', filter.status);
        match('scenario', filter.scenario);
        match('correlation_id', filter.correlationId);
        match('reference_id', filter.referenceId);
        let limit = '';
        if (filter.limit !== undefined) {
          values.push(Math.max(0, Math.floor(filter.limit)));
          limit = ` LIMIT $${values.length}`;
        }
        const { rows } = await db.query(
          `SELECT record FROM facematch.submissions WHERE ${where.join(' AND ')}
            ORDER BY created_at DESC, correlation_id DESC${limit}`,
          values,
        );
        return rows.map((row) => row.record as Submission);
      }),

    putImage: (correlationId, role, image) =>
      reaching('submissions.putImage', async () => {
        // The submission row is locked first, as confirm locks it: an upload waits for a confirm
        // under way and then finds the submission no longer AWAITING_UPLOAD.
        const { rows } = await db.query(
          `WITH target AS (
             SELECT correlation_id, partner_id FROM facematch.submissions
              WHERE correlation_id = $1 AND status = 'AWAITING_UPLOAD' AND created_at > $2
              FOR UPDATE
           ),
           stored AS (
             INSERT INTO facematch.images (correlation_id, role, content_type, etag, size, stored_at, bytes)
             SELECT correlation_id, $3, $4, $5, $6, $7, $8 FROM target
             ON CONFLICT (correlation_id, role) DO UPDATE
               SET content_type = EXCLUDED.content_type, etag = EXCLUDED.etag, size = EXCLUDED.size,
                   stored_at = EXCLUDED.stored_at, bytes = EXCLUDED.bytes
             RETURNING correlation_id
           )
           SELECT target.partner_id,
                  facematch.publish_change($9, json_build_object(
                    'kind', 'submission', 'correlationId', target.correlation_id, 'partnerId', target.partner_id))
             FROM target JOIN stored ON stored.correlation_id = target.correlation_id`,
          [
            correlationId,
            cutoffs(options).submissions,
            role,
            image.contentType,
            image.etag,
            image.bytes.length,
            options.now(),
            image.bytes,
            origin,
          ],
        );
        const stored = rows[0];
        if (!stored) return 'locked';
        feed.emit({ kind: 'submission', correlationId, partnerId: stored.partner_id });
        return 'stored';
      }),

    image: (correlationId, role) =>
      reaching('submissions.image', async () => {
        const row = await readImage(correlationId, role, true);
        const image: StoredImage | null = row ? { ...metaOf(row), bytes: row.bytes as Buffer } : null;
        return image;
      }),

    imageMeta: (correlationId, role) =>
      reaching('submissions.imageMeta', async () => {
        const row = await readImage(correlationId, role, false);
        return row ? metaOf(row) : null;
      }),

    confirm: (correlationId, partnerId, at, processDueAt) =>
      reaching('submissions.confirm', () =>
        db.transaction(async (tx): Promise<ConfirmAnswer> => {
          const locked = await lockSubmission(tx, correlationId, options);
          if (!locked || locked.submission.partnerId !== partnerId) return { kind: 'not-found' };
          const { submission, clock } = locked;
          let uploads: Partial<Record<ImageRole, string>> = {};
          if (submission.status === 'AWAITING_UPLOAD') {
            // Read after the lock, in a statement of its own: an upload that committed while this
            // step waited is seen, so the ETag recorded is that of the bytes the job will score.
            const { rows } = await tx.query(
              `SELECT json_object_agg(role, etag) AS etags FROM facematch.images
                WHERE correlation_id = $1 AND stored_at > $2`,
              [correlationId, cutoffs(options).images],
            );
            uploads = rows[0]?.etags ?? {};
          }
          const outcome = confirmUploads(submission, uploads, at, processDueAt);
          if (outcome.kind === 'started') {
            const runAt = processDueAt ? jobRunAt(processDueAt, clock, options.now()) : null;
            await writeRecord(tx, outcome.submission, runAt);
            tx.afterCommit(() => feed.emit(changeOf(outcome.submission)));
          }
          return outcome;
        }),
      ),

    dueProcessing: (correlationId, dueAt) =>
      reaching('submissions.dueProcessing', () =>
        db.transaction(async (tx) => {
          const locked = await lockSubmission(tx, correlationId, options);
          if (!locked) return undefined;
          const next = processingDue(locked.submission, dueAt);
          if (next === locked.submission) return next;
          await writeRecord(tx, next, jobRunAt(dueAt, locked.clock, options.now()));
          tx.afterCommit(() => feed.emit(changeOf(next)));
          return next;
        }),
      ),

    finish: (finished, delivery) =>
      reaching('submissions.finish', () =>
        db.transaction(async (tx): Promise<FinishAnswer> => {
          const locked = await lockSubmission(tx, finished.correlationId, options);
          if (locked?.submission.status !== 'PROCESSING') {
            return { kind: 'not-processing', submission: locked?.submission };
          }
          const due = delivery?.nextAttemptAt ? new Date(delivery.nextAttemptAt) : null;
          const runAt = due ? jobRunAt(due, locked.clock, options.now()) : null;
          await finishWithDelivery(tx, finished, delivery, runAt);
          tx.afterCommit(() => feed.emit(changeOf(finished)));
          return { kind: 'finished', submission: finished };
        }),
      ),
  };

  async function readImage(correlationId: string, role: ImageRole, withBytes: boolean) {
    const limits = cutoffs(options);
    const { rows } = await db.query<ImageRow>(
      `SELECT i.content_type, i.etag, i.size, i.stored_at${withBytes ? ', i.bytes' : ''}
         FROM facematch.images i JOIN facematch.submissions s ON s.correlation_id = i.correlation_id
        WHERE i.correlation_id = $1 AND i.role = $2 AND i.stored_at > $3 AND s.created_at > $4`,
      [correlationId, role, limits.images, limits.submissions],
    );
    return rows[0];
  }

  /**
   * The finished record, its processing job gone, and its one delivery with that delivery's job:
   * one statement. A delivery already recorded for the submission is kept (the unique key on
   * correlation_id makes a second one impossible).
   */
  async function finishWithDelivery(
    tx: Sql,
    finished: Submission,
    delivery: CallbackDeliveryRecord | null,
    runAt: string | null,
  ): Promise<void> {
    const c = columnsOf(finished);
    await tx.query(
      `WITH written AS (
         UPDATE facematch.submissions
            SET status = $2, reference_id = $3, scenario = $4, process_due_at = $5, record = $6::json
          WHERE correlation_id = $1
         RETURNING correlation_id
       ),
       unscheduled AS (SELECT (${removeJobCall("'process'", '$1')}).id FROM written),
       published AS (SELECT facematch.publish_change($7, $8::json) FROM written),
       delivery AS (
         INSERT INTO facematch.deliveries
           (webhook_id, correlation_id, partner_id, state, next_attempt_at, created_at, revision, record)
         SELECT $9, $1, $10, $11, $12, $13, $14, $15::json FROM written WHERE $9::text IS NOT NULL
         ON CONFLICT DO NOTHING
         RETURNING webhook_id
       ),
       scheduled AS (SELECT (${addJobCall("'deliver'", 'delivery.webhook_id', '$16')}).id FROM delivery WHERE $16::text IS NOT NULL)
       SELECT (SELECT count(*) FROM unscheduled), (SELECT count(*) FROM published), (SELECT count(*) FROM scheduled)`,
      [
        finished.correlationId,
        c.status,
        c.referenceId,
        c.scenario,
        c.processDueAt,
        c.record,
        origin,
        JSON.stringify(changeOf(finished)),
        delivery?.id ?? null,
        delivery?.partnerId ?? null,
        delivery?.state ?? null,
        delivery?.nextAttemptAt ?? null,
        delivery?.createdAt ?? null,
        delivery?.revision ?? null,
        delivery ? JSON.stringify(delivery) : null,
        runAt,
      ],
    );
  }
}

interface ImageRow {
  content_type: string;
  etag: string;
  size: number;
  stored_at: Date;
  bytes?: Buffer;
}

function metaOf(row: ImageRow): ImageMeta {
  return { contentType: row.content_type, etag: row.etag, size: row.size, storedAt: row.stored_at };
}
