import type { TimelineEvent } from '../adminApi.ts';
import { durationOf, timeOf } from '../format.ts';

/**
 * What happened to a submission, in order: creation, uploads, confirm, every poll, every refused
 * request with the rule it broke, the completion, and each callback attempt with the request sent,
 * the answer and its duration (`GET /__admin/submissions/{id}/timeline`).
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
