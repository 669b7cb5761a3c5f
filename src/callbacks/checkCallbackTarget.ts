import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CallbackPolicy } from './callbackPolicy.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name stands for (tests inject their own: no external DNS in tests). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const resolveWithSystem: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

/**
 * Where a callback may go: `allowed` with the addresses checked, which are the only ones the
 * connection may use (resolving again at connect time would let a name rebind in between);
 * `refused` by the policy (permanent until the policy changes); `unresolved` when the name
 * could not be resolved (a network failure like any other, tried again later).
 */
export type CallbackTarget =
  | { kind: 'allowed'; addresses: ResolvedAddress[] }
  | { kind: 'refused'; reason: string }
  | { kind: 'unresolved'; error: string };

export type CheckCallbackTarget = (url: URL) => Promise<CallbackTarget>;

export function createCallbackTargetCheck(options: {
  policy: CallbackPolicy;
  resolveHost: ResolveHost;
  resolveTimeoutMs: number;
}): CheckCallbackTarget {
  const { policy, resolveHost, resolveTimeoutMs } = options;
  return async (url) => {
    const ownPath = policy.checkUrl(url);
    if (ownPath) return { kind: 'refused', reason: ownPath };
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const literal = isIP(host);
    let addresses: ResolvedAddress[];
    if (literal) {
      addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await withTimeout(resolveHost(host), resolveTimeoutMs, host);
      } catch (error) {
        return { kind: 'unresolved', error: describeLookupError(host, error) };
      }
      if (addresses.length === 0) return { kind: 'unresolved', error: `${host} has no address (DNS)` };
    }
    // Every address is checked: a name that mixes a public address with an internal one is refused.
    for (const { address } of addresses) {
      const reason = policy.checkAddress(url, address);
      if (reason) return { kind: 'refused', reason };
    }
    return { kind: 'allowed', addresses };
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`looking up ${host} took over ${ms} ms`), { code: 'ETIMEOUT' })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeLookupError(host: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOTFOUND: 'host name not found (DNS)',
    EAI_AGAIN: 'host name lookup failed temporarily (DNS)',
    ETIMEOUT: 'host name lookup timed out (DNS)',
  };
  const label = (code && known[code]) ?? 'host name lookup failed (DNS)';
  return `${label}${code ? ` (${code})` : ''}: ${host}: ${(error as Error).message}`;
}
