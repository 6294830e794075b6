import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cityHash128, cityHash128WithSeed, type Hash128 } from './city-hash-128.js';

/*
 * Known answers from the reference implementation's test program (CityHash v1.1 `src/city-test.cc`, MIT): it fills
 * 1 MiB with a fixed pseudo-random sequence and, for i in 0..298, hashes the i bytes at offset i², then the whole
 * MiB. Each row: the test's index i, then CityHash128 (low, high) and CityHash128WithSeed(kSeed128) (low, high),
 * columns 3–6 of its `testdata` table. The rows cover every code path: 0–16 bytes (each short-input branch),
 * 17–127 (CityMurmur's loop), 128 and more (the unrolled loop with 0–4 tail chunks).
 */
const vectors: readonly (readonly [number, string, string, string, string])[] = [
  [0, '3df09dfc64c09a2b', '3cb540c392e51e29', '6b56343feac0663', '5b7bc50fd8e8ad92'],
  [1, 'c3cdc41e1df33513', '2c138ff2596d42f6', 'f58e9082aed3055f', '162e192b2957163d'],
  [2, '3149ba1dac77270d', '70e2e076e30703c', '59bcc9659bc5296', '9ecbc8132ae2f1d7'],
  [3, '2193fb7620cbf23b', '8b6a8ff06cda8302', '1a44469afd3e091f', '8b0449376612506'],
  [4, '4d09e42f09cc3495', '666236631b9f253b', 'd28b3763cd02b6a3', '43b249e57c4d0c1b'],
  [5, 'dc07df53b949c6b', 'd2b11b2081aeb002', 'd212b02c1b13f772', 'c0bed297b4be1912'],
  [6, 'd183dcda5f73edfa', '3a93cbf40f30128c', '1a92544d0b41dbda', 'aec2c4bee81975e1'],
  [7, 'b140a02ef5c97712', 'b7d00ef065b51b33', '635121d532897d98', '532daf21b312a6d6'],
  [8, '26b6689960ccf81d', '55f23b27bb9efd94', '3a17f6166dd765db', 'c891a8a62931e782'],
  [9, '98ec31113e5e35d2', '5e4aeb853f1b9aa7', 'bcf5c8fe4465b7c8', 'b1ea3a8243996f15'],
  [15, '3bab18b164396783', '47e385ff9d4c06f', '18062081bf558df', '63416eb68f104a36'],
  [16, 'ac059617f5906673', '94d50d3dcd3069a7', '2b26c3b92dea0f0', '99b7374cc78fc3fb'],
  [17, 'a4375590b8ae7c82', '168fd42f9ecae4ff', '23bbde43de2cb214', 'a8c333112a243c8c'],
  [31, 'b2e25964cd409117', 'a010599d6287c412', 'fa5d6461e768dda2', 'cb3ce74e8ec4f906'],
  [32, '9a8c431f500ef06e', 'd848581a580b6c12', 'fecfe11e13a2bdb4', '6c4fa0273d7db08c'],
  [33, '7870765b470b2c5d', '78a9103ff960d82', '7bb50ffc9fac74b3', '477e70ab2b347db2'],
  [37, 'a1924cbf0b5f9222', '7f4872369c2b4258', 'cd6da30530f3ea89', 'b7f8b9a704e6cea1'],
  [294, '230d2b3e47f09830', 'ec8624a821c1caf4', 'ea6ec411cdbf1cb1', '5f38ae82af364e27'],
  [295, '7122413bdbc94035', 'e7f90fae33bf7763', '4b6bd0fb30b12387', '557359c0c44f48ca'],
  [296, '5ed12338f630ab76', 'fab19fcb319116d', '167f5f42b521724b', 'c4aa56c409568d74'],
  [297, 'fca4e5bc9292788e', 'cd509dc1facce41c', 'bbba575a59d82fe', '4e2e71c15b45d4d3'],
  [298, '967e970df9673d2a', 'd465247cffa415c0', '33a1df0ca1107722', '49fc2a10adce4a32'],
  // The last row hashes the whole MiB (offset 0).
  [299, '6cc09e60700563e9', 'd18f23221e964791', 'ffc23eeef7af26eb', '693a954a3622a315'],
];

const k0 = 0xc3a5c85c97cb3127n;
const mask64 = (1n << 64n) - 1n;
const dataSize = 1 << 20;
const seed128: Hash128 = { low: 1234567n, high: k0 };

/** The test program's `setup()`: its pseudo-random bytes. */
function testData(): Uint8Array {
  const data = new Uint8Array(dataSize);
  let a = 9n;
  let b = 777n;
  for (let i = 0; i < dataSize; i++) {
    a = (a + b) & mask64;
    b = (b + a) & mask64;
    a = ((a ^ (a >> 41n)) * k0) & mask64;
    b = (((b ^ (b >> 41n)) * k0) & mask64) + BigInt(i);
    b &= mask64;
    data[i] = Number((b >> 37n) & 0xffn);
  }
  return data;
}

const hex = (value: bigint) => value.toString(16);

describe('CityHash v1.1, 128-bit', () => {
  const data = testData();

  for (const [i, low, high, seededLow, seededHigh] of vectors) {
    const slice = i === 299 ? data : data.subarray(i * i, i * i + i);
    it(`matches the reference test vectors for ${slice.length} bytes`, () => {
      const hash = cityHash128(slice);
      assert.deepEqual([hex(hash.low), hex(hash.high)], [low, high]);
      const seeded = cityHash128WithSeed(slice, seed128);
      assert.deepEqual([hex(seeded.low), hex(seeded.high)], [seededLow, seededHigh]);
    });
  }

  it('hashes a view of a larger buffer like a copy of its bytes', () => {
    const copy = data.slice(1000, 1200);
    assert.deepEqual(cityHash128(data.subarray(1000, 1200)), cityHash128(copy));
  });
});
