import { InvalidArgument } from '@dolittle-ts/fundamentals';
import { decodeReadModelKey, encodeReadModelKey, isStorableText } from '@dolittle-ts/store';

/**
 * True when PostgreSQL text can hold `value` exactly: text cannot hold U+0000, and a lone UTF-16 surrogate cannot
 * be encoded as UTF-8 (node-postgres would send U+FFFD instead, so the value would come back changed). Valid JSON
 * text has neither raw; an id or key with them could never be stored verbatim.
 */
export { isStorableText };

/** Refuses, with `InvalidArgument` naming `field`, anything but a string PostgreSQL text holds exactly. */
export function assertStorableText(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgument(field, `must be a string, not ${typeof value}`);
  if (!isStorableText(value)) {
    throw new InvalidArgument(
      field,
      'holds a NUL character or an unpaired surrogate, which PostgreSQL text cannot store: send valid JSON and ids without them',
    );
  }
}

/** A read-model key as PostgreSQL text (see `encodeReadModelKey`); refuses a non-string with `InvalidArgument`. */
export function encodeKey(key: string): string {
  if (typeof key !== 'string') throw new InvalidArgument('key', `must be a string, not ${typeof key}`);
  return encodeReadModelKey(key);
}

export { decodeReadModelKey as decodeKey };
