import { type EventSourceId, guidFromBytes } from '@dolittle-ts/fundamentals';
import { cityHash128 } from './city-hash-128.js';

/**
 * The event source id of an embedding key, as Dolittle 6 computes it (`Embeddings.Store/
 * ProjectionKeyToEventSourceIdConverter.cs`): CityHash128 (v1.1) of the key's UTF-16LE bytes (.NET
 * `Encoding.Unicode`), whose 16 result bytes are read as a .NET Guid (`new Guid(byte[])`).
 *
 * The 16 bytes are `low64` little-endian then `high64` little-endian (`System.Data.HashFunction.CityHash` writes
 * `BitConverter.GetBytes(Low)` then `GetBytes(High)`), taken in .NET `Guid.ToByteArray()` order: so Data1 is the
 * low 32 bits of low64, Data2 and Data3 its next two 16-bit groups, and the last 8 bytes of the Guid string are
 * high64's bytes from least to most significant. Lone surrogates become U+FFFD first, as .NET's encoder does.
 */
export function eventSourceIdForKey(key: string): EventSourceId {
  const hash = cityHash128(utf16le(key));
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, hash.low, true);
  view.setBigUint64(8, hash.high, true);
  return guidFromBytes(bytes) as string as EventSourceId;
}

function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < text.length; i++) {
    let unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        view.setUint16(i * 2, unit, true);
        view.setUint16(i * 2 + 2, next, true);
        i++;
        continue;
      }
      unit = 0xfffd;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      unit = 0xfffd;
    }
    view.setUint16(i * 2, unit, true);
  }
  return bytes;
}
