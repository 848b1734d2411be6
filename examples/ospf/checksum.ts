// The two checksums of OSPFv2: the IP one's-complement sum over an OSPF packet (RFC 2328
// D.4: without the 8-byte authentication field), and the Fletcher checksum of an LSA
// (RFC 2328 12.1.7, ISO 8473 annex C: over the LSA from the Options field, i.e. without LS
// age, with the checksum at octet 16).

/** One's-complement 16-bit sum over data (an odd last byte is padded with zero). */
export function ipChecksum(data: Uint8Array, skip?: { from: number; to: number }): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) {
    if (skip && i >= skip.from && i < skip.to) continue;
    sum += (data[i]! << 8) | (i + 1 < data.length ? data[i + 1]! : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Byte offset of the checksum within an LSA, and where the checksummed part starts. */
const CHECKSUM_AT = 16;
const FROM = 2;

function sums(lsa: Uint8Array, length: number, zeroChecksum: boolean): [number, number] {
  let c0 = 0;
  let c1 = 0;
  // Reduce modulo 255 only every few thousand bytes: c1 stays below 2^53 long before that.
  for (let i = FROM; i < length; i++) {
    const b = zeroChecksum && (i === CHECKSUM_AT || i === CHECKSUM_AT + 1) ? 0 : lsa[i]!;
    c0 += b;
    c1 += c0;
    if ((i & 0xfff) === 0) {
      c0 %= 255;
      c1 %= 255;
    }
  }
  return [c0 % 255, c1 % 255];
}

/** The Fletcher checksum an LSA of `length` bytes should carry (its checksum field ignored). */
export function fletcherChecksum(lsa: Uint8Array, length = lsa.length): number {
  const [c0, c1] = sums(lsa, length, true);
  const n = length - FROM;
  const p = CHECKSUM_AT - FROM; // position of the checksum's first byte in the summed data
  let x = ((n - p - 1) * c0 - c1) % 255;
  if (x <= 0) x += 255;
  let y = 510 - c0 - x;
  if (y > 255) y -= 255;
  return (x << 8) | y;
}

/** True when the LSA's checksum field is right (both running sums come to zero). */
export function verifyFletcher(lsa: Uint8Array, length = lsa.length): boolean {
  if (lsa[CHECKSUM_AT] === 0 && lsa[CHECKSUM_AT + 1] === 0) return false; // 0 is never a valid checksum
  const [c0, c1] = sums(lsa, length, false);
  return c0 === 0 && c1 === 0;
}
