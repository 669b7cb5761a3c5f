import type { AdminSubmission, JournalEntry, TimelineEvent } from '../adminApi.ts';
import { durationOf, timeOf } from '../format.ts';

/**
 * What happened to a submission, in order: creation, uploads, confirm, every poll, every refused
 * request with the rule it broke, the completion, and each callback attempt with the request sent,
 * the answer and its duration. `events` comes from the admin timeline; on a server without it the
 * same story is put together from the submission and the journal.
 */
export function Timeline({ events }: { events: TimelineEvent[] }) {
  return (
    <ol class="timeline" data-testid="timeline">
      {events.map((event, i) => (
        <li
          key={`${event.at}-${event.kind}-${i}`}
          class={failed(event) ? 'step-failed' : ''}
          data-kind={event.kind}
        >
          <time dateTime={event.at}>{timeOf(event.at)}</time> <Step event={event} />
        </li>
      ))}
    </ol>
  );
}

function failed(event: TimelineEvent): boolean {
  if (event.kind === 'refused') return true;
  if (event.kind === 'poll') return event.httpStatus >= 400 || event.httpStatus === 0;
  if (event.kind === 'callback-attempt') return !event.ok;
  return event.kind === 'completed' && event.status === 'FAILED';
}

function Step({ event }: { event: TimelineEvent }) {
  switch (event.kind) {
    case 'created':
      return (
        <>
          <strong>Created</strong>
          <div class="muted wrap">
            {event.documentType}
            {event.referenceId ? `, reference ${event.referenceId}` : ''}
            {event.scenario ? `, scenario ${event.scenario.name} (${event.scenario.source})` : ''}
            {event.callbackUrl ? `, callback to ${event.callbackUrl}` : ', no callback URL'}
          </div>
        </>
      );
    case 'upload':
      return (
        <>
          <strong>Upload {event.imageType.toLowerCase()}</strong>
          <div class="muted wrap">
            {event.contentType}, {event.size} bytes, ETag {event.etag}
          </div>
        </>
      );
    case 'confirmed':
      return <strong>Confirmed</strong>;
    case 'poll':
      return (
        <>
          <strong>Status poll → {event.httpStatus === 0 ? 'no answer' : event.httpStatus}</strong>{' '}
          <span class="muted">{durationOf(event.durationMs)}</span>
        </>
      );
    case 'refused':
      return (
        <>
          <strong>
            Refused: {event.method} {event.path.split('?')[0]} → {event.httpStatus}
          </strong>
          {event.nearMiss && (
            <div class="wrap">
              <code>{event.nearMiss.rule}</code>: {event.nearMiss.message}
              {event.nearMiss.field ? ` (${event.nearMiss.field})` : ''}
            </div>
          )}
        </>
      );
    case 'completed':
      return (
        <strong>
          Completed: {event.status}, {event.outcome}, score {event.score}
        </strong>
      );
    case 'callback-attempt': {
      const { request, response } = event;
      const answer =
        response.statusCode !== null ? `HTTP ${response.statusCode}` : (response.error ?? 'no answer');
      return (
        <>
          <strong>
            Callback attempt {event.attempt}: {event.ok ? 'delivered' : 'failed'} ({answer})
          </strong>{' '}
          <span class="muted">{durationOf(event.durationMs)}</span>
          <details>
            <summary>
              Request and answer<span class="visually-hidden"> of attempt {event.attempt}</span>
            </summary>
            <pre class="wrap">
              {`${request.method} ${request.url}\n`}
              {Object.entries(request.headers ?? {})
                .map(([name, value]) => `${name}: ${value}\n`)
                .join('')}
              {`\n${request.body}`}
            </pre>
            <pre class="wrap">
              {response.statusCode !== null ? `HTTP ${response.statusCode}` : 'No answer'}
              {response.error ? ` — ${response.error}` : ''}
              {response.bodyExcerpt ? `\n\n${response.bodyExcerpt}${response.bodyTruncated ? '…' : ''}` : ''}
            </pre>
          </details>
        </>
      );
    }
  }
}

/**
 * The timeline from what every server has (the submission, its callback log and the journal), for
 * a server whose admin API has no timeline route.
 */
export function timelineFrom(submission: AdminSubmission, journal: JournalEntry[]): TimelineEvent[] {
  const events: TimelineEvent[] = [
    {
      kind: 'created',
      at: submission.createdAt,
      referenceId: submission.referenceId,
      documentType: submission.documentType,
      callbackUrl: submission.callbackUrl,
      scenario: submission.scenario,
    },
  ];
  for (const entry of journal) {
    const path = entry.path.split('?')[0] ?? entry.path;
    if (entry.method === 'GET' && path.endsWith('/status')) {
      events.push({
        kind: 'poll',
        at: entry.at,
        journalId: entry.id,
        httpStatus: entry.status,
        durationMs: entry.durationMs,
      });
    } else if (entry.status >= 400) {
      events.push({
        kind: 'refused',
        at: entry.at,
        journalId: entry.id,
        method: entry.method,
        path: entry.path,
        httpStatus: entry.status,
        nearMiss: entry.nearMiss,
      });
    } else if (entry.area === 'bucket' && entry.method === 'PUT') {
      const imageType = path.endsWith('DOCUMENT') ? 'DOCUMENT' : 'SELFIE';
      const image = submission.images.find((i) => i.imageType === imageType);
      events.push({
        kind: 'upload',
        at: entry.at,
        imageType,
        size: image?.size ?? 0,
        contentType: image?.contentType ?? '',
        etag: image?.etag ?? '',
      });
    }
  }
  if (submission.confirmedAt) events.push({ kind: 'confirmed', at: submission.confirmedAt });
  if (submission.completedAt && (submission.status === 'COMPLETED' || submission.status === 'FAILED')) {
    events.push({
      kind: 'completed',
      at: submission.completedAt,
      status: submission.status,
      outcome: submission.outcome ?? 'ERROR',
      score: submission.score ?? 0,
    });
  }
  for (const delivery of submission.callbacks) {
    delivery.attempts.forEach((attempt, i) => {
      events.push({
        kind: 'callback-attempt',
        at: attempt.at,
        webhookId: delivery.webhookId,
        attempt: i + 1,
        durationMs: attempt.durationMs,
        ok: attempt.ok,
        request: { method: 'POST', url: delivery.url, headers: null, body: delivery.body },
        response: {
          statusCode: attempt.statusCode ?? null,
          bodyExcerpt: null,
          bodyTruncated: false,
          error: attempt.error ?? null,
        },
      });
    });
  }
  // Stable: events at the same instant keep the flow's order.
  return events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => Date.parse(a.event.at) - Date.parse(b.event.at) || a.i - b.i)
    .map(({ event }) => event);
}
