import { describe, expect, it } from 'vitest';
import { serverNames } from '../../src/http/serverNames.ts';

describe('the names the admin API answers to', () => {
  it('include the address listened on when it is a name, never a wildcard bind', () => {
    const byName = serverNames({
      publicUrl: 'http://localhost:8080',
      listenHost: 'mock.lan',
      allowedHosts: [],
    });
    expect(byName.acceptsHost('mock.lan:8080')).toBe(true);
    expect(byName.listed).toEqual(['mock.lan']);
    const wildcard = serverNames({
      publicUrl: 'http://localhost:8080',
      listenHost: '0.0.0.0',
      allowedHosts: [],
    });
    expect(wildcard.listed).toEqual([]);
    expect(wildcard.acceptsHost('facematch:8080')).toBe(false);
    const ipv6 = serverNames({ publicUrl: 'http://localhost:8080', listenHost: '::', allowedHosts: [] });
    expect(ipv6.acceptsHost('[fd00::5]:8080')).toBe(true);
  });

  it("take a page's origin as its own by host, whatever the port, and no other site's", () => {
    const names = serverNames({
      publicUrl: 'https://sandbox.example.com',
      listenHost: '0.0.0.0',
      allowedHosts: ['.tools.internal'],
    });
    // The dashboard, opened under the name the request was sent to.
    expect(names.ownsOrigin('http://192.168.1.20:8080', '192.168.1.20:8080')).toBe(true);
    // A dev server on localhost passing the dashboard's calls on (npm run dashboard:dev).
    expect(names.ownsOrigin('http://localhost:5173', 'localhost:5173')).toBe(true);
    expect(names.ownsOrigin('https://sandbox.example.com', 'api-1.internal:8080')).toBe(true);
    expect(names.ownsOrigin('https://ci.tools.internal', 'sandbox.example.com')).toBe(true);
    // An IP address is a name a Host may have, but a page at any IP address is not this server's.
    expect(names.ownsOrigin('http://203.0.113.9', 'sandbox.example.com')).toBe(false);
    expect(names.ownsOrigin('http://evil.example', 'sandbox.example.com')).toBe(false);
    expect(names.ownsOrigin('null', 'sandbox.example.com')).toBe(false);
    expect(names.ownsOrigin('file://', 'localhost')).toBe(false);
  });
});
