/*
 * Optional content validation through Standard Schema (https://standardschema.dev): zod, valibot, arktype and others
 * implement it, so the SDK depends on none of them.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidEventContent } from './errors.js';

export type { StandardSchemaV1 } from '@standard-schema/spec';

/** Validates `value`; resolves with the schema's output or rejects with InvalidEventContent. */
export async function validateContent<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  eventType: string,
  when: 'commit' | 'receipt',
): Promise<T> {
  let result = schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues !== undefined) {
    throw new InvalidEventContent({
      eventType,
      when,
      issues: result.issues.map((issue) => ({
        message: issue.message,
        path: issue.path?.map((segment) => (typeof segment === 'object' ? segment.key : segment)),
      })),
    });
  }
  return result.value;
}
