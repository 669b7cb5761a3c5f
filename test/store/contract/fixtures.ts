import { createHash, randomUUID } from 'node:crypto';
import {
  type CallbackDeliveryRecord,
  type DeliveryAttempt,
  openDelivery,
} from '../../../src/domain/CallbackDelivery.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/outcome.ts';
import type { Submission } from '../../../src/domain/Submission.ts';
import { type NewSubmission, openSubmission, recordScore } from '../../../src/domain/submissionLifecycle.ts';
import type { JournalEntry } from '../../../src/journal/JournalEntry.ts';
import type { SandboxStore, StoredAnswer } from '../../../src/store/SandboxStore.ts';
import type { SettableClock } from './harness.ts';

export const PARTNER = 'partner-a';
export const OTHER_PARTNER = 'partner-b';

export interface Upload {
  bytes: Buffer;
  contentType: string;
  etag: string;
}

/** Quoted lower-case hex MD5, as S3 (and the port) gives a single-part upload's ETag. */
export function etagOf(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

/** Distinct bytes per label, so every upload has its own ETag. */
export function upload(label: string, contentType = 'image/jpeg'): Upload {
  const bytes = Buffer.from(`\xff\xd8 image ${label} ${randomUUID()}`, 'latin1');
  return { bytes, contentType, etag: etagOf(bytes) };
}

export function newSubmission(
  clock: SettableClock,
  partnerId = PARTNER,
  fields: Partial<NewSubmission> & { createdAt?: Date } = {},
): Submission {
  const { createdAt, ...rest } = fields;
  return openSubmission(
    {
      correlationId: randomUUID(),
      partnerId,
      referenceId: null,
      documentType: 'KTP',
      callbackUrl: 'https://partner.example/callbacks',
      contentTypes: { SELFIE: 'image/jpeg', DOCUMENT: 'image/jpeg' },
      scenario: null,
      ...rest,
    },
    createdAt ?? clock.now(),
  );
}

export async function created(
  store: SandboxStore,
  clock: SettableClock,
  partnerId = PARTNER,
  fields: Partial<NewSubmission> & { createdAt?: Date } = {},
): Promise<Submission> {
  const submission = newSubmission(clock, partnerId, fields);
  await store.submissions.create(submission);
  return submission;
}

/** A submission with both images stored, still AWAITING_UPLOAD. */
export async function uploaded(
  store: SandboxStore,
  clock: SettableClock,
  partnerId = PARTNER,
  fields: Partial<NewSubmission> = {},
): Promise<{ submission: Submission; selfie: Upload; document: Upload }> {
  const submission = await created(store, clock, partnerId, fields);
  const selfie = upload('selfie');
  const document = upload('document');
  await putOrFail(store, submission.correlationId, 'SELFIE', selfie);
  await putOrFail(store, submission.correlationId, 'DOCUMENT', document);
  return { submission, selfie, document };
}

export async function putOrFail(
  store: SandboxStore,
  correlationId: string,
  role: 'SELFIE' | 'DOCUMENT',
  image: Upload,
): Promise<void> {
  const answer = await store.submissions.putImage(correlationId, role, image);
  if (answer !== 'stored')
    throw new Error(`setting up: putImage ${role} of ${correlationId} answered ${answer}`);
}

/** A confirmed (PROCESSING) submission whose scoring falls due at `processDueAt`. */
export async function processing(
  store: SandboxStore,
  clock: SettableClock,
  processDueAt: Date | null,
  partnerId = PARTNER,
  fields: Partial<NewSubmission> = {},
): Promise<Submission> {
  const { submission } = await uploaded(store, clock, partnerId, fields);
  const answer = await store.submissions.confirm(
    submission.correlationId,
    partnerId,
    clock.now(),
    processDueAt,
  );
  if (answer.kind !== 'started') throw new Error(`setting up: confirm answered ${answer.kind}`);
  return answer.submission;
}

/** The domain's COMPLETED record for a PROCESSING submission. */
export function scored(submission: Submission, clock: SettableClock, score = 90): Submission {
  return recordScore(
    submission,
    { score, reasons: [], selfie: null, document: null, engine: 'contract-test' },
    DEFAULT_THRESHOLDS,
    clock.now(),
  );
}

export function deliveryOf(
  submission: Submission,
  clock: SettableClock,
  fields: { at?: Date; nextAttemptAt?: Date; id?: string } = {},
): CallbackDeliveryRecord {
  const record = openDelivery({
    id: fields.id ?? `msg_${randomUUID().replaceAll('-', '')}`,
    correlationId: submission.correlationId,
    partnerId: submission.partnerId,
    url: submission.callbackUrl ?? 'https://partner.example/callbacks',
    body: JSON.stringify({ correlationId: submission.correlationId, status: 'COMPLETED' }),
    at: fields.at ?? clock.now(),
  });
  return fields.nextAttemptAt ? { ...record, nextAttemptAt: fields.nextAttemptAt.toISOString() } : record;
}

/** A COMPLETED submission with its pending delivery (first attempt due at `nextAttemptAt`, default now). */
export async function completed(
  store: SandboxStore,
  clock: SettableClock,
  partnerId = PARTNER,
  delivery: { at?: Date; nextAttemptAt?: Date } | null = {},
): Promise<{ submission: Submission; delivery: CallbackDeliveryRecord | null }> {
  // Processing due a day ahead: nothing would score it even if a queue ran.
  const started = await processing(store, clock, new Date(clock.now().getTime() + 86_400_000), partnerId);
  const record = delivery === null ? null : deliveryOf(started, clock, delivery);
  const answer = await store.submissions.finish(scored(started, clock), record);
  if (answer.kind !== 'finished') throw new Error(`setting up: finish answered ${answer.kind}`);
  return { submission: answer.submission, delivery: record };
}

export function attempt(clock: SettableClock, ok: boolean): DeliveryAttempt {
  return {
    at: clock.now().toISOString(),
    durationMs: 5,
    ok,
    ...(ok ? { statusCode: 204 } : { statusCode: 503, error: 'the receiver answered 503' }),
  };
}

export function journalEntry(
  clock: SettableClock,
  fields: Partial<JournalEntry> = {},
): Omit<JournalEntry, 'id'> {
  const at = clock.now().toISOString();
  return {
    at,
    businessAt: fields.partnerId === null ? null : at,
    method: 'GET',
    path: '/v1/submissions/abc/status',
    area: 'api',
    status: 200,
    durationMs: 1,
    partnerId: PARTNER,
    correlationId: null,
    nearMiss: null,
    ...fields,
  };
}

export function storedAnswer(clock: SettableClock, body: unknown = { ok: true }): StoredAnswer {
  return {
    status: 201,
    headers: { 'content-type': 'application/json' },
    body,
    fingerprint: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
    storedAt: clock.now().toISOString(),
  };
}

/** An Idempotency-Key as the port receives it: already a hash of partner and header value. */
export function idempotencyKey(partnerId: string, header = randomUUID()): string {
  return createHash('sha256')
    .update(JSON.stringify([partnerId, header]))
    .digest('hex');
}

export function later(clock: SettableClock, ms: number): Date {
  return new Date(clock.now().getTime() + ms);
}
