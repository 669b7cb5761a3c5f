import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../src/callbacks/classifyAddress.ts';

/** The host a URL ends up with: every IPv4 spelling the WHATWG parser accepts is normalised first. */
const hostOf = (spelling: string) => new URL(`http://${spelling}:9/x`).hostname;

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback', '127.0.0.1'],
    ['2130706433', 'loopback', '127.0.0.1'],
    ['0x7f000001', 'loopback', '127.0.0.1'],
    ['0177.0.0.1', 'loopback', '127.0.0.1'],
    ['127.1', 'loopback', '127.0.0.1'],
    ['0x7f.1', 'loopback', '127.0.0.1'],
    ['[::1]', 'loopback', '::1'],
    ['[::ffff:127.0.0.1]', 'loopback', '127.0.0.1'],
    ['[::ffff:7f00:1]', 'loopback', '127.0.0.1'],
    ['[::127.0.0.1]', 'loopback', '127.0.0.1'],
    ['[64:ff9b::7f00:1]', 'loopback', '127.0.0.1'],
    ['[2002:7f00:1::]', 'loopback', '127.0.0.1'],
    ['169.254.169.254', 'link-local', '169.254.169.254'],
    ['[::ffff:169.254.169.254]', 'link-local', '169.254.169.254'],
    ['[fe80::1]', 'link-local', 'fe80::1'],
    ['0.0.0.0', 'unspecified', '0.0.0.0'],
    ['0', 'unspecified', '0.0.0.0'],
    ['[::]', 'unspecified', '::'],
    ['10.0.0.1', 'private', '10.0.0.1'],
    ['172.16.5.4', 'private', '172.16.5.4'],
    ['192.168.1.1', 'private', '192.168.1.1'],
    ['[::ffff:c0a8:101]', 'private', '192.168.1.1'],
    ['100.64.0.1', 'private', '100.64.0.1'],
    ['[fd00::5]', 'private', 'fd00::5'],
    ['224.0.0.1', 'multicast', '224.0.0.1'],
    ['[ff02::1]', 'multicast', 'ff02::1'],
    ['255.255.255.255', 'reserved', '255.255.255.255'],
    ['192.0.2.10', 'reserved', '192.0.2.10'],
    ['[2001:db8::1]', 'reserved', '2001:db8::1'],
    ['93.184.216.34', 'public', '93.184.216.34'],
    ['[::ffff:93.184.216.34]', 'public', '93.184.216.34'],
    ['[2606:4700::1111]', 'public', '2606:4700::1111'],
    ['172.32.0.1', 'public', '172.32.0.1'],
  ])('sees %s as %s (%s)', (spelling, kind, effective) => {
    expect(classifyAddress(hostOf(spelling))).toEqual({ kind, effective });
  });

  it('classifies what a resolver returns, zone index included, and nothing that is not an address', () => {
    expect(classifyAddress('fe80::1%eth0')?.kind).toBe('link-local');
    expect(classifyAddress('::FFFF:7F00:0001')?.kind).toBe('loopback');
    expect(classifyAddress('localhost')).toBeUndefined();
    expect(classifyAddress('partner.example')).toBeUndefined();
  });
});
