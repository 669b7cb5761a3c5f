import { describe, expect, it } from 'vitest';
import {
  type CallbackPolicyMode,
  type CallbackPolicySettings,
  createCallbackPolicy,
} from '../../src/callbacks/callbackPolicy.ts';
import { createCallbackTargetCheck, type ResolveHost } from '../../src/callbacks/checkCallbackTarget.ts';

function policy(overrides: Partial<CallbackPolicySettings> = {}) {
  return createCallbackPolicy({
    mode: 'auto',
    listenHost: '127.0.0.1',
    listenPort: 8080,
    publicUrl: 'http://localhost:8080',
    allowHosts: [],
    localAddresses: ['192.168.1.20'],
    ...overrides,
  });
}

/** The policy's verdict on connecting to `address` for `url`: null when allowed. */
const verdict = (p: ReturnType<typeof policy>, url: string, address: string) =>
  p.checkAddress(new URL(url), address);

describe('the callback policy on an address', () => {
  const cases: Array<[string, string, Record<CallbackPolicyMode | 'auto on 0.0.0.0', boolean>]> = [
    [
      'loopback',
      '127.0.0.1',
      { auto: true, 'auto on 0.0.0.0': false, 'public-only': false, 'allow-private': true },
    ],
    [
      'private',
      '10.0.0.1',
      { auto: true, 'auto on 0.0.0.0': false, 'public-only': false, 'allow-private': true },
    ],
    [
      'public',
      '93.184.216.34',
      { auto: true, 'auto on 0.0.0.0': true, 'public-only': true, 'allow-private': true },
    ],
    [
      'metadata',
      '169.254.169.254',
      { auto: false, 'auto on 0.0.0.0': false, 'public-only': false, 'allow-private': false },
    ],
    [
      'link-local v6',
      'fe80::1',
      { auto: false, 'auto on 0.0.0.0': false, 'public-only': false, 'allow-private': false },
    ],
    [
      'unspecified',
      '0.0.0.0',
      { auto: false, 'auto on 0.0.0.0': false, 'public-only': false, 'allow-private': false },
    ],
    [
      'multicast',
      '224.0.0.251',
      { auto: false, 'auto on 0.0.0.0': false, 'public-only': false, 'allow-private': false },
    ],
  ];
  it.each(cases)('%s (%s) per mode', (_label, address, allowed) => {
    const url = 'http://receiver.example:9000/callbacks';
    expect(verdict(policy(), url, address) === null).toBe(allowed.auto);
    expect(verdict(policy({ listenHost: '0.0.0.0' }), url, address) === null).toBe(
      allowed['auto on 0.0.0.0'],
    );
    expect(verdict(policy({ mode: 'public-only' }), url, address) === null).toBe(allowed['public-only']);
    expect(verdict(policy({ mode: 'allow-private', listenHost: '0.0.0.0' }), url, address) === null).toBe(
      allowed['allow-private'],
    );
  });

  it('says why, and which setting would allow it', () => {
    const onAll = policy({ listenHost: '0.0.0.0' });
    expect(verdict(onAll, 'http://intranet.example/cb', '10.0.0.5')).toBe(
      'intranet.example resolves to 10.0.0.5, a private address: allowed only while the server listens on loopback (it listens on 0.0.0.0); set callbacks.policy (--callback-policy, FACEMATCH_CALLBACK_POLICY) to allow-private, or list the host in callbacks.allowHosts',
    );
    expect(verdict(onAll, 'http://127.0.0.1/cb', '127.0.0.1')).toMatch(/^127\.0\.0\.1 is a loopback address/);
    expect(verdict(policy({ mode: 'public-only' }), 'http://10.0.0.5/cb', '10.0.0.5')).toMatch(
      /public-only; set it to allow-private/,
    );
    expect(verdict(policy({ mode: 'allow-private' }), 'http://169.254.169.254/', '169.254.169.254')).toMatch(
      /link-local .*metadata.*never go there, whatever the policy/,
    );
  });

  it('lets callbacks.allowHosts reach a private address, but never a link-local one', () => {
    const p = policy({ listenHost: '0.0.0.0', allowHosts: ['partner-app', 'Receiver.Example.'] });
    expect(verdict(p, 'http://partner-app:4000/cb', '172.18.0.3')).toBeNull();
    expect(verdict(p, 'http://receiver.example/cb', '10.1.2.3')).toBeNull();
    expect(verdict(p, 'http://other-app:4000/cb', '172.18.0.4')).toMatch(/private address/);
    expect(verdict(p, 'http://partner-app:4000/cb', '169.254.169.254')).toMatch(/link-local/);
  });
});

