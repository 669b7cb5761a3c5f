import { BlockList, isIP } from 'node:net';

/**
 * What an IP address reaches, as far as a callback is concerned: `public` is the internet;
 * `loopback` and `private` are the developer's machine and networks (allowed by policy);
 * the rest is never a partner's receiver (link-local holds the cloud metadata services).
 */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

export interface ClassifiedAddress {
  kind: AddressKind;
  /** The address classified: an IPv4 one an IPv6 address carries (mapped, compatible, NAT64, 6to4) is classified as itself. */
  effective: string;
}

const ranges = (entries: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList => {
  const list = new BlockList();
  for (const [network, prefix, family] of entries) list.addSubnet(network, prefix, family);
  return list;
};

// Checked in this order: the first list an address is in names its kind. (No IPv6 rule may cover
// ::ffff:0:0/96: a BlockList matches IPv4 addresses against IPv6 rules in their mapped form.)
const KINDS: Array<[Exclude<AddressKind, 'public'>, BlockList]> = [
  [
    'unspecified',
    ranges([
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
  [
    'loopback',
    ranges([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'link-local',
    ranges([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  [
    'private',
    ranges([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      // Carrier-grade NAT: not the internet, often a VPN or a cloud's internal network.
      ['100.64.0.0', 10, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
      // Site-local, deprecated but still routed inside some networks.
      ['fec0::', 10, 'ipv6'],
    ]),
  ],
  [
    'multicast',
    ranges([
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ]),
  ],
  [
    'reserved',
    ranges([
      // 240/4 includes the broadcast address 255.255.255.255.
      ['240.0.0.0', 4, 'ipv4'],
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['100::', 64, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
    ]),
  ],
];

/** The kind of an IP address (v4, or v6 with or without brackets); undefined when it is not one. */
export function classifyAddress(address: string): ClassifiedAddress | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return undefined;
  const effective = family === 6 ? (embeddedIPv4(bare) ?? bare.toLowerCase()) : bare;
  const type = isIP(effective) === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of KINDS) {
    if (list.check(effective, type)) return { kind, effective };
  }
  return { kind: 'public', effective };
}

/**
 * The IPv4 address an IPv6 one stands for, which is where a packet to it ends up: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96)
 * and 6to4 (2002:AABB:CCDD::/16). `::` and `::1` carry none.
 */
function embeddedIPv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  const quad = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  const last = quad(words[6] as number, words[7] as number);
  if (zero(0, 5) && words[5] === 0xffff) return last;
  if (zero(0, 4) && words[4] === 0xffff && words[5] === 0) return last;
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return last;
  if (words[0] === 0x2002) return quad(words[1] as number, words[2] as number);
  // Compatible addresses, but not :: and ::1 themselves (their own kinds).
  if (zero(0, 6) && (words[6] !== 0 || (words[7] as number) > 1)) return last;
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (already checked by isIP). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = (dotted[1] as string).split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((w) => Number.parseInt(w, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return undefined;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}
