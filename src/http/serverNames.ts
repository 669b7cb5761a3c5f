import { isIP } from 'node:net';

/**
 * The names this server answers to, for the admin API and the dashboard: what a `Host` header
 * may name, and which page origins are its own. DNS rebinding lets a web page call a local server
 * under the page's own DNS name, so a browser sends that name in `Host`; a server that answers only
 * to its own names cannot be reached that way (as Vite's and webpack-dev-server's host checks do).
 */
export interface ServerNames {
  /** False when `admin.allowedHosts` is `*`: every Host is answered (unsafe: DNS rebinding). */
  readonly checked: boolean;
  /** Whether a request whose `Host` header says this may be answered (its port is not compared). */
  acceptsHost(hostHeader: string | undefined): boolean;
  /**
   * Whether a page of `origin` (an `Origin` header) is one of this server's own, or a page on a
   * name it answers to: the request's own host, a loopback name, the public URL's host, the
   * address it listens on or a configured name. Ports are not compared: another server on the
   * same name is the same machine's (as a dev server on localhost:5173 passing calls through).
   */
  ownsOrigin(origin: string, hostHeader: string | undefined): boolean;
  /** The names accepted besides loopback names and IP addresses, for messages. */
  readonly listed: readonly string[];
}

/** `*` or `all` among the allowed hosts turns the check off, as Vite's `true` and webpack's `all` do. */
export function meansAnyHost(name: string): boolean {
  return name === '*' || name === 'all';
}

/**
 * `publicUrl`: the URL handed out (its host is the server's name to partners); `listenHost`:
 * the address listened on, a name of its own unless a wildcard; `allowedHosts`: the configured
 * names, `.example.com` for that domain and every name under it, `*` for any.
 */
export function serverNames(p: {
  publicUrl: string;
  listenHost: string;
  allowedHosts: readonly string[];
}): ServerNames {
  const anyHost = p.allowedHosts.some(meansAnyHost);
  const exact = new Set<string>();
  const domains: string[] = [];
  const publicHost = hostnameOf(new URL(p.publicUrl).host);
  if (publicHost) exact.add(publicHost);
  if (!['0.0.0.0', '::', '[::]', ''].includes(p.listenHost)) {
    const listen = hostnameOf(
      p.listenHost.includes(':') && !p.listenHost.startsWith('[') ? `[${p.listenHost}]` : p.listenHost,
    );
    if (listen) exact.add(listen);
  }
  for (const name of p.allowedHosts) {
    if (meansAnyHost(name)) continue;
    if (name.startsWith('.')) {
      const domain = hostnameOf(name.slice(1));
      if (domain) domains.push(domain);
    } else {
      const host = hostnameOf(name);
      if (host) exact.add(host);
    }
  }
  const named = (host: string) =>
    isLoopbackName(host) || exact.has(host) || domains.some((d) => host === d || host.endsWith(`.${d}`));
  return {
    checked: !anyHost,
    listed: [...exact]
      .filter((h) => !isIpLiteral(h) && !isLoopbackName(h))
      .concat(domains.map((d) => `.${d}`)),
    acceptsHost(hostHeader) {
      // HTTP/1.1 clients always send Host (browsers included); a request without one is no browser's.
      if (anyHost || hostHeader === undefined) return true;
      const host = hostnameOf(hostHeader);
      // An IP address cannot have been rebound: the page that sent it was served from that address.
      return host !== undefined && (isIpLiteral(host) || named(host));
    },
    ownsOrigin(origin, hostHeader) {
      const from = originHost(origin);
      if (from === undefined) return false;
      const requestHost = hostHeader === undefined ? undefined : hostnameOf(hostHeader);
      return from === requestHost || named(from);
    },
  };
}

/**
 * The host name of a `Host` header (or of a configured name), normalised as a browser's URL parser
 * normalises it (lower case, IPv4 shorthands, IPv6 in brackets), without the port or a final dot;
 * undefined when it is not a host at all (user info, a path, anything a Host cannot hold).
 */
export function hostnameOf(value: string): string | undefined {
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(:\d{1,5})?$/i.test(value)) return undefined;
  try {
    const host = new URL(`http://${value}`).hostname;
    return host.endsWith('.') ? host.slice(0, -1) : host;
  } catch {
    return undefined;
  }
}

function originHost(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined;
  const url = new URL(origin);
  // `null` (a sandboxed frame, a file: page) and other schemes are no server's pages.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return hostnameOf(url.host);
}

/** localhost, names under .localhost (browsers resolve them to loopback), 127.0.0.0/8 and ::1. */
function isLoopbackName(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    (isIP(host) === 4 && host.startsWith('127.'))
  );
}

function isIpLiteral(host: string): boolean {
  return isIP(host) === 4 || (host.startsWith('[') && isIP(host.slice(1, -1)) === 6);
}
