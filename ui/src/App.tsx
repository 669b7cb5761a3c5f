import { useEffect, useRef, useState } from 'preact/hooks';
import { type AdminPartner, admin, onAdminTokenRequired, setAdminToken } from './adminApi.ts';
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
  const [partner, setPartner] = useState(() => sessionStorage.getItem(PARTNER_KEY) ?? '');
  const partners = useLive(() => admin<{ partners: AdminPartner[] }>('/partners'), 'partners');
  const [tokenRequired, setTokenRequired] = useState(false);
  useEffect(() => onAdminTokenRequired(setTokenRequired), []);

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
        {route.view !== 'try' && route.view !== 'control' && route.view !== 'submission' && (
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
      </header>
      <main id="main" ref={main}>
        {tokenRequired && <AdminTokenForm />}
        <View route={route} partner={partner} partners={list} />
      </main>
    </>
  );
}

function View({ route, partner, partners }: { route: Route; partner: string; partners: AdminPartner[] }) {
  switch (route.view) {
    case 'submission':
      return <SubmissionView id={route.id} />;
    case 'callbacks':
      return <CallbacksView partner={partner} />;
    case 'journal':
      return <JournalView partner={partner} />;
    case 'control':
      return partners.length ? <ControlView partners={partners} partner={partner} /> : <h1>Control</h1>;
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

function AdminTokenForm() {
  const [token, setToken] = useState('');
  return (
    <form
      class="card token-form"
      aria-labelledby="token-heading"
      onSubmit={(event) => {
        event.preventDefault();
        setAdminToken(token);
      }}
    >
      <h2 id="token-heading">Admin token required</h2>
      <p>
        This server was started with an admin token (<code>--admin-token</code> or{' '}
        <code>FACEMATCH_ADMIN_TOKEN</code>). Enter it to see its data; it is kept in this tab only.
      </p>
      <label>
        Admin token
        <input
          type="password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          autoComplete="off"
          required
        />
      </label>
      <div class="actions">
        <button type="submit">Use token</button>
      </div>
    </form>
  );
}
