/*
 * fast-check arbitraries of bad requests for a Runtime method: random bytes, and structure-aware breakage of a
 * valid request. Every structured case carries at least one defect the Runtime must refuse (a missing context, an
 * id of the wrong length, an unknown tenant, invalid JSON, a bad first message...), optionally wrapped in hostile
 * carriers (huge strings, deep nesting, unknown fields); so no case can legitimately change the store.
 */
import fc from 'fast-check';
import {
  bytes,
  deeplyNested,
  encode,
  type FieldRole,
  field,
  fieldsOf,
  message,
  type ProtoField,
  type ProtoValue,
  replaceAt,
  text,
  varint,
} from './protobuf-tree.js';
import type { RequestIds, RuntimeMethod } from './runtime-methods.js';

export interface BadRequest {
  /** What was done to the request, e.g. ["id of 17 bytes", "deep nesting (group × 100000)"]. */
  readonly labels: readonly string[];
  readonly bytes: Buffer;
}

interface Mutation {
  readonly label: string;
  apply(tree: ProtoValue): ProtoValue;
}

const withRole = (tree: ProtoValue, roles: readonly FieldRole[]) =>
  fieldsOf(tree).filter(({ field: f }) => f.role !== undefined && roles.includes(f.role));

/** Picks the `index`-th (mod count) field with one of the roles and transforms it; identity when there is none. */
function atRole(
  roles: readonly FieldRole[],
  index: number,
  label: string,
  transform: (f: ProtoField) => ProtoField | undefined,
): Mutation {
  return {
    label,
    apply(tree) {
      const candidates = withRole(tree, roles);
      const chosen = candidates[index % Math.max(1, candidates.length)];
      if (chosen === undefined) return tree;
      return replaceAt(tree, chosen.path, transform);
    },
  };
}

const wrongLengths = fc.oneof(
  fc.constantFrom(0, 15, 17, 1000),
  fc.integer({ min: 0, max: 64 }).filter((n) => n !== 16),
);

/** Strings that `JSON.parse` refuses. */
export const invalidJson = fc.oneof(
  fc.constantFrom('', '{', '{"a":}', "{'a':1}", '[1,2', 'undefined', 'NaN', '{"a":1}}', '\u0000', '{"a":"\u0001"}'),
  fc.string({ maxLength: 200 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

/** A value with a wire type other than length-delimited, where a message was expected. */
const otherWireType: fc.Arbitrary<ProtoValue> = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ kind: 'varint' as const, value })),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((value) => ({ kind: 'fixed32' as const, value })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ kind: 'fixed64' as const, value })),
  fc.constant({ kind: 'group' as const, fields: [] }),
);

interface Defect {
  /** The defect only applies when the request has a field with one of these roles. */
  readonly needs: readonly FieldRole[];
  readonly mutation: fc.Arbitrary<Mutation>;
}

const needs = (roles: readonly FieldRole[], mutation: fc.Arbitrary<Mutation>): Defect => ({ needs: roles, mutation });

function applicable(defects: readonly Defect[], valid: ProtoValue): fc.Arbitrary<Mutation> {
  const usable = defects.filter((d) => d.needs.length === 0 || withRole(valid, d.needs).length > 0);
  return fc.oneof(...usable.map((d) => d.mutation));
}

const missing = (role: FieldRole): Defect =>
  needs(
    [role],
    fc.nat().map((i) => atRole([role], i, `missing ${role}`, () => undefined)),
  );

const idOfWrongLength = (roles: readonly FieldRole[]): Defect =>
  needs(
    roles,
    fc.tuple(fc.nat(), wrongLengths, fc.uint8Array({ minLength: 1000, maxLength: 1000 })).map(([i, length, noise]) =>
      atRole(roles, i, `id of ${length} bytes`, (f) => ({
        ...f,
        value: message(field(1, bytes(noise.subarray(0, length)))),
      })),
    ),
  );

const unknownTenant: Defect = needs(
  ['tenantId'],
  fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .map((id) => atRole(['tenantId'], 0, 'unknown tenant', (f) => ({ ...f, value: message(field(1, bytes(id))) }))),
);

const wrongWireType = (roles: readonly FieldRole[]): Defect =>
  needs(
    roles,
    fc
      .tuple(fc.nat(), otherWireType)
      .map(([i, value]) => atRole(roles, i, `wrong wire type (${value.kind})`, (f) => ({ ...f, value }))),
  );

const jsonThatIsNot: Defect = needs(
  ['json'],
  fc
    .tuple(fc.nat(), invalidJson)
    .map(([i, json]) =>
      atRole(['json'], i, `invalid JSON ${JSON.stringify(json.slice(0, 20))}`, (f) => ({ ...f, value: text(json) })),
    ),
);

