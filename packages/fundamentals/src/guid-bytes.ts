import type { Guid } from './ids.js';

/**
 * GUIDs travel as 16 bytes in .NET `Guid.ToByteArray()` order: the first three groups little-endian,
 * the last two as written. The official SDK uses the same layout, so ids round-trip with its strings.
 */
const hex: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** String offsets of each byte's two hex digits, in wire order. */
const offsets = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34] as const;

export function guidToBytes(guid: Guid): Uint8Array {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const at = offsets[i] as number;
    bytes[i] = Number.parseInt(guid.slice(at, at + 2), 16);
  }
  return bytes;
}

/** Returns undefined unless exactly 16 bytes were given. */
export function guidFromBytes(bytes: Uint8Array): Guid | undefined {
  if (bytes.length !== 16) return undefined;
  const h = (i: number) => hex[bytes[i] as number] as string;
  return `${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}` as Guid;
}
