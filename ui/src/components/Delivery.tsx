import { useState } from 'preact/hooks';
import { admin, type CallbackDelivery } from '../adminApi.ts';
import { durationOf, timeOf } from '../format.ts';
import { hrefOf } from '../route.ts';
import { Badge } from './Badge.tsx';

/**
 * One completion-callback delivery: where it went, every attempt with its answer and duration, the
 * exact body signed, and a button that sends it again (same webhook-id, signed afresh).
 */
export function Delivery({
  delivery,
  onChange,
  showSubmission = false,
  headingLevel = 3,
}: {
  delivery: CallbackDelivery;
  onChange: () => void;
  showSubmission?: boolean;
  headingLevel?: 2 | 3;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const redeliver = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      await admin(`/callbacks/${encodeURIComponent(delivery.webhookId)}/redeliver`, { method: 'POST' });
      setMessage('Sent again: the new attempt appears below.');
      onChange();
    } catch (error) {
      setMessage((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card delivery" aria-label={`Delivery ${delivery.webhookId}`} data-testid="delivery">
      <Heading class="delivery-title">
        <Badge value={delivery.state} /> <code>{delivery.webhookId}</code>
      </Heading>
      <dl class="facts">
        {showSubmission && (
          <>
            <dt>Submission</dt>
            <dd>
              <a href={hrefOf({ view: 'submission', id: delivery.correlationId })}>
                {delivery.correlationId}
              </a>{' '}
              <span class="muted">({delivery.partnerId})</span>
            </dd>
          </>
        )}
        <dt>URL</dt>
        <dd>
          <code class="wrap">POST {delivery.url}</code>
        </dd>
        {delivery.nextAttemptAt && (
          <>
            <dt>Next attempt</dt>
            <dd>{timeOf(delivery.nextAttemptAt)}</dd>
          </>
        )}
        {delivery.failureReason && (
          <>
            <dt>Given up</dt>
            <dd>{delivery.failureReason}</dd>
          </>
        )}
      </dl>
      <div class="table-scroll">
        <table class="attempts">
          <caption class="visually-hidden">Delivery attempts, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Sent</th>
              <th scope="col">Answer</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {delivery.attempts.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  No attempt yet.
                </td>
              </tr>
            )}
            {delivery.attempts.map((attempt, i) => (
              <tr key={attempt.at + String(i)} data-testid="attempt" class={attempt.ok ? '' : 'row-failed'}>
                <td>{i + 1}</td>
                <td>{timeOf(attempt.at)}</td>
                <td>
                  {attempt.ok ? '✓ ' : '✗ '}
                  {attempt.statusCode !== undefined ? `HTTP ${attempt.statusCode}` : ''}
                  {attempt.error ? ` ${attempt.error}` : ''}
                  {attempt.statusCode === undefined && !attempt.error
                    ? attempt.ok
                      ? 'delivered'
                      : 'failed'
                    : ''}
                  {attempt.responseBodyExcerpt ? (
                    <details>
                      <summary>
                        Answer body<span class="visually-hidden"> of attempt {i + 1}</span>
                      </summary>
                      <pre class="wrap">
                        {attempt.responseBodyExcerpt}
                        {attempt.responseBodyTruncated ? '…' : ''}
                      </pre>
                    </details>
                  ) : null}
                </td>
                <td>{durationOf(attempt.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary>Request body (signed, the same on every attempt)</summary>
        <pre class="wrap">{prettyJson(delivery.body)}</pre>
      </details>
      <div class="actions">
        <button type="button" onClick={redeliver} disabled={busy}>
          Redeliver<span class="visually-hidden"> {delivery.webhookId}</span>
        </button>
        {message && (
          <span role="status" class="muted">
            {message}
          </span>
        )}
      </div>
    </section>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
