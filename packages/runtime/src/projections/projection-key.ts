import type { CommittedEvent } from '@dolittle-ts/store';
import type { KeySelector } from './projection-definition.js';

export type KeyResult = { readonly ok: true; readonly key: string } | { readonly ok: false; readonly reason: string };

/**
 * The read model key of an event: its event source id, its partition (always the unspecified partition, since
 * projections read the unpartitioned event log), or a property of its content.
 */
export function projectionKey(
  selector: KeySelector,
  event: CommittedEvent,
  partition: string,
  projectionId: string,
): KeyResult {
  switch (selector.kind) {
    case 'event-source':
      return { ok: true, key: event.eventSourceId };
    case 'partition':
      return { ok: true, key: partition };
    case 'property': {
      let content: unknown;
      try {
        content = JSON.parse(event.content) as unknown;
      } catch {
        content = undefined;
      }
      const holder =
        typeof content === 'object' && content !== null && !Array.isArray(content)
          ? (content as Record<string, unknown>)
          : undefined;
      if (holder === undefined || !Object.hasOwn(holder, selector.property)) {
        return {
          ok: false,
          reason: `could not get the projection key: event ${event.sequenceNumber} (type ${event.type.id}) has no property '${selector.property}', which projection ${projectionId} keys on`,
        };
      }
      return { ok: true, key: keyText(holder[selector.property]) };
    }
  }
}

/**
 * A property value as a key, the way Dolittle 6 turns it into text (Newtonsoft's `JToken.ToString()`), so read models
 * keep the same keys: strings as they are, `null` as "", booleans as "True"/"False", numbers in their JSON form, and
 * objects and arrays as indented JSON.
 */
function keyText(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value, null, 2);
}
