/*
 * Google's CityHash v1.1, the 128-bit functions only (CityHash128, CityHash128WithSeed), written from the
 * algorithm's published description and checked against the reference implementation's own test vectors
 * (city-hash-128.test.ts). Dolittle 6 derives an embedding's event source id from it (embedding-key.ts).
 *
 * No npm package provides this: the maintained ones (farmhash, farmhash-modern, @anglinb/city-hash) offer only
 * 32/64-bit functions, and `cityhash` is a 2011 native binding of CityHash v1.0. Arithmetic is on BigInt reduced
 * modulo 2^64 after every step; keys are short, so this is fast enough (microseconds per key).
 */

/** A 128-bit hash as CityHash returns it: `low` is `Uint128Low64` (the pair's first), `high` its second. */
export interface Hash128 {
  readonly low: bigint;
  readonly high: bigint;
}

const mask64 = (1n << 64n) - 1n;
const k0 = 0xc3a5c85c97cb3127n;
const k1 = 0xb492b66fbe98f273n;
const k2 = 0x9ae16a3b2f90404fn;
const kMul = 0x9ddfea08eb382d69n;

const u64 = (value: bigint): bigint => value & mask64;
const add = (a: bigint, b: bigint): bigint => (a + b) & mask64;
const mul = (a: bigint, b: bigint): bigint => (a * b) & mask64;

function rotate(value: bigint, shift: bigint): bigint {
  return shift === 0n ? value : ((value >> shift) | (value << (64n - shift))) & mask64;
}

function shiftMix(value: bigint): bigint {
  return value ^ (value >> 47n);
}

