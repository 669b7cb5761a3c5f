import { useState } from 'preact/hooks';
import { admin, type JournalEntry, query } from '../adminApi.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { timeOf } from '../format.ts';
import { hrefOf } from '../route.ts';
import { useLive } from '../useLive.ts';

/** Recent partner requests, newest first; each refusal names the rule it broke. */
export function JournalView({ partner }: { partner: string }) {
  const [nearMissesOnly, setNearMissesOnly] = useState(false);
  const live = useLive(
    () =>
      admin<{ entries: JournalEntry[]; size: number; capacity: number }>(
        `/journal${query({ partner: partner || undefined, nearMissesOnly: nearMissesOnly || undefined, limit: 300 })}`,
      ),
    `${partner}|${nearMissesOnly}`,
  );
  const entries = live.data?.entries ?? [];
  return (
    <>
      <h1>Journal</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label class="inline">
          <input
            type="checkbox"
            checked={nearMissesOnly}
            onChange={(event) => setNearMissesOnly(event.currentTarget.checked)}
          />
          Near misses only (refused requests)
        </label>
      </form>
      <ErrorNote error={live.error} />
      <p class="muted" aria-live="polite">
        {live.data
          ? `${entries.length} shown; the journal keeps the last ${live.data.capacity} requests.`
          : 'Loading…'}
      </p>
      <div class="table-scroll">
        <table class="list" data-testid="journal">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Request</th>
              <th scope="col" class="num">
                Status
              </th>
              <th scope="col">Partner</th>
              <th scope="col">Rule broken</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} class={entry.nearMiss ? 'row-failed' : ''} data-testid="journal-row">
                <td>
                  <time dateTime={entry.at}>{timeOf(entry.at)}</time>
                </td>
                <td>
                  <code class="wrap">
                    {entry.method} {entry.path}
                  </code>
                  {entry.correlationId && (
                    <div>
                      <a href={hrefOf({ view: 'submission', id: entry.correlationId })}>
                        {entry.correlationId}
                      </a>
                    </div>
                  )}
                </td>
                <td class="num">{entry.status === 0 ? 'none' : entry.status}</td>
                <td>{entry.partnerId ?? <span class="muted">—</span>}</td>
                <td data-testid="near-miss">
                  {entry.nearMiss ? (
                    <>
                      <code>{entry.nearMiss.rule}</code>
                      {entry.nearMiss.field ? (
                        <>
                          {' '}
                          on <code>{entry.nearMiss.field}</code>
                          {entry.nearMiss.location ? ` (${entry.nearMiss.location})` : ''}
                        </>
                      ) : null}
                      <div class="wrap">{entry.nearMiss.message}</div>
                    </>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
