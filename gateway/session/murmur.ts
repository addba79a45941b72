/**
 * MurmurHash3 (Austin Appleby's public-domain algorithm), seed 0, as Tyk hashes keys: x86_32 for
 * murmur32, x64_128 for murmur128 and its first half for murmur64. Output is lowercase hex of the
 * big-endian digest, which is what Tyk stores.
 */

export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h1 = seed >>> 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    let k1 = ((bytes[o] as number) | ((bytes[o + 1] as number) << 8) | ((bytes[o + 2] as number) << 16) | ((bytes[o + 3] as number) << 24)) >>> 0;
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) >>> 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k1 = 0;
    if (rest === 3) k1 ^= (bytes[tail + 2] as number) << 16;
    if (rest >= 2) k1 ^= (bytes[tail + 1] as number) << 8;
    k1 ^= bytes[tail] as number;
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
  }
  h1 ^= bytes.length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

const MASK = (1n << 64n) - 1n;
const rotl64 = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const fmix64 = (k: bigint) => {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK;
  k ^= k >> 33n;
  return k;
};
const u64le = (b: Uint8Array, o: number, n = 8) => {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i] as number);
  return v;
};

export function murmur3x64_128(bytes: Uint8Array, seed = 0n): [bigint, bigint] {
  const c1 = 0x87c37b91114253d5n;
  const c2 = 0x4cf5ad432745937fn;
  let h1 = seed;
  let h2 = seed;
  const blocks = bytes.length >>> 4;
  for (let i = 0; i < blocks; i++) {
    let k1 = u64le(bytes, i * 16);
    let k2 = u64le(bytes, i * 16 + 8);
    k1 = (k1 * c1) & MASK;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * c2) & MASK;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & MASK;
    h1 = (h1 * 5n + 0x52dce729n) & MASK;
    k2 = (k2 * c2) & MASK;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * c1) & MASK;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & MASK;
    h2 = (h2 * 5n + 0x38495ab5n) & MASK;
  }
  const tail = blocks * 16;
  const rest = bytes.length & 15;
  if (rest > 8) {
    let k2 = u64le(bytes, tail + 8, rest - 8);
    k2 = (k2 * c2) & MASK;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * c1) & MASK;
    h2 ^= k2;
  }
  if (rest > 0) {
    let k1 = u64le(bytes, tail, Math.min(rest, 8));
    k1 = (k1 * c1) & MASK;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * c2) & MASK;
    h1 ^= k1;
  }
  const len = BigInt(bytes.length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  return [h1, h2];
}

export const hex32 = (n: number): string => n.toString(16).padStart(8, '0');
export const hex64 = (n: bigint): string => n.toString(16).padStart(16, '0');