/** Reads bytes little-endian, as CityHash's Fetch64/Fetch32 do on the little-endian machines it targets. */
class Bytes {
  readonly #view: DataView;
  readonly length: number;
  constructor(data: Uint8Array) {
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.length = data.byteLength;
  }
  fetch64(at: number): bigint {
    return this.#view.getBigUint64(at, true);
  }
  fetch32(at: number): bigint {
    return BigInt(this.#view.getUint32(at, true));
  }
  byte(at: number): bigint {
    return BigInt(this.#view.getUint8(at));
  }
}

function hash128to64(low: bigint, high: bigint): bigint {
  let a = mul(low ^ high, kMul);
  a ^= a >> 47n;
  let b = mul(high ^ a, kMul);
  b ^= b >> 47n;
  return mul(b, kMul);
}

function hashLen16(u: bigint, v: bigint, m?: bigint): bigint {
  if (m === undefined) return hash128to64(u, v);
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

/** HashLen0to16 of v1.1 over `s[start, start + len)`. */
function hashLen0to16(s: Bytes, start: number, len: number): bigint {
  const length = BigInt(len);
  if (len >= 8) {
    const m = add(k2, length * 2n);
    const a = add(s.fetch64(start), k2);
    const b = s.fetch64(start + len - 8);
    const c = add(mul(rotate(b, 37n), m), a);
    const d = mul(add(rotate(a, 25n), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(k2, length * 2n);
    const a = s.fetch32(start);
    return hashLen16(add(length, u64(a << 3n)), s.fetch32(start + len - 4), m);
  }
  if (len > 0) {
    const a = s.byte(start);
    const b = s.byte(start + (len >> 1));
    const c = s.byte(start + len - 1);
    const y = (a + (b << 8n)) & 0xffffffffn;
    const z = (length + (c << 2n)) & 0xffffffffn;
    return mul(shiftMix(mul(y, k2) ^ mul(z, k0)), k2);
  }
  return k2;
}

/** Returns (a + z, b + c) of CityHash's WeakHashLen32WithSeeds for the 32 bytes at `at`. */
function weakHashLen32WithSeeds(s: Bytes, at: number, seedA: bigint, seedB: bigint): [bigint, bigint] {
  const w = s.fetch64(at);
  const x = s.fetch64(at + 8);
  const y = s.fetch64(at + 16);
  const z = s.fetch64(at + 24);
  let a = add(seedA, w);
  let b = rotate(add(add(seedB, a), z), 21n);
  const c = a;
  a = add(add(a, x), y);
  b = add(b, rotate(a, 44n));
  return [add(a, z), add(b, c)];
}

/** CityMurmur: CityHash128WithSeed's path for fewer than 128 bytes. */
function cityMurmur(s: Bytes, start: number, len: number, seed: Hash128): Hash128 {
  let a = seed.low;
  let b = seed.high;
  let c: bigint;
  let d: bigint;
  if (len <= 16) {
    a = mul(shiftMix(mul(a, k1)), k1);
    c = add(mul(b, k1), hashLen0to16(s, start, len));
    d = shiftMix(add(a, len >= 8 ? s.fetch64(start) : c));
  } else {
    c = hashLen16(add(s.fetch64(start + len - 8), k1), a);
    d = hashLen16(add(b, BigInt(len)), add(c, s.fetch64(start + len - 16)));
    a = add(a, d);
    for (let at = start, left = len - 16; left > 0; at += 16, left -= 16) {
      a ^= mul(shiftMix(mul(s.fetch64(at), k1)), k1);
      a = mul(a, k1);
      b ^= a;
      c ^= mul(shiftMix(mul(s.fetch64(at + 8), k1)), k1);
      c = mul(c, k1);
      d ^= c;
    }
  }
  a = hashLen16(a, c);
  b = hashLen16(d, b);
  return { low: a ^ b, high: hashLen16(b, a) };
}

function cityHash128WithSeedAt(s: Bytes, start: number, len: number, seed: Hash128): Hash128 {
  if (len < 128) return cityMurmur(s, start, len, seed);

  // Keep 56 bytes of state: v, w, x, y and z.
  let x = seed.low;
  let y = seed.high;
  let z = mul(BigInt(len), k1);
  let v0 = add(mul(rotate(y ^ k1, 49n), k1), s.fetch64(start));
  let v1 = add(mul(rotate(v0, 42n), k1), s.fetch64(start + 8));
  let w0 = add(mul(rotate(add(y, z), 35n), k1), x);
  let w1 = mul(rotate(add(x, s.fetch64(start + 88)), 53n), k1);

  let at = start;
  let left = len;
  // The same inner loop as CityHash64, unrolled twice: 128 bytes per round.
  do {
    for (let half = 0; half < 2; half++) {
      x = mul(rotate(add(add(add(x, y), v0), s.fetch64(at + 8)), 37n), k1);
      y = mul(rotate(add(add(y, v1), s.fetch64(at + 48)), 42n), k1);
      x ^= w1;
      y = add(y, add(v0, s.fetch64(at + 40)));
      z = mul(rotate(add(z, w0), 33n), k1);
      [v0, v1] = weakHashLen32WithSeeds(s, at, mul(v1, k1), add(x, w0));
      [w0, w1] = weakHashLen32WithSeeds(s, at + 32, add(z, w1), add(y, s.fetch64(at + 16)));
      [x, z] = [z, x];
      at += 64;
    }
    left -= 128;
  } while (left >= 128);

  x = add(x, mul(rotate(add(v0, z), 49n), k0));
  y = add(mul(y, k0), rotate(w1, 37n));
  z = add(mul(z, k0), rotate(w0, 27n));
  w0 = mul(w0, 9n);
  v0 = mul(v0, k0);
  // Hash up to 4 chunks of 32 bytes from the end of what is left.
  for (let tailDone = 0; tailDone < left; ) {
    tailDone += 32;
    const chunk = at + left - tailDone;
    y = add(mul(rotate(add(x, y), 42n), k0), v1);
    w0 = add(w0, s.fetch64(chunk + 16));
    x = add(mul(x, k0), w0);
    z = add(z, add(w1, s.fetch64(chunk)));
    w1 = add(w1, v0);
    [v0, v1] = weakHashLen32WithSeeds(s, chunk, add(v0, z), v1);
    v0 = mul(v0, k0);
  }
  // Two different 56-byte-to-8-byte hashes give the 16-byte result.
  x = hashLen16(x, v0);
  y = hashLen16(add(y, z), w0);
  return { low: add(hashLen16(add(x, v1), w1), y), high: hashLen16(add(x, w1), add(y, v1)) };
}

/** CityHash128WithSeed (v1.1). */
export function cityHash128WithSeed(data: Uint8Array, seed: Hash128): Hash128 {
  return cityHash128WithSeedAt(new Bytes(data), 0, data.byteLength, { low: u64(seed.low), high: u64(seed.high) });
}

/** CityHash128 (v1.1). */
export function cityHash128(data: Uint8Array): Hash128 {
  const s = new Bytes(data);
  if (s.length >= 16) {
    return cityHash128WithSeedAt(s, 16, s.length - 16, { low: s.fetch64(0), high: add(s.fetch64(8), k0) });
  }
  return cityHash128WithSeedAt(s, 0, s.length, { low: k0, high: k1 });
}
