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

/** Parses dotted-decimal IPv4 (four parts, 0 to 255, no leading zeros) into one word. */
function parseIpv4(text: string, start = 0): number | undefined {
  let word = 0;
  let i = start;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(i) !== 0x2e) return undefined;
      i++;
    }
    const first = i;
    let octet = 0;
    while (i < text.length && i - first < 4) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
      i++;
    }
    const length = i - first;
    if (
      length === 0 ||
      length > 3 ||
      octet > 255 ||
      (length > 1 && text.charCodeAt(first) === 0x30)
    )
      return undefined;
    word = word * 256 + octet;
  }
  return i === text.length ? word : undefined;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

// Groups of the IPv6 address being parsed: parsing calls nothing else, so one buffer serves.
const groups = new Uint16Array(8);

/**
 * Parses IPv6 text (hex groups of one to four digits, one `::` at most standing for at least one
 * zero group, an optional dotted IPv4 tail) in one pass, without building strings: dual-stack
 * servers report every IPv4 client in this form (`::ffff:10.0.0.7`).
 */
function parseIpv6(text: string): [number, number, number, number] | undefined {
  const n = text.length;
  let count = 0;
  let ellipsis = -1;
  let i = 0;
  if (text.charCodeAt(0) === 0x3a && text.charCodeAt(1) === 0x3a) {
    ellipsis = 0;
    i = 2;
  }
  while (i < n) {
    let value = 0;
    let j = i;
    while (j < n && j - i < 5) {
      const digit = hexValue(text.charCodeAt(j));
      if (digit < 0) break;
      value = value * 16 + digit;
      j++;
    }
    if (j < n && text.charCodeAt(j) === 0x2e) {
      // A dotted IPv4 tail: the last 32 bits.
      if (count > 6) return undefined;
      const word = parseIpv4(text, i);
      if (word === undefined) return undefined;
      groups[count++] = word >>> 16;
      groups[count++] = word & 0xffff;
      break;
    }
    if (j === i || j - i > 4 || count === 8) return undefined;
    groups[count++] = value;
    i = j;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    i++;
    if (text.charCodeAt(i) === 0x3a) {
      if (ellipsis !== -1) return undefined;
      ellipsis = count;
      i++;
    } else if (i === n) return undefined;
  }
  if (ellipsis !== -1) {
    if (count === 8) return undefined;
    const moved = count - ellipsis;
    groups.copyWithin(8 - moved, ellipsis, count);
    groups.fill(0, ellipsis, 8 - moved);
  } else if (count !== 8) return undefined;
  return [
    (groups[0]! * 0x10000 + groups[1]!) >>> 0,
    (groups[2]! * 0x10000 + groups[3]!) >>> 0,
    (groups[4]! * 0x10000 + groups[5]!) >>> 0,
    (groups[6]! * 0x10000 + groups[7]!) >>> 0,
  ];
}
