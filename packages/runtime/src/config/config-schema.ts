import { InvalidConfiguration } from '@dolittle-ts/fundamentals';
import { z } from 'zod';

/**
 * Zod helpers for configuration files: objects are strict (an unknown key is an error, since it is most often a typo
 * that would otherwise be silently ignored), and every zod issue becomes an InvalidConfiguration naming the file,
 * the key path inside it and what is wrong.
 */

export type KeyPath = readonly PropertyKey[];

/** A strict object whose unknown-key error lists the keys it does accept. */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? allowed.length === 0
          ? 'unknown key (expected an empty object {})'
          : `unknown key (expected ${allowed.join(', ')})`
        : undefined,
  });
}

export const port = z.number().int().min(0).max(65535);

/** `a.b[0].c`: the key path as shown in messages. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Parses `value` with `schema`, or throws an InvalidConfiguration for the first problem (unknown keys first). */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  value: unknown,
  file: string,
  at: KeyPath = [],
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues = [...result.error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const first = issues[0]!;
  const { path, problem } = describeIssue(first);
  const more = issues.length - 1;
  const suffix = more === 0 ? '' : ` (and ${more} more problem${more === 1 ? '' : 's'} in this file)`;
  throw new InvalidConfiguration(file, formatKeyPath([...at, ...path]), problem + suffix);
}

function describeIssue(issue: z.core.$ZodIssue): { path: KeyPath; problem: string } {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const [key, ...others] = issue.keys;
      return others.length === 0
        ? { path: [...issue.path, key ?? ''], problem: issue.message }
        : {
            path: issue.path,
            problem: `unknown keys ${issue.keys.join(', ')}${issue.message.slice('unknown key'.length)}`,
          };
    }
    case 'invalid_type':
      return {
        path: issue.path,
        problem:
          issue.input === undefined
            ? 'is missing'
            : `expected ${withArticle(issue.expected)}, got ${describe(issue.input)}`,
      };
    case 'too_small':
      return { path: issue.path, problem: tooSmall(issue) };
    case 'too_big':
      return {
        path: issue.path,
        problem:
          issue.origin === 'array'
            ? `must have at most ${issue.maximum} entries`
            : `must be at most ${issue.maximum}, got ${describe(issue.input)}`,
      };
    case 'invalid_value':
      return {
        path: issue.path,
        problem: `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(issue.input)}`,
      };
    case 'invalid_key':
      return { path: issue.path, problem: issue.issues.map((i) => i.message).join('; ') };
    default:
      return { path: issue.path, problem: issue.message };
  }
}

function tooSmall(issue: z.core.$ZodIssueTooSmall): string {
  if (issue.origin === 'array')
    return `must have at least ${issue.minimum} ${issue.minimum === 1 ? 'entry' : 'entries'}`;
  if (issue.origin === 'string')
    return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
  return `must be at least ${issue.minimum}, got ${describe(issue.input)}`;
}

function withArticle(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return `a ${expected}`;
  }
}

/** A short rendering of a JSON value for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
