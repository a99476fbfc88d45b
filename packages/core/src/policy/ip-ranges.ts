/**
 * IP addresses and CIDR ranges for the `source_ip` criterion, read the way Pomerium reads them
 * (Go's `net.ParseIP`, `net.ParseCIDR` and `IPNet.Contains`, which OPA's
 * `net.cidr_contains_matches` uses):
 *
 * - IPv4 in dotted decimal only, no leading zeros; IPv6 with one `::` at most (standing for one
 *   zero group or more) and an optional dotted IPv4 tail; no zone (`%eth0`).
 * - An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack Node server reports for
 *   IPv4 clients) is the IPv4 address, on either side.
 * - IPv4 ranges contain only IPv4 addresses and IPv6 ranges only (non-mapped) IPv6 addresses:
 *   `::/0` does not contain `1.2.3.4`.
 * - A single address in a policy is a `/32` or `/128` range.
 */

/** An address: IPv4 as one 32-bit word, IPv6 as four. */
export type IpAddress =
  | { readonly v4: true; readonly word: number }
  | { readonly v4: false; readonly words: readonly [number, number, number, number] };

/** A compiled range. */
export interface IpRange {
  contains(address: IpAddress): boolean;
}

/** Parses an address as Go's `net.ParseIP` does; `undefined` when it is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const words = parseIpv6(text);
    if (words === undefined) return undefined;
    return isV4Mapped(words) ? { v4: true, word: words[3] } : { v4: false, words };
  }
  const word = parseIpv4(text);
  return word === undefined ? undefined : { v4: true, word };
}

/** Parses a range (`10.0.0.0/8`, `2001:db8::/32`) or a single address; `undefined` if neither. */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) {
    const address = parseIpAddress(text);
    if (address === undefined) return undefined;
    return address.v4 ? v4Range(address.word, 32) : v6Range(address.words, 128);
  }
  const addressText = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  // Go's dtoi: decimal digits, leading zeros allowed.
  if (!/^[0-9]{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (addressText.includes(':')) {
    const words = parseIpv6(addressText);
    if (words === undefined || bits > 128) return undefined;
    const network = maskWords(words, bits);
    // Go keeps a range whose network address is IPv4-mapped as an IPv4 range (bits - 96).
    if (isV4Mapped(network)) return v4Range(network[3], bits - 96);
    return v6Range(network, bits);
  }
  const word = parseIpv4(addressText);
  if (word === undefined || bits > 32) return undefined;
  return v4Range(word, bits);
}

function v4Range(word: number, bits: number): IpRange {
  const mask = wordMask(bits);
  const network = (word & mask) >>> 0;
  return { contains: (a) => a.v4 && (a.word & mask) >>> 0 === network };
}

function v6Range(words: readonly [number, number, number, number], bits: number): IpRange {
  const masks = [0, 1, 2, 3].map((i) => wordMask(bits - 32 * i));
  const network = words.map((w, i) => (w & masks[i]!) >>> 0);
  return {
    contains: (a) => {
      if (a.v4) return false;
      for (let i = 0; i < 4; i++) if ((a.words[i]! & masks[i]!) >>> 0 !== network[i]) return false;
      return true;
    },
  };
}

/** The mask of a 32-bit word that keeps its first `bits` bits (clamped to 0..32). */
function wordMask(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (~0 << (32 - bits)) >>> 0;
}

function maskWords(
  words: readonly [number, number, number, number],
  bits: number,
): [number, number, number, number] {
  return [
    (words[0] & wordMask(bits)) >>> 0,
    (words[1] & wordMask(bits - 32)) >>> 0,
    (words[2] & wordMask(bits - 64)) >>> 0,
    (words[3] & wordMask(bits - 96)) >>> 0,
  ];
}

function isV4Mapped(words: readonly [number, number, number, number]): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

const IPV4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  let word = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    word = word * 256 + octet;
  }
  return word;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv6(text: string): [number, number, number, number] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = sideGroups(halves[0]!, !compressed);
  const tail = compressed ? sideGroups(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  // `::` stands for one zero group or more, as in Go's netip.
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const groups = compressed ? [...head, ...new Array<number>(missing).fill(0), ...tail] : head;
  return [
    (groups[0]! * 0x10000 + groups[1]!) >>> 0,
    (groups[2]! * 0x10000 + groups[3]!) >>> 0,
    (groups[4]! * 0x10000 + groups[5]!) >>> 0,
    (groups[6]! * 0x10000 + groups[7]!) >>> 0,
  ];
}

/** The 16-bit groups of one side of `::`; a dotted IPv4 tail may close the address only. */
function sideGroups(text: string, endsAddress: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (HEX_GROUP.test(part)) groups.push(parseInt(part, 16));
    else if (endsAddress && i === parts.length - 1) {
      const word = parseIpv4(part);
      if (word === undefined) return undefined;
      groups.push(word >>> 16, word & 0xffff);
    } else return undefined;
  }
  return groups;
}
