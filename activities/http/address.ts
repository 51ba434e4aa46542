// Which IP addresses a tenant-supplied URL may reach. node:net's BlockList does the parsing, so
// every spelling of an address (`::ffff:7f00:1`, `0:0:0:0:0:0:0:1`, upper case) is judged alike,
// and it checks IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) against the IPv4 rules.

import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** IPv4 space that is not the public internet (IANA special-purpose registry). */
const INTERNAL_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, where cloud metadata services live
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

const INTERNAL_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo: tunnels to an IPv4 address we cannot see
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
];

/**
 * IPv6 prefixes that embed an IPv4 address in their low bits: an internal IPv4 address behind
 * one of them is internal too. [prefix, prefix length, bit offset of the embedded IPv4 address].
 */
const V4_EMBEDDING_V6: Array<[number[], number, number]> = [
  [[0, 0, 0, 0, 0, 0], 96, 96], // IPv4-compatible (::a.b.c.d, deprecated)
  [[0x64, 0xff9b, 0, 0, 0, 0], 96, 96], // NAT64 well-known prefix
  [[0x2002], 16, 16], // 6to4
];

const internal = buildBlockList();

/** False for loopback, private, link-local, multicast, reserved and documentation addresses. */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // brackets and IPv6 zone ids
  if (isIPv4(ip)) return !internal.check(ip, 'ipv4');
  if (isIPv6(ip)) return !internal.check(ip, 'ipv6');
  // Not an IP address at all: refuse rather than guess.
  return false;
}

function buildBlockList(): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of INTERNAL_V4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of INTERNAL_V6) list.addSubnet(network, prefix, 'ipv6');
  for (const [hextets, prefixLength, offset] of V4_EMBEDDING_V6) {
    for (const [network, prefix] of INTERNAL_V4) {
      list.addSubnet(embed(hextets, offset, network), prefixLength + prefix, 'ipv6');
    }
  }
  return list;
}

/** The IPv6 address with `hextets` as its top groups and the IPv4 `network` at bit `offset`. */
function embed(hextets: number[], offset: number, network: string): string {
  const groups = Array.from({ length: 8 }, (_, i) => hextets[i] ?? 0);
  const [a = 0, b = 0, c = 0, d = 0] = network.split('.').map(Number);
  const at = offset / 16;
  groups[at] = (a << 8) | b;
  groups[at + 1] = (c << 8) | d;
  return groups.map((g) => g.toString(16)).join(':');
}
