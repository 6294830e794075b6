/**
 * Read-model keys come from event content (a property's value) or from a head, and may hold what database text
 * cannot keep as it is: U+0000, or a lone UTF-16 surrogate (UTF-8 drivers turn it into U+FFFD). Adapters store keys
 * through this codec: such keys, and keys that start with the marker, become the marker followed by the key as a JSON
 * string; every other key is stored as it is, so keys stay readable in the database. Decoding is exact.
 */
const escapedKey = '\u0001';

/** True when database text (UTF-8, no NUL) holds `value` exactly. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}

export function encodeReadModelKey(key: string): string {
  return isStorableText(key) && !key.startsWith(escapedKey) ? key : escapedKey + JSON.stringify(key);
}

export function decodeReadModelKey(stored: string): string {
  return stored.startsWith(escapedKey) ? (JSON.parse(stored.slice(1)) as string) : stored;
}
