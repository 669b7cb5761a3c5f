import { isIP } from 'node:net';
import { type AddressKind, classifyAddress } from './classifyAddress.ts';

/**
 * Which receivers a callback may go to. `auto`: loopback and private addresses only while the
 * server listens on loopback (a developer's laptop, where the receiver is local too), else public
 * addresses only; `public-only`: never loopback or private; `allow-private`: loopback and private
 * wherever the server listens (a container beside the partner's app on one private network).
 */
export type CallbackPolicyMode = 'auto' | 'public-only' | 'allow-private';

export interface CallbackPolicySettings {
  mode: CallbackPolicyMode;
  /** The interface the server listens on (config `host`). */
  listenHost: string;
  /** The port it listens on; 0 or undefined when not known (an app that does not listen). */
  listenPort?: number | undefined;
  /** The URL partners reach the server by. */
  publicUrl: string;
  /** Host names (or addresses) allowed to be loopback or private whatever the mode. */
  allowHosts: readonly string[];
  /** This machine's own addresses: with the server's port, they reach the mock itself. */
  localAddresses: readonly string[];
}

export interface CallbackPolicy {
  /** Why the URL alone is refused (the mock's own operator or bucket paths), or null. */
  checkUrl(url: URL): string | null;
  /** Why connecting to `address` for `url` is refused, or null. */
  checkAddress(url: URL, address: string): string | null;
}

// The mock's own surfaces a callback could drive or read: the operator API, metrics and the bucket.
const OWN_PATHS = ['/__admin', '/metrics', '/bucket'];
const NEVER: Partial<Record<AddressKind, string>> = {
  'link-local': 'a link-local address (169.254.0.0/16, fe80::/10; cloud metadata services live there)',
  unspecified: 'an unspecified address (0.0.0.0/8, ::)',
  multicast: 'a multicast address',
  reserved: 'a reserved or documentation address',
};
const POLICY_SETTING = 'callbacks.policy (--callback-policy, FACEMATCH_CALLBACK_POLICY)';

export function createCallbackPolicy(settings: CallbackPolicySettings): CallbackPolicy {
  const listensOnLoopback =
    classifyAddress(settings.listenHost)?.kind === 'loopback' || isLocalhost(settings.listenHost);
  const allowHosts = new Set(settings.allowHosts.map(hostKey));
  const publicUrl = new URL(settings.publicUrl);
  const ownOrigins = new Set([`${hostKey(publicUrl.hostname)}:${portOf(publicUrl)}`]);
  const listenPort = settings.listenPort || undefined;
  if (listenPort) ownOrigins.add(`${hostKey(settings.listenHost)}:${listenPort}`);
  const localAddresses = new Set(
    [settings.listenHost, ...settings.localAddresses].map((a) => classifyAddress(a)?.effective ?? a),
  );

  const ownPath = (url: URL) => {
    const path = normalisedPath(url);
    return OWN_PATHS.find((own) => path === own || path.startsWith(`${own}/`));
  };

  return {
    checkUrl(url) {
      const own = ownPath(url);
      if (own && ownOrigins.has(`${hostKey(url.hostname)}:${portOf(url)}`)) return ownPathRefusal(own);
      return null;
    },
    checkAddress(url, address) {
      const classified = classifyAddress(address);
      const subject = isIP(hostKey(url.hostname))
        ? `${address} is`
        : `${url.hostname} resolves to ${address},`;
      if (!classified) return `${subject} not an IP address`;
      const own = ownPath(url);
      if (own && listenPort && portOf(url) === String(listenPort)) {
        const { kind, effective } = classified;
        if (kind === 'loopback' || kind === 'unspecified' || localAddresses.has(effective))
          return ownPathRefusal(own);
      }
      const never = NEVER[classified.kind];
      if (never) return `${subject} ${never}: callbacks never go there, whatever the policy`;
      if (classified.kind === 'public') return null;
      const what = `${subject} a ${classified.kind} address`;
      if (allowHosts.has(hostKey(url.hostname))) return null;
      if (settings.mode === 'allow-private') return null;
      if (settings.mode === 'auto') {
        if (listensOnLoopback) return null;
        return `${what}: allowed only while the server listens on loopback (it listens on ${settings.listenHost}); set ${POLICY_SETTING} to allow-private, or list the host in callbacks.allowHosts`;
      }
      return `${what} and ${POLICY_SETTING} is public-only; set it to allow-private, or list the host in callbacks.allowHosts`;
    },
  };
}

function ownPathRefusal(own: string): string {
  return `points at this server's own ${own} path: a callback may not drive or read the mock's operator API, metrics or bucket`;
}

/**
 * The path as Express routes it: percent-decoded, case-insensitive, repeated slashes collapsed,
 * so an encoded or doubled-slash spelling of /__admin is still seen as /__admin.
 */
function normalisedPath(url: URL): string {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape is left as sent; the receiver sees it that way too.
  }
  return path.toLowerCase().replace(/\/{2,}/g, '/');
}

/** A host as compared: lower case, no brackets, no trailing dot. */
function hostKey(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function isLocalhost(host: string): boolean {
  const key = hostKey(host);
  return key === 'localhost' || key.endsWith('.localhost');
}

function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}
