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
      let value: unknown;
      try {
        const content = JSON.parse(event.content) as unknown;
        value =
          typeof content === 'object' && content !== null
            ? (content as Record<string, unknown>)[selector.property]
            : undefined;
      } catch {
        value = undefined;
      }
      if (value === undefined || value === null) {
        return {
          ok: false,
          reason: `could not get the projection key: event ${event.sequenceNumber} (type ${event.type.id}) has no property '${selector.property}', which projection ${projectionId} keys on`,
        };
      }
      return {
        ok: true,
        key: typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value),
      };
    }
  }
}
