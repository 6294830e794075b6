import { isUtf8 } from 'node:buffer';

/**
 * Reads protobuf varints, tags and lengths for the decoders that read hot messages from their bytes. A malformed or
 * truncated varint reads as a value no caller accepts, so a decoder never throws: it gives the message up to the
 * contract classes instead.
 */
export class WireReader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** A tag (field number and wire type), or -1 past the end or for an over-long varint. */
  tag(): number {
    const value = this.varint();
    return value > 0x7fffffff ? -1 : value;
  }

  /** Reads a length and returns where the field it measures ends; past the end of the bytes when it would overrun. */
  lengthEnd(): number {
    const length = this.varint();
    return length < 0 ? this.bytes.length + 1 : this.at + length;
  }

  /** An unsigned varint of up to 5 bytes, or -1 when it is truncated or longer. */
  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.at >= this.bytes.length) return -1;
      const byte = this.bytes[this.at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return -1;
  }

  /**
   * A `Uuid { bytes value = 1 }` of exactly 16 bytes filling the field that ends at `end`, as a view of the message's
   * bytes; undefined for anything else.
   */
  uuid(end: number): Uint8Array | undefined {
    if (this.tag() !== 0x0a) return undefined;
    const valueEnd = this.lengthEnd();
    if (valueEnd !== end || valueEnd - this.at !== 16) return undefined;
    return this.bytes.subarray(this.at, valueEnd);
  }

  /** The UTF-8 text from here to `end`, or undefined when it is not valid UTF-8 (left to the contract classes). */
  utf8(end: number): string | undefined {
    const text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.at, end - this.at);
    return isUtf8(text) ? text.toString('utf8') : undefined;
  }
}