describe("the callback policy on the mock's own paths", () => {
  const own = [
    'http://localhost:8080/__admin/partners/demo/reset',
    'http://LOCALHOST.:8080/__ADMIN/submissions',
    'http://localhost:8080/%5F%5Fadmin/journal',
    'http://localhost:8080//__admin/journal',
    'http://localhost:8080/x/../__admin/journal',
    'http://localhost:8080/metrics',
    'http://localhost:8080/bucket/uploads/c-1/SELFIE',
  ];
  it.each(own)('refuses %s by its URL, whatever the mode', (url) => {
    for (const mode of ['auto', 'allow-private', 'public-only'] as const) {
      expect(policy({ mode }).checkUrl(new URL(url))).toMatch(
        /this server's own \/(__admin|metrics|bucket) path/,
      );
    }
  });

  it('refuses them on any address of this machine at the listening port, and allows other paths and ports', () => {
    const p = policy({ mode: 'allow-private', listenHost: '0.0.0.0' });
    expect(verdict(p, 'http://192.168.1.20:8080/__admin/journal', '192.168.1.20')).toMatch(/own \/__admin/);
    expect(verdict(p, 'http://[::1]:8080/bucket/k', '::1')).toMatch(/own \/bucket/);
    expect(verdict(p, 'http://my-laptop:8080/__admin/x', '127.0.1.1')).toMatch(/own \/__admin/);
    expect(verdict(p, 'http://192.168.1.20:8080/callbacks', '192.168.1.20')).toBeNull();
    expect(verdict(p, 'http://192.168.1.20:9000/__admin/x', '192.168.1.20')).toBeNull();
    expect(policy().checkUrl(new URL('http://localhost:8080/callbacks'))).toBeNull();
    expect(policy().checkUrl(new URL('http://localhost:9000/__admin'))).toBeNull();
  });

  it('refuses the public URL’s admin path even when it is a load balancer elsewhere', () => {
    const p = policy({ publicUrl: 'https://sandbox.example.com', listenHost: '0.0.0.0' });
    expect(p.checkUrl(new URL('https://sandbox.example.com/__admin/partners/demo/reset'))).toMatch(/own/);
  });
});

describe('checking a callback target', () => {
  const resolver = (table: Record<string, string[]>): ResolveHost & { calls: string[] } => {
    const calls: string[] = [];
    const resolve = async (host: string) => {
      calls.push(host);
      const addresses = table[host];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const);
    };
    return Object.assign(resolve, { calls });
  };
  const check = (resolveHost: ResolveHost, listenHost = '0.0.0.0') =>
    createCallbackTargetCheck({ policy: policy({ listenHost }), resolveHost, resolveTimeoutMs: 200 });

  it('resolves a name once and hands back the addresses it checked', async () => {
    const resolve = resolver({ 'receiver.example': ['93.184.216.34', '2606:4700::1111'] });
    expect(await check(resolve)(new URL('https://receiver.example/cb'))).toEqual({
      kind: 'allowed',
      addresses: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700::1111', family: 6 },
      ],
    });
    expect(resolve.calls).toEqual(['receiver.example']);
  });

  it('refuses a name if any of its addresses is refused', async () => {
    const resolve = resolver({ 'mixed.example': ['93.184.216.34', '169.254.169.254'] });
    const target = await check(resolve)(new URL('http://mixed.example/cb'));
    expect(target).toEqual({
      kind: 'refused',
      reason: expect.stringMatching(/^mixed\.example resolves to 169\.254\.169\.254, a link-local/),
    });
  });

  it('does not resolve a literal address, nor a URL refused by its path', async () => {
    const resolve = resolver({});
    expect(await check(resolve)(new URL('http://[::ffff:7f00:1]:9/cb'))).toMatchObject({ kind: 'refused' });
    expect(await check(resolve)(new URL('http://localhost:8080/__admin/x'))).toMatchObject({
      kind: 'refused',
    });
    expect(resolve.calls).toEqual([]);
  });

  it('reports a name that does not resolve, or too slowly, as unresolved', async () => {
    expect(await check(resolver({}))(new URL('http://nowhere.example/cb'))).toEqual({
      kind: 'unresolved',
      error: expect.stringMatching(/host name not found \(DNS\) \(ENOTFOUND\): nowhere\.example/),
    });
    const never: ResolveHost = () => new Promise(() => {});
    expect(await check(never)(new URL('http://slow.example/cb'))).toEqual({
      kind: 'unresolved',
      error: expect.stringMatching(/timed out .*slow\.example/),
    });
  });
});
