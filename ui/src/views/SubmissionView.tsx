import { useState } from 'preact/hooks';
import { type AdminSubmission, admin, type TimelineEvent } from '../adminApi.ts';
import { Badge } from '../components/Badge.tsx';
import { Delivery } from '../components/Delivery.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FaceImage } from '../components/FaceImage.tsx';
import { ScoreBar } from '../components/ScoreBar.tsx';
import { Timeline } from '../components/Timeline.tsx';
import { hrefOf } from '../route.ts';
import { useLive } from '../useLive.ts';

interface Loaded {
  submission: AdminSubmission;
  timeline: TimelineEvent[];
}

async function load(id: string): Promise<Loaded> {
  const path = `/submissions/${encodeURIComponent(id)}`;
  const [submission, timeline] = await Promise.all([
    admin<AdminSubmission>(path),
    admin<{ events: TimelineEvent[] }>(`${path}/timeline`),
  ]);
  return { submission, timeline: timeline.events };
}

/** One submission: its outcome on the partner's bands, both images with the faces found, its timeline and callbacks. */
export function SubmissionView({ id }: { id: string }) {
  const live = useLive(() => load(id), id);
  const loaded = live.data;
  if (!loaded) {
    return (
      <>
        <h1>
          Submission <code>{id}</code>
        </h1>
        <ErrorNote error={live.error} />
        {!live.error && <p aria-live="polite">Loading…</p>}
        <p>
          <a href={hrefOf({ view: 'submissions' })}>Back to the submissions</a>
        </p>
      </>
    );
  }
  const { submission, timeline } = loaded;
  const thresholds = submission.thresholds;
  const result = submission.result;
  const image = (type: 'SELFIE' | 'DOCUMENT') => submission.images.find((i) => i.imageType === type);
  const selfie = image('SELFIE');
  const document = image('DOCUMENT');
  // The engine's own view: the partner's face data plus the landmarks the face was aligned on.
  const analysisOf = (side: 'selfie' | 'document') => submission.analysis?.[side];
  return (
    <>
      <h1>
        Submission <code class="wrap">{submission.correlationId}</code>
      </h1>
      <ErrorNote error={live.error} />
      <dl class="facts summary" data-testid="submission-facts">
        <dt>Partner</dt>
        <dd>{submission.partnerId}</dd>
        <dt>Reference</dt>
        <dd>{submission.referenceId ?? '—'}</dd>
        <dt>Status</dt>
        <dd>
          <Badge value={submission.status} />
        </dd>
        <dt>Scenario</dt>
        <dd>
          {submission.scenario
            ? `${submission.scenario.name} (chosen by ${submission.scenario.source})`
            : 'none: the images and the engine decide'}
        </dd>
        <dt>Document type</dt>
        <dd>{submission.documentType}</dd>
        {result && (
          <>
            <dt>Engine</dt>
            <dd>{result.engine}</dd>
          </>
        )}
      </dl>

      <section aria-labelledby="result-heading">
        <h2 id="result-heading">Result</h2>
        {result && thresholds ? (
          <>
            <ScoreBar score={result.score} outcome={result.outcome} thresholds={thresholds} />
            <h3>Reasons</h3>
            {result.reasons.length === 0 ? (
              <p class="muted">None: nothing stood in the way of a score.</p>
            ) : (
              <ul class="reasons" data-testid="reasons">
                {result.reasons.map((reason) => (
                  <li key={reason.code + (reason.image ?? '')}>
                    <code>{reason.code}</code>
                    {reason.image ? ` (${reason.image.toLowerCase()})` : ''}
                    {reason.message ? `: ${reason.message}` : ''}
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : (
          <>
            <p>No result yet: the submission is {submission.status.toLowerCase().replace('_', ' ')}.</p>
            {submission.status === 'PROCESSING' && (
              <EndProcessing id={submission.correlationId} onDone={live.reload} />
            )}
          </>
        )}
      </section>

      <section aria-labelledby="images-heading">
        <h2 id="images-heading">Images</h2>
        <div class="faces">
          <FaceImage
            label="Selfie"
            href={selfie?.href ?? ''}
            uploaded={selfie?.uploaded ?? false}
            analysis={analysisOf('selfie')}
          />
          <FaceImage
            label="Document"
            href={document?.href ?? ''}
            uploaded={document?.uploaded ?? false}
            analysis={analysisOf('document')}
          />
        </div>
      </section>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <Timeline events={timeline} />
      </section>

      <section aria-labelledby="callbacks-heading">
        <h2 id="callbacks-heading">Callbacks</h2>
        {submission.callbacks.length === 0 && (
          <p class="muted">
            {submission.callbackUrl
              ? 'No delivery yet: the callback goes out when the submission completes.'
              : 'No callback URL: this submission is polled only.'}
          </p>
        )}
        {submission.callbacks.map((delivery) => (
          <Delivery key={delivery.webhookId} delivery={delivery} onChange={live.reload} />
        ))}
      </section>
    </>
  );
}

/** The way out of the `stuck` scenario (and a shortcut past `slow`): processing ends now. */
function EndProcessing({ id, onDone }: { id: string; onDone: () => void }) {
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  return (
    <div class="actions">
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setFailure(undefined);
          try {
            await admin(`/submissions/${encodeURIComponent(id)}/advance`, { method: 'POST' });
            onDone();
          } catch (error) {
            setFailure(error as Error);
          } finally {
            setBusy(false);
          }
        }}
      >
        End processing now
      </button>
      <ErrorNote error={failure} />
    </div>
  );
}
