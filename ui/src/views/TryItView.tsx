import { useState } from 'preact/hooks';
import { admin, type MatchResult, type Scenario, signedInCredentials } from '../adminApi.ts';
import { Badge } from '../components/Badge.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ImageFileInput } from '../components/ImageFileInput.tsx';
import { runPartnerFlow } from '../partnerFlow.ts';
import { hrefOf } from '../route.ts';
import { useLive } from '../useLive.ts';

interface Step {
  step: string;
  detail?: string;
}

/** The whole partner flow from the browser, with the partner's own credentials and two local images. */
export function TryItView() {
  const scenarios = useLive(() => admin<{ scenarios: Scenario[] }>('/scenarios'), 'scenarios');
  // Signed in with a partner's client credentials, the page runs the flow as that partner.
  const [clientId, setClientId] = useState(() => signedInCredentials()?.clientId ?? 'demo');
  const [clientSecret, setClientSecret] = useState(
    () => signedInCredentials()?.clientSecret ?? 'demo-secret',
  );
  const [referenceId, setReferenceId] = useState('');
  const [scenario, setScenario] = useState('');
  const [selfie, setSelfie] = useState<File>();
  const [document, setDocument] = useState<File>();
  const [steps, setSteps] = useState<Step[]>([]);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error>();
  const [outcome, setOutcome] = useState<{ id: string; status: string; result: MatchResult | null }>();

  const run = async (event: Event) => {
    event.preventDefault();
    if (!selfie || !document) {
      setError(new Error('Choose both images: a selfie and a document.'));
      return;
    }
    setRunning(true);
    setError(undefined);
    setOutcome(undefined);
    setSteps([]);
    try {
      const details = await runPartnerFlow(
        { clientId, clientSecret, referenceId, scenario, selfie, document },
        (step, detail) => setSteps((done) => [...done, detail === undefined ? { step } : { step, detail }]),
      );
      setOutcome({ id: details.correlationId, status: details.status, result: details.result });
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setRunning(false);
    }
  };

  return (
    <>
      <h1>Try it</h1>
      <p>
        Runs the partner flow from this browser through the real partner API and bucket: token, create, upload
        both images to their presigned URLs, confirm, poll, details.
      </p>
      <form class="card try-form" onSubmit={run}>
        <fieldset>
          <legend>Partner credentials</legend>
          <label>
            Client id
            <input
              value={clientId}
              onInput={(e) => setClientId(e.currentTarget.value)}
              required
              autoComplete="off"
            />
          </label>
          <label>
            Client secret
            <input
              type="password"
              value={clientSecret}
              onInput={(e) => setClientSecret(e.currentTarget.value)}
              required
              autoComplete="off"
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>Submission</legend>
          <label>
            Reference id (optional)
            <input
              value={referenceId}
              onInput={(e) => setReferenceId(e.currentTarget.value)}
              maxLength={128}
            />
          </label>
          <label>
            Scenario (optional; sent as a Prefer header)
            <select value={scenario} onChange={(e) => setScenario(e.currentTarget.value)}>
              <option value="">none: the images and the engine decide</option>
              {(scenarios.data?.scenarios ?? []).map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <ImageFileInput label="Selfie" onPick={setSelfie} />
          <ImageFileInput label="Document" onPick={setDocument} />
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={running}>
            {running ? 'Running…' : 'Run the flow'}
          </button>
        </div>
      </form>
      {steps.length > 0 && (
        <section aria-labelledby="progress-heading">
          <h2 id="progress-heading">Progress</h2>
          <ol class="timeline" aria-live="polite" data-testid="try-steps">
            {steps.map((s, i) => (
              <li key={`${s.step}-${i}`}>
                <strong>{s.step}</strong>
                {s.detail && <span class="muted"> — {s.detail}</span>}
              </li>
            ))}
          </ol>
        </section>
      )}
      <ErrorNote error={error} />
      {outcome && (
        <section class="card" aria-labelledby="outcome-heading" data-testid="try-outcome">
          <h2 id="outcome-heading">Outcome</h2>
          <p>
            <Badge value={outcome.status} />{' '}
            {outcome.result ? (
              <>
                score <strong>{outcome.result.score}</strong> <Badge value={outcome.result.outcome} />
              </>
            ) : null}
          </p>
          <p>
            <a href={hrefOf({ view: 'submission', id: outcome.id })}>Open submission {outcome.id}</a>
          </p>
        </section>
      )}
    </>
  );
}
