import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type AdminCaller,
  type AdminPartner,
  admin,
  onAdminTokenRequired,
  onSessionChange,
  setAdminToken,
  signInAsPartner,
  signOut,
} from './adminApi.ts';
import { ErrorNote } from './components/ErrorNote.tsx';
import { TextField } from './components/TextField.tsx';
import { hrefOf, type Route, useRoute } from './route.ts';
import { useLive } from './useLive.ts';
import { CallbacksView } from './views/CallbacksView.tsx';
import { ControlView } from './views/ControlView.tsx';
import { JournalView } from './views/JournalView.tsx';
import { SubmissionsView } from './views/SubmissionsView.tsx';
import { SubmissionView } from './views/SubmissionView.tsx';
import { TryItView } from './views/TryItView.tsx';

const NAV: Array<{ route: Route; label: string }> = [
  { route: { view: 'submissions' }, label: 'Submissions' },
  { route: { view: 'callbacks' }, label: 'Callbacks' },
  { route: { view: 'journal' }, label: 'Journal' },
  { route: { view: 'control' }, label: 'Control' },
  { route: { view: 'try' }, label: 'Try it' },
];
const PARTNER_KEY = 'facematch-mock.partner';

export function App() {
  const route = useRoute();
  const [chosenPartner, setPartner] = useState(() => sessionStorage.getItem(PARTNER_KEY) ?? '');
  // Each sign-in starts the views afresh: nothing fetched for the previous caller stays on screen.
  const [session, setSession] = useState(0);
  useEffect(() => onSessionChange(() => setSession((n) => n + 1)), []);
  const caller = useLive(() => admin<AdminCaller>('/whoami'), `whoami|${session}`);
  const partners = useLive(() => admin<{ partners: AdminPartner[] }>('/partners'), `partners|${session}`);
  const [tokenRequired, setTokenRequired] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  useEffect(
    () =>
      onAdminTokenRequired((required) => {
        setTokenRequired(required);
        if (!required) setSigningIn(false);
      }),
    [],
  );
  // A partner sees its own data only, whatever partner the operator last picked in this tab.
  const own = caller.data?.role === 'partner' ? caller.data.partner?.clientId : undefined;
  const partner = own ?? chosenPartner;
  const operator = caller.data?.role === 'operator';

  const main = useRef<HTMLElement>(null);
  // A new view moves focus to its heading, as a page load would, so keyboard and screen-reader users
  // start at the top of what changed.
  const viewKey = route.view === 'submission' ? `submission/${route.id}` : route.view;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    focusHeading(main.current);
  }, [viewKey]);

  const choosePartner = (value: string) => {
    setPartner(value);
    sessionStorage.setItem(PARTNER_KEY, value);
  };
  const list = partners.data?.partners ?? [];
  const navView = route.view === 'submission' ? 'submissions' : route.view;
  return (
    <>
      <button type="button" class="skip-link" onClick={skipToMain}>
        Skip to content
      </button>
      <header class="top">
        <p class="brand">
          <a href={hrefOf({ view: 'submissions' })}>facematch-mock</a> <span class="muted">dashboard</span>
        </p>
        <nav aria-label="Dashboard">
          <ul>
            {NAV.map((item) => (
              <li key={item.label}>
                <a href={hrefOf(item.route)} aria-current={item.route.view === navView ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {operator && route.view !== 'try' && route.view !== 'control' && route.view !== 'submission' && (
          <label class="partner-picker">
            Partner{' '}
            <select value={partner} onChange={(event) => choosePartner(event.currentTarget.value)}>
              <option value="">all partners</option>
              {list.map((p) => (
                <option key={p.clientId} value={p.clientId}>
                  {p.clientId}
                </option>
              ))}
            </select>
          </label>
        )}
        <SignedInAs caller={caller.data} onSignIn={() => setSigningIn(true)} />
      </header>
      <main id="main" ref={main}>
        {(tokenRequired || signingIn) && (
          <SignInForms required={tokenRequired} onCancel={() => setSigningIn(false)} />
        )}
        <View key={session} route={route} partner={partner} partners={list} role={caller.data?.role} />
      </main>
    </>
  );
}

function View({
  route,
  partner,
  partners,
  role,
}: {
  route: Route;
  partner: string;
  partners: AdminPartner[];
  /** Whom the page is signed in as (unknown until the server says): what spans every partner is the operator's. */
  role: AdminCaller['role'] | undefined;
}) {
  switch (route.view) {
    case 'submission':
      return <SubmissionView id={route.id} />;
    case 'callbacks':
      return <CallbacksView partner={partner} />;
    case 'journal':
      return <JournalView partner={partner} />;
    case 'control':
      return partners.length ? (
        <ControlView partners={partners} partner={partner} role={role} />
      ) : (
        <h1>Control</h1>
      );
    case 'try':
      return <TryItView />;
    default:
      return <SubmissionsView partner={partner} />;
  }
}

/** A button, not a #main link: the URL's fragment holds the route. */
function skipToMain() {
  focusHeading(document.getElementById('main'));
}

function focusHeading(container: HTMLElement | null) {
  const heading = container?.querySelector<HTMLElement>('h1');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus();
}

/** Whom the page is signed in as, with the way to sign in as someone else. */
function SignedInAs({ caller, onSignIn }: { caller: AdminCaller | undefined; onSignIn: () => void }) {
  if (!caller) return null;
  // Open, nobody is signed in: everyone is the operator, and a partner may sign in to see its own.
  if (caller.authenticatedBy === 'open') {
    return (
      <div class="signed-in" data-testid="signed-in">
        <button type="button" class="secondary small" onClick={onSignIn}>
          Sign in as a partner…
        </button>
      </div>
    );
  }
  return (
    <div class="signed-in" data-testid="signed-in">
      {caller.role === 'partner' ? (
        <span>
          Signed in as partner <strong>{caller.partner?.clientId}</strong>
          {caller.partner?.name ? ` (${caller.partner.name})` : ''}
        </span>
      ) : (
        <span>Signed in as the operator</span>
      )}{' '}
      <button type="button" class="secondary small" onClick={signOut}>
        Sign out
      </button>
    </div>
  );
}

/**
 * Either token in one field (the server tells which), or a partner's client credentials, from
 * which the page gets the partner's access token itself.
 */
function SignInForms({ required, onCancel }: { required: boolean; onCancel: () => void }) {
  const [token, setToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [failure, setFailure] = useState<Error>();
  return (
    <section class="card token-form" aria-labelledby="token-heading">
      <h2 id="token-heading">{required ? 'Sign in to see this server’s data' : 'Sign in as a partner'}</h2>
      {required && (
        <p>
          This server was started with an operator token (<code>--admin-token</code> or{' '}
          <code>FACEMATCH_ADMIN_TOKEN</code>).
        </p>
      )}
      <p>
        The operator token shows every partner. A partner’s own access token (from{' '}
        <code>POST /v1/oauth/token</code>) shows that partner’s data only. Either is kept in this tab only.
      </p>
      <form
        aria-label="Sign in with a token"
        onSubmit={(event) => {
          event.preventDefault();
          setAdminToken(token);
        }}
      >
        <TextField label="Operator token or partner access token" value={token} onInput={setToken} secret />
        <div class="actions">
          <button type="submit">Use token</button>
        </div>
      </form>
      <form
        aria-label="Sign in with partner credentials"
        onSubmit={(event) => {
          event.preventDefault();
          setFailure(undefined);
          signInAsPartner(clientId, clientSecret).catch((error: Error) => setFailure(error));
        }}
      >
        <p>
          Or a partner’s client credentials: the page gets the access token itself and renews it before it
          expires; the secret is never stored.
        </p>
        <TextField label="Partner client id" value={clientId} onInput={setClientId} />
        <TextField label="Partner client secret" value={clientSecret} onInput={setClientSecret} secret />
        <div class="actions">
          <button type="submit">Sign in as partner</button>
          {!required && (
            <button type="button" class="secondary" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      <ErrorNote error={failure} />
    </section>
  );
}
