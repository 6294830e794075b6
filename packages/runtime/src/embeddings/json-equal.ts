/**
 * Whether two JSON documents hold the same value: objects compare by their keys (in any order), arrays element by
 * element, numbers by value. Dolittle compares embedding states this way (`JToken.DeepEquals`), so a head's
 * re-serialised state with another key order still counts as reached. Text that is not JSON equals only itself.
 */
export function jsonEqual(left: string, right: string): boolean {
  if (left === right) return true;
  const a = parse(left);
  const b = parse(right);
  return a.ok && b.ok && valuesEqual(a.value, b.value);
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => valuesEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && valuesEqual(left[key], right[key]));
}
