import type { CallbackDeliveryRecord } from '../domain/CallbackDelivery.ts';
import type { Submission } from '../domain/Submission.ts';
import type { JournalEntry } from '../journal/JournalEntry.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';
import type { ImageMeta } from '../store/SandboxStore.ts';
import type { components } from './generated/admin.ts';

type Schemas = components['schemas'];
export type TimelineEvent = Schemas['TimelineEvent'];

export interface TimelineSources {
  submission: Submission;
  /** The object stored now for each image, or null when none is. */
  uploads: Record<ImageRole, ImageMeta | null>;
  /** Oldest first. */
  deliveries: CallbackDeliveryRecord[];
  /** The journal's entries about this submission, in any order. */
  journal: JournalEntry[];
}

// Events at the same instant read in the order the flow makes them happen.
const FLOW_ORDER: Record<TimelineEvent['kind'], number> = {
  created: 0,
  upload: 1,
  refused: 2,
  confirmed: 3,
  poll: 4,
  completed: 5,
  'callback-attempt': 6,
};

const STATUS_POLL = /^\/v1\/submissions\/[^/?]+\/status(\?|$)/;

/**
 * One submission's history from everything the mock keeps about it, oldest first. Every time is
 * business time on the partner's clock (journal entries by their businessAt), so advancing a test
 * clock does not shuffle polls in among later events.
 */
export function submissionTimeline(sources: TimelineSources): TimelineEvent[] {
  const { submission: s } = sources;
  const events: TimelineEvent[] = [
    {
      kind: 'created',
      at: s.createdAt,
      referenceId: s.referenceId,
      documentType: s.documentType,
      callbackUrl: s.callbackUrl,
      scenario: s.scenario ?? null,
    },
  ];
  for (const [imageType, meta] of Object.entries(sources.uploads) as Array<[ImageRole, ImageMeta | null]>) {
    if (meta === null) continue;
    events.push({
      kind: 'upload',
      at: meta.storedAt.toISOString(),
      imageType,
      size: meta.size,
      contentType: meta.contentType,
      etag: meta.etag,
    });
  }
  if (s.confirmedAt) events.push({ kind: 'confirmed', at: s.confirmedAt });
  for (const entry of sources.journal) {
    const at = entry.businessAt ?? entry.at;
    if (entry.method === 'GET' && STATUS_POLL.test(entry.path)) {
      events.push({
        kind: 'poll',
        at,
        journalId: entry.id,
        httpStatus: entry.status,
        durationMs: entry.durationMs,
      });
    } else if (entry.status >= 400) {
      events.push({
        kind: 'refused',
        at,
        journalId: entry.id,
        method: entry.method,
        path: entry.path,
        httpStatus: entry.status,
        nearMiss: entry.nearMiss,
      });
    }
  }
  if (s.completedAt && s.result && (s.status === 'COMPLETED' || s.status === 'FAILED')) {
    events.push({
      kind: 'completed',
      at: s.completedAt,
      status: s.status,
      outcome: s.result.outcome,
      score: s.result.score,
    });
  }
  for (const delivery of sources.deliveries) {
    delivery.attempts.forEach((attempt, index) => {
      events.push({
        kind: 'callback-attempt',
        at: attempt.at,
        webhookId: delivery.id,
        attempt: index + 1,
        durationMs: attempt.durationMs,
        ok: attempt.ok,
        request: {
          method: 'POST',
          url: delivery.url,
          headers: attempt.requestHeaders ?? null,
          body: delivery.body,
        },
        response: {
          statusCode: attempt.statusCode ?? null,
          bodyExcerpt: attempt.responseBodyExcerpt ?? null,
          bodyTruncated: attempt.responseBodyTruncated ?? false,
          error: attempt.error ?? null,
        },
      });
    });
  }
  return events
    .map((event, index) => ({ event, index, time: Date.parse(event.at) }))
    .sort(
      (a, b) => a.time - b.time || FLOW_ORDER[a.event.kind] - FLOW_ORDER[b.event.kind] || a.index - b.index,
    )
    .map(({ event }) => event);
}
