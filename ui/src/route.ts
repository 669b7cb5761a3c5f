import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'submissions' }
  | { view: 'submission'; id: string }
  | { view: 'callbacks' }
  | { view: 'journal' }
  | { view: 'control' }
  | { view: 'try' };

/** Routes live in the URL's fragment, so /ui is the one page the server serves. */
export function parseRoute(hash: string): Route {
  const [, view = '', id] = hash.replace(/^#/, '').split('/');
  if (view === 'submissions' && id) return { view: 'submission', id: decodeURIComponent(id) };
  if (view === 'callbacks' || view === 'journal' || view === 'control' || view === 'try') return { view };
  return { view: 'submissions' };
}

export function hrefOf(route: Route): string {
  return route.view === 'submission' ? `#/submissions/${encodeURIComponent(route.id)}` : `#/${route.view}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
