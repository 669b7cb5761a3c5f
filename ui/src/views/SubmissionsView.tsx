import { useEffect, useState } from 'preact/hooks';
import { admin, query, type SubmissionSummary } from '../adminApi.ts';
import { Badge } from '../components/Badge.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ageOf } from '../format.ts';
import { hrefOf } from '../route.ts';
import { useLive } from '../useLive.ts';

const STATUSES = ['AWAITING_UPLOAD', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;

/** Every submission of the chosen partner (or all), newest first, current without a reload. */
export function SubmissionsView({ partner }: { partner: string }) {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const live = useLive(
    () =>
      admin<{ submissions: SubmissionSummary[] }>(
        `/submissions${query({ partner: partner || undefined, status: status || undefined, limit: 500 })}`,
      ),
    `${partner}|${status}`,
  );
  const needle = search.trim().toLowerCase();
  // Matched here, not by the API's exact filters, so part of an id finds it.
  const shown = (live.data?.submissions ?? []).filter(
    (s) =>
      !needle ||
      s.correlationId.toLowerCase().includes(needle) ||
      (s.referenceId ?? '').toLowerCase().includes(needle),
  );
  const now = useNow(10_000);
  return (
    <>
      <h1>Submissions</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search by correlationId or referenceId
          <input
            type="search"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
            placeholder="e.g. loan-42"
          />
        </label>
        <label>
          Status
          <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={live.error} />
      <p class="muted" aria-live="polite">
        {live.data ? `${shown.length} submission${shown.length === 1 ? '' : 's'}` : 'Loading…'}
      </p>
      <div class="table-scroll">
        <table class="list" data-testid="submissions">
          <thead>
            <tr>
              <th scope="col">Correlation id</th>
              <th scope="col">Partner</th>
              <th scope="col">Reference</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">
                Score
              </th>
              <th scope="col">Scenario</th>
              <th scope="col">Age</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.correlationId} data-testid="submission-row" data-id={s.correlationId}>
                <td>
                  <a href={hrefOf({ view: 'submission', id: s.correlationId })}>
                    <code>{s.correlationId}</code>
                  </a>
                </td>
                <td>{s.partnerId}</td>
                <td>{s.referenceId ?? <span class="muted">—</span>}</td>
                <td>
                  <Badge value={s.status} />
                </td>
                <td data-testid="outcome">
                  <Badge value={s.outcome} />
                </td>
                <td class="num">{s.score ?? <span class="muted">—</span>}</td>
                <td>
                  {s.scenario ? (
                    <span title={`chosen by ${s.scenario.source}`}>{s.scenario.name}</span>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                <td>
                  <time dateTime={s.createdAt} title={s.createdAt}>
                    {ageOf(s.createdAt, now)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {live.data && shown.length === 0 && (
        <p>
          No submissions yet{needle ? ' match' : ''}. Start one with{' '}
          <a href={hrefOf({ view: 'try' })}>Try it</a> or from your own backend.
        </p>
      )}
    </>
  );
}

/** The time now, renewed every `everyMs`: ages keep counting between changes. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
