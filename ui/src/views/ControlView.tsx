import { useState } from 'preact/hooks';
import {
  type AdminCaller,
  type AdminPartner,
  admin,
  type ClockState,
  type Scenario,
  type ScenarioQueue,
} from '../adminApi.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { useLive } from '../useLive.ts';

interface Loaded {
  scenarios: Scenario[];
  queue: ScenarioQueue;
  clock: ClockState;
}

/**
 * Steering one partner: the scenario of its next submissions, its test clock, a clean slate. The
 * operator picks the partner and may also reset everything; a partner steers only itself.
 */
export function ControlView({
  partners,
  partner,
  role,
}: {
  partners: AdminPartner[];
  partner: string;
  role: AdminCaller['role'] | undefined;
}) {
  const operator = role === 'operator';
  const [chosen, setChosen] = useState(partner || partners[0]?.clientId || '');
  const clientId = partners.some((p) => p.clientId === chosen) ? chosen : (partners[0]?.clientId ?? '');
  const base = `/partners/${encodeURIComponent(clientId)}`;
  const live = useLive(async (): Promise<Loaded> => {
    const [scenarios, queue, clock] = await Promise.all([
      admin<{ scenarios: Scenario[] }>('/scenarios'),
      admin<ScenarioQueue>(`${base}/scenario-queue`),
      admin<ClockState>(`${base}/clock`),
    ]);
    return { scenarios: scenarios.scenarios, queue, clock };
  }, clientId);
  const [message, setMessage] = useState<string>();
  const [failure, setFailure] = useState<Error>();

  const act = async (done: string, call: () => Promise<unknown>) => {
    setFailure(undefined);
    setMessage(undefined);
    try {
      await call();
      setMessage(done);
      await live.reload();
    } catch (error) {
      setFailure(error as Error);
    }
  };

  return (
    <>
      <h1>Control</h1>
      {operator ? (
        <p>
          <label>
            Partner to control{' '}
            <select value={clientId} onChange={(event) => setChosen(event.currentTarget.value)}>
              {partners.map((p) => (
                <option key={p.clientId} value={p.clientId}>
                  {p.clientId}
                  {p.name ? ` (${p.name})` : ''}
                </option>
              ))}
            </select>
          </label>
        </p>
      ) : role === 'partner' ? (
        <p>
          Controlling <strong>{clientId}</strong>: a partner steers its own scenarios, clock and data only.
        </p>
      ) : null}
      <ErrorNote error={live.error ?? failure} />
      <p role="status" class="status-line">
        {message ?? ''}
      </p>
      {live.data && (
        <div class="control-grid">
          <ScenarioPanel clientId={clientId} base={base} loaded={live.data} act={act} />
          <ClockPanel base={base} clock={live.data.clock} act={act} />
          <ResetPanel clientId={clientId} base={base} act={act} />
          {operator && <ResetEverythingPanel act={act} />}
        </div>
      )}
    </>
  );
}

type Act = (done: string, call: () => Promise<unknown>) => Promise<void>;

