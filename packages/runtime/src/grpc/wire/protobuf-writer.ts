/**
 * A minimal protobuf wire-format writer for the hot responses (committed events), so they are encoded straight into
 * bytes instead of through google-protobuf's message objects. Only what those messages use: varints, length-
 * delimited fields and nested messages. The output is byte-compatible with the generated serializers (same fields,
 * same order, default values omitted), which the tests check.
 */
export class ProtobufWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(capacity = 1024) {
    this.#buffer = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.#length;
  }

  #ensure(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buffer.copy(next, 0, 0, this.#length);
    this.#buffer = next;
  }

  varint(value: number): void {
    this.#ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.#buffer[this.#length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buffer[this.#length++] = v;
  }

  tag(field: number, wireType: 0 | 2): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative integer field (uint32/uint64/int64 ≥ 0, bool); omitted when 0, as proto3 does. */
  uint(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, 0);
    this.varint(value);
  }

  bool(field: number, value: boolean): void {
    if (value) this.uint(field, 1);
  }

  bytes(field: number, value: Uint8Array): void {
    if (value.length === 0) return;
    this.tag(field, 2);
    this.varint(value.length);
    this.#ensure(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
  }

  /** An already-encoded nested message; always emitted (as a set message field is), even when empty. */
  encoded(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.#ensure(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
  }

  string(field: number, value: string): void {
    if (value.length === 0) return;
    const size = Buffer.byteLength(value, 'utf8');
    this.tag(field, 2);
    this.varint(size);
    this.#ensure(size);
    this.#length += this.#buffer.write(value, this.#length, size, 'utf8');
  }

  /** A nested message written by `write`; its length prefix is filled in afterwards. Always emitted. */
  message(field: number, write: (writer: ProtobufWriter) => void): void {
    this.tag(field, 2);
    // Reserve the largest length prefix we need (messages here are far below 2^28 bytes), then compact it.
    this.#ensure(4);
    const at = this.#length;
    this.#length += 4;
    write(this);
    const size = this.#length - at - 4;
    const prefix = varintLength(size);
    if (prefix !== 4) this.#buffer.copy(this.#buffer, at + prefix, at + 4, this.#length);
    let v = size;
    for (let i = 0; i < prefix; i++) {
      this.#buffer[at + i] = i === prefix - 1 ? v : (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#length -= 4 - prefix;
  }

  finish(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}

function varintLength(value: number): number {
  let length = 1;
  let v = value;
  while (v > 0x7f) {
    length++;
    v = Math.floor(v / 0x80);
  }
  return length;
}
