/*
 * Just enough of the protobuf wire format to check a response without decoding it: walk the fields of one message
 * level, skip what is not asked for. Decoding a 100-event CommitEventsResponse with google-protobuf costs more CPU
 * than the Runtime spends on some commits; walking its top level costs almost nothing.
 */

const wireVarint = 0;
const wireFixed64 = 1;
const wireLengthDelimited = 2;
const wireFixed32 = 5;

/** Where a length-delimited field's bytes are: `[start, end)` in the buffer it was found in. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** What one pass over a message's top-level fields saw of one field number. */
export interface FieldSummary {
  /** How many times the field occurred (a repeated field's length). */
  count: number;
  /** The first occurrence, when it is length-delimited. */
  first: Span | undefined;
  /** The last varint value, when the field is a varint (safe up to 2^53). */
  varint: number | undefined;
}

/** Thrown when the bytes are not a well-formed protobuf message. */
export class MalformedMessage extends Error {
  override readonly name = 'MalformedMessage';
}

/**
 * Reads the varint at `offset` and returns it with the offset after it. Values above 2^53 lose precision; none of
 * the fields the benchmarks read get there.
 */
export function readVarint(bytes: Uint8Array, offset: number, end: number): { value: number; next: number } {
  let value = 0;
  let multiplier = 1;
  for (let i = offset; i < end && i < offset + 10; i++) {
    const byte = bytes[i] as number;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return { value, next: i + 1 };
    multiplier *= 128;
  }
  throw new MalformedMessage(`truncated varint at byte ${offset}`);
}

/**
 * One pass over the top level of the message in `bytes[start, end)`, summarising the given field numbers
 * (index i of the result is `fields[i]`). Everything else is skipped by its wire type.
 */
export function summarizeFields(
  bytes: Uint8Array,
  fields: readonly number[],
  start = 0,
  end = bytes.length,
): FieldSummary[] {
  const summaries = fields.map((): FieldSummary => ({ count: 0, first: undefined, varint: undefined }));
  let offset = start;
  while (offset < end) {
    const tag = readVarint(bytes, offset, end);
    offset = tag.next;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value & 7;
    const index = fields.indexOf(field);
    const summary = index >= 0 ? summaries[index] : undefined;
    switch (wireType) {
      case wireVarint: {
        const value = readVarint(bytes, offset, end);
        offset = value.next;
        if (summary) {
          summary.count++;
          summary.varint = value.value;
        }
        break;
      }
      case wireFixed64:
        offset += 8;
        if (summary) summary.count++;
        break;
      case wireFixed32:
        offset += 4;
        if (summary) summary.count++;
        break;
      case wireLengthDelimited: {
        const length = readVarint(bytes, offset, end);
        const valueStart = length.next;
        offset = valueStart + length.value;
        if (summary) {
          summary.count++;
          summary.first ??= { start: valueStart, end: offset };
        }
        break;
      }
      default:
        throw new MalformedMessage(`unsupported wire type ${wireType} for field ${field} at byte ${offset}`);
    }
    if (offset > end)
      throw new MalformedMessage(`field ${field} runs past the end of its message (${offset} > ${end})`);
  }
  return summaries;
}

/** Every occurrence of a length-delimited field of the message in `bytes[start, end)`, in order. */
export function spansOf(bytes: Uint8Array, field: number, start = 0, end = bytes.length): Span[] {
  const spans: Span[] = [];
  let offset = start;
  while (offset < end) {
    const tag = readVarint(bytes, offset, end);
    offset = tag.next;
    const wireType = tag.value & 7;
    if (wireType === wireVarint) offset = readVarint(bytes, offset, end).next;
    else if (wireType === wireFixed64) offset += 8;
    else if (wireType === wireFixed32) offset += 4;
    else if (wireType === wireLengthDelimited) {
      const length = readVarint(bytes, offset, end);
      const valueStart = length.next;
      offset = valueStart + length.value;
      if (Math.floor(tag.value / 8) === field) spans.push({ start: valueStart, end: offset });
    } else throw new MalformedMessage(`unsupported wire type ${wireType} at byte ${offset}`);
  }
  if (offset > end) throw new MalformedMessage(`the message runs past its end (${offset} > ${end})`);
  return spans;
}