function ScenarioPanel({
  clientId,
  base,
  loaded,
  act,
}: {
  clientId: string;
  base: string;
  loaded: Loaded;
  act: Act;
}) {
  const [scenario, setScenario] = useState('review');
  const [count, setCount] = useState(1);
  const described = loaded.scenarios.find((s) => s.name === scenario);
  return (
    <section class="card" aria-labelledby="scenario-heading">
      <h2 id="scenario-heading">Scenario for the next submissions</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void act(`The next ${count} submission(s) of ${clientId} get ${scenario}.`, () =>
            admin(`${base}/scenario-queue`, { method: 'POST', body: { scenario, count } }),
          );
        }}
      >
        <label>
          Scenario
          <select value={scenario} onChange={(event) => setScenario(event.currentTarget.value)}>
            {loaded.scenarios.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        {described && <p class="muted">{described.description}</p>}
        <label>
          How many submissions
          <input
            type="number"
            min={1}
            max={10000}
            value={count}
            onInput={(event) => setCount(Math.max(1, Number(event.currentTarget.value) || 1))}
          />
        </label>
        <div class="actions">
          <button type="submit">Queue scenario</button>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(`The queue of ${clientId} is empty.`, () =>
                admin(`${base}/scenario-queue`, { method: 'DELETE' }),
              )
            }
          >
            Clear queue
          </button>
        </div>
      </form>
      <h3>Queued</h3>
      {loaded.queue.queue.length === 0 ? (
        <p class="muted">
          Nothing queued: the next submission's Prefer header, referenceId or images decide.
        </p>
      ) : (
        <ol data-testid="scenario-queue">
          {loaded.queue.queue.map((entry, i) => (
            <li key={`${entry.scenario}-${i}`}>
              {entry.scenario} × {entry.remaining}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ClockPanel({ base, clock, act }: { base: string; clock: ClockState; act: Act }) {
  const [seconds, setSeconds] = useState(960);
  const ahead = Math.round(clock.offsetMs / 1000);
  return (
    <section class="card" aria-labelledby="clock-heading">
      <h2 id="clock-heading">Test clock</h2>
      <dl class="facts" data-testid="clock">
        <dt>Business time</dt>
        <dd>
          <time dateTime={clock.now}>{new Date(clock.now).toLocaleString()}</time>
        </dd>
        <dt>Ahead of real time</dt>
        <dd data-testid="clock-offset">{ahead} s</dd>
        <dt>State</dt>
        <dd>{clock.frozen ? 'frozen' : 'running'}</dd>
        <dt>Work scheduled</dt>
        <dd>{clock.pending}</dd>
      </dl>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void act(`Advanced ${seconds} s; everything due has run.`, () =>
            admin(`${base}/clock`, { method: 'POST', body: { advanceSeconds: seconds } }),
          );
        }}
      >
        <label>
          Advance by (seconds)
          <input
            type="number"
            min={0}
            max={31622400}
            value={seconds}
            onInput={(event) => setSeconds(Math.max(0, Number(event.currentTarget.value) || 0))}
          />
        </label>
        <p class="muted">Upload URLs live 15 minutes (900 s) by default, tokens an hour.</p>
        <div class="actions">
          <button type="submit">Advance clock</button>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(clock.frozen ? 'The clock runs again.' : 'The clock is frozen.', () =>
                admin(`${base}/clock`, { method: 'POST', body: { freeze: !clock.frozen } }),
              )
            }
          >
            {clock.frozen ? 'Unfreeze clock' : 'Freeze clock'}
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act('The clock is back to real time.', () => admin(`${base}/clock`, { method: 'DELETE' }))
            }
          >
            Back to real time
          </button>
        </div>
      </form>
    </section>
  );
}

function ResetPanel({ clientId, base, act }: { clientId: string; base: string; act: Act }) {
  return (
    <section class="card" aria-labelledby="reset-heading">
      <h2 id="reset-heading">Reset partner</h2>
      <p>
        Deletes the submissions, images, callbacks, queue and journal entries of {clientId}; its clock returns
        to real time.
      </p>
      <ArmedAction
        label={`Reset ${clientId}…`}
        confirmLabel={`Yes, reset ${clientId}`}
        onConfirm={() =>
          act(`${clientId} has a clean slate.`, () => admin(`${base}/reset`, { method: 'POST' }))
        }
      />
    </section>
  );
}

/** The operator's alone: it clears every partner of a shared sandbox, so a partner is never offered it. */
function ResetEverythingPanel({ act }: { act: Act }) {
  return (
    <section class="card" aria-labelledby="reset-all-heading" data-testid="reset-everything">
      <h2 id="reset-all-heading">Reset everything</h2>
      <p>
        Deletes every partner’s submissions, callbacks, queues and journal; every clock returns to real time.
      </p>
      <ArmedAction
        label="Reset every partner…"
        confirmLabel="Yes, reset every partner"
        onConfirm={() => act('Every partner has a clean slate.', () => admin('/reset', { method: 'POST' }))}
      />
    </section>
  );
}

/** A destructive action takes two clicks: the first arms it, the second (or Cancel) decides. */
function ArmedAction({
  label,
  confirmLabel,
  onConfirm,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
}) {
  const [armed, setArmed] = useState(false);
  return (
    <div class="actions">
      {armed ? (
        <>
          <button
            type="button"
            class="danger"
            onClick={() => {
              setArmed(false);
              void onConfirm();
            }}
          >
            {confirmLabel}
          </button>
          <button type="button" class="secondary" onClick={() => setArmed(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" class="secondary" onClick={() => setArmed(true)}>
          {label}
        </button>
      )}
    </div>
  );
}