/** Defects the Runtime must refuse in a unary request. */
function unaryDefects(): Defect[] {
  return [
    missing('callContext'),
    missing('executionContext'),
    idOfWrongLength(['uuid', 'tenantId']),
    unknownTenant,
    jsonThatIsNot,
    wrongWireType(['callContext', 'executionContext', 'tenantId']),
  ];
}

/** Defects of a reverse call's first message. */
function firstMessageDefects(method: RuntimeMethod & { kind: 'reverse-call' }): Defect[] {
  return [
    missing('callContext'),
    missing('executionContext'),
    missing('pingInterval'),
    needs(
      ['pingInterval'],
      fc
        .tuple(fc.integer({ min: -1_000_000, max: 0 }), fc.integer({ min: -999_999_999, max: 0 }))
        .map(([seconds, nanos]) =>
          atRole(['pingInterval'], 0, `pingInterval ${seconds}s ${nanos}ns`, (f) => ({
            ...f,
            value: message(field(1, varint(seconds)), field(2, varint(nanos))),
          })),
        ),
    ),
    idOfWrongLength(['uuid', 'tenantId']),
    unknownTenant,
    jsonThatIsNot,
    needs(
      [],
      fc.constantFrom(...method.otherArms).map((arm) => ({
        label: `first message is arm ${arm}, not the registration`,
        apply: () => message(field(arm, message())),
      })),
    ),
    needs([], fc.constant({ label: 'empty first message', apply: () => message() })),
    wrongWireType(['registration', 'callContext', 'executionContext']),
  ];
}

/** Hostile wrapping that must not crash or hang the parser; it does not by itself make a request invalid. */
function carriers(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc
      .tuple(fc.constantFrom('group' as const, 'message' as const), fc.constantFrom(1000, 100_000, 1_000_000))
      .map(([as, depth]) => ({
        label: `deep nesting (${as} × ${depth})`,
        apply: (tree: ProtoValue) =>
          appendField(tree, deeplyNested(99, as === 'message' ? Math.min(depth, 300_000) : depth, as)),
      })),
    fc.tuple(fc.nat(), fc.integer({ min: 100_000, max: 3_000_000 })).map(([i, length]) =>
      atRole(['string', 'json'], i, `huge string (${length} chars)`, (f) => ({
        ...f,
        value: text(
          f.role === 'json' ? JSON.stringify({ huge: 'x'.repeat(length) }) : '\u00e9\u{1F600}x'.repeat(length / 4),
        ),
      })),
    ),
    fc
      .array(
        fc.tuple(
          fc.integer({ min: 20, max: 536_870_911 }),
          fc.oneof(
            fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value): ProtoValue => ({ kind: 'varint', value })),
            fc.uint8Array({ maxLength: 300 }).map((value): ProtoValue => bytes(value)),
            fc.integer().map((value): ProtoValue => ({ kind: 'fixed32', value })),
          ),
        ),
        { minLength: 1, maxLength: 8 },
      )
      .map((unknown) => ({
        label: `${unknown.length} unknown fields`,
        apply: (tree: ProtoValue) => unknown.reduce((t, [no, value]) => appendField(t, field(no, value)), tree),
      })),
  );
}

function appendField(tree: ProtoValue, f: ProtoField): ProtoValue {
  if (tree.kind !== 'message') return tree;
  // Unknown fields go first: the field carrying the tenant stays last (see runtime-methods.ts).
  return { kind: 'message', fields: [f, ...tree.fields] };
}

/** Random bytes of any length up to `maxLength`: what a confused or hostile peer sends. */
export function randomBytes(maxLength: number): fc.Arbitrary<BadRequest> {
  return fc.uint8Array({ maxLength }).map((b) => ({ labels: [`random ${b.length} bytes`], bytes: Buffer.from(b) }));
}

/**
 * A structurally aware bad request: the method's valid request with one defect and up to two carriers, or a valid
 * request cut short (any strict prefix of it lacks the tenant).
 */
export function malformedRequest(method: RuntimeMethod, ids: () => RequestIds): fc.Arbitrary<BadRequest> {
  const defect = applicable(
    method.kind === 'unary' ? unaryDefects() : firstMessageDefects(method),
    method.valid(ids()),
  );
  const broken = fc.tuple(defect, fc.array(carriers(), { maxLength: 2 })).map(([d, extra]): BadRequest => {
    // Carriers first, the defect last: a carrier (a huge valid JSON string) must not undo the defect.
    const tree = [...extra, d].reduce((t, m) => m.apply(t), method.valid(ids()));
    return { labels: [d.label, ...extra.map((m) => m.label)], bytes: encode(tree) };
  });
  const truncated = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at): BadRequest => {
    const whole = encode(method.valid(ids()));
    const cut = Math.floor(at * whole.length);
    return { labels: [`truncated at ${cut} of ${whole.length} bytes`], bytes: whole.subarray(0, cut) };
  });
  return fc.oneof({ arbitrary: broken, weight: 6 }, { arbitrary: truncated, weight: 1 });
}
