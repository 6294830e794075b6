import fc from 'fast-check';

/**
 * For the decoders' property tests: messages from `valid` as they are, with a byte changed, cut short or one byte
 * appended, and arbitrary bytes of up to `maxRandomLength`.
 */
export function validMutatedOrRandom(
  valid: fc.Arbitrary<Uint8Array>,
  maxRandomLength: number,
): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'append'))
    .map(([bytes, at, value, how]) => {
      const copy = Uint8Array.from(bytes);
      const i = at % copy.length;
      if (how === 'flip') copy[i] = value;
      if (how === 'cut') return copy.subarray(0, i);
      if (how === 'append') return Buffer.concat([copy, Uint8Array.of(value)]);
      return copy;
    });
  return fc.oneof(valid, mutated, fc.uint8Array({ maxLength: maxRandomLength }));
}
