/*
 * Protobuf messages as plain trees of (field number, value), encoded by hand. A test can then build what no
 * generated class would encode: a field with the wrong wire type, an id of 1000 bytes, a group nested a million
 * levels deep, a oneof with two arms.
 */

export type ProtoValue =
  | { readonly kind: 'varint'; readonly value: bigint }
  | { readonly kind: 'fixed32'; readonly value: number }
  | { readonly kind: 'fixed64'; readonly value: bigint }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'message'; readonly fields: readonly ProtoField[] }
  /** START_GROUP … END_GROUP (wire types 3 and 4), deprecated but every parser has to walk it. */
  | { readonly kind: 'group'; readonly fields: readonly ProtoField[] }
  /** Bytes written as they are, with no tag: for truncated or corrupt encodings. */
  | { readonly kind: 'raw'; readonly value: Uint8Array };

/** `role` names what the field means, so mutations can find "every id" or "the tenant" in any message. */
export interface ProtoField {
  readonly no: number;
  readonly value: ProtoValue;
  readonly role?: FieldRole;
}

export type FieldRole =
  | 'callContext'
  | 'executionContext'
  | 'tenantId'
  | 'uuid'
  | 'json'
  | 'string'
  | 'registration'
  | 'pingInterval';

export const varint = (value: number | bigint): ProtoValue => ({ kind: 'varint', value: BigInt(value) });
export const bytes = (value: Uint8Array): ProtoValue => ({ kind: 'bytes', value });
export const text = (value: string): ProtoValue => ({ kind: 'bytes', value: Buffer.from(value, 'utf8') });
export const message = (...fields: ProtoField[]): ProtoValue => ({ kind: 'message', fields });
export const field = (no: number, value: ProtoValue, role?: FieldRole): ProtoField =>
  role === undefined ? { no, value } : { no, value, role };

export function encode(value: ProtoValue): Buffer {
  const chunks: Buffer[] = [];
  writeFields(value.kind === 'message' || value.kind === 'group' ? value.fields : [], chunks);
  return Buffer.concat(chunks);
}

function writeFields(fields: readonly ProtoField[], out: Buffer[]): void {
  for (const f of fields) writeField(f, out);
}

function writeField(f: ProtoField, out: Buffer[]): void {
  const v = f.value;
  switch (v.kind) {
    case 'varint':
      out.push(tag(f.no, 0), encodeVarint(v.value));
      return;
    case 'fixed64': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, v.value));
      out.push(tag(f.no, 1), b);
      return;
    }
    case 'bytes':
      out.push(tag(f.no, 2), encodeVarint(BigInt(v.value.length)), Buffer.from(v.value));
      return;
    case 'message': {
      const body = encode(v);
      out.push(tag(f.no, 2), encodeVarint(BigInt(body.length)), body);
      return;
    }
    case 'group':
      out.push(tag(f.no, 3));
      writeFields(v.fields, out);
      out.push(tag(f.no, 4));
      return;
    case 'fixed32': {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v.value >>> 0);
      out.push(tag(f.no, 5), b);
      return;
    }
    case 'raw':
      out.push(Buffer.from(v.value));
      return;
  }
}

function tag(no: number, wireType: number): Buffer {
  return encodeVarint((BigInt(no) << 3n) | BigInt(wireType));
}

export function encodeVarint(value: bigint): Buffer {
  let v = BigInt.asUintN(64, value);
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/**
 * A field nested `depth` levels deep, built without recursion (a million levels must not overflow the test's own
 * stack): as groups (1 byte per level on each side) or as length-delimited messages.
 */
export function deeplyNested(no: number, depth: number, as: 'group' | 'message'): ProtoField {
  const open = tag(no, 3);
  const close = tag(no, 4);
  if (as === 'group') {
    return field(no, { kind: 'raw', value: Buffer.concat([repeat(open, depth), repeat(close, depth)]) });
  }
  // Each level is a tag and the length of everything inside it; the innermost is empty. Lengths are computed
  // innermost first, then the headers are written outermost first (the encoding is just the headers in a row).
  const levelTag = tag(no, 2);
  const lengths: number[] = [0];
  for (let level = 1; level < depth; level++) {
    const inner = lengths[level - 1] ?? 0;
    lengths.push(levelTag.length + encodeVarint(BigInt(inner)).length + inner);
  }
  const headers: Buffer[] = [];
  for (let level = depth - 1; level >= 0; level--) headers.push(levelTag, encodeVarint(BigInt(lengths[level] ?? 0)));
  return field(no, { kind: 'raw', value: Buffer.concat(headers) });
}

function repeat(chunk: Buffer, times: number): Buffer {
  const out = Buffer.alloc(chunk.length * times);
  for (let i = 0; i < times; i++) chunk.copy(out, i * chunk.length);
  return out;
}

/** Every field in the tree (depth first) with a path of indexes to it, for mutations that pick one. */
export function fieldsOf(value: ProtoValue, path: number[] = []): { path: number[]; field: ProtoField }[] {
  if (value.kind !== 'message' && value.kind !== 'group') return [];
  const found: { path: number[]; field: ProtoField }[] = [];
  value.fields.forEach((f, i) => {
    found.push({ path: [...path, i], field: f });
    found.push(...fieldsOf(f.value, [...path, i]));
  });
  return found;
}

/** A copy of the tree with the field at `path` replaced by `replace(field)` (or removed when it returns undefined). */
export function replaceAt(
  value: ProtoValue,
  path: readonly number[],
  replace: (f: ProtoField) => ProtoField | undefined,
): ProtoValue {
  if (value.kind !== 'message' && value.kind !== 'group') return value;
  const [index, ...rest] = path;
  if (index === undefined) return value;
  const fields: ProtoField[] = [];
  value.fields.forEach((f, i) => {
    if (i !== index) fields.push(f);
    else if (rest.length === 0) {
      const replaced = replace(f);
      if (replaced !== undefined) fields.push(replaced);
    } else fields.push({ ...f, value: replaceAt(f.value, rest, replace) });
  });
  return { kind: value.kind, fields };
}
