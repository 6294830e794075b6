// Dolittle's embeddings tutorial (spec §4.5: Employee, hired / transferred / retired), as the SDK's tests use it.
import { defineEmbedding, type EmbeddingContext, type EmbeddingProjectContext } from '../embeddings.js';
import { defineEventType } from '../event-types.js';
import { newId } from './kitchen.js';

export const EmployeeHired = defineEventType<{ readonly Name: string }>({
  id: '8fdf45bc-f484-4348-bcb0-4d6f47c1e8fb',
  alias: 'EmployeeHired',
});
export const EmployeeTransferred = defineEventType<{
  readonly Name: string;
  readonly From: string;
  readonly To: string;
}>({
  id: 'b6dcd7a5-2f3d-4f4c-9b2a-0e5b43a2a8f1',
  alias: 'EmployeeTransferred',
});
export const EmployeeRetired = defineEventType<{ readonly Name: string }>({
  id: '1932beb4-c8cd-4fee-9a7e-a92af3693510',
  alias: 'EmployeeRetired',
});

export interface Employee {
  readonly name: string;
  readonly workplace: string;
}

export interface EmployeeRecorder {
  /** Every context `on` was called with, in order. */
  readonly projected: EmbeddingProjectContext[];
  /** Every context resolveUpdate / resolveDelete was called with. */
  readonly resolved: (EmbeddingContext & { readonly what: 'update' | 'delete' })[];
}

/**
 * The Employee embedding under a fresh id (each test registers its own). `workplace: 'Mars'` makes resolveUpdate
 * throw; `workplace: 'Nowhere'` makes it return no events (a loop, for the Runtime).
 */
export function employeeEmbedding(id = newId()) {
  const recorder: EmployeeRecorder = { projected: [], resolved: [] };
  const Employees = defineEmbedding({
    id,
    alias: 'Employee',
    events: { EmployeeHired, EmployeeTransferred, EmployeeRetired },
    initial: { name: '', workplace: 'Unassigned' } as Employee,
    resolveUpdate: (current, desired, context) => {
      recorder.resolved.push({ ...context, what: 'update' });
      if (desired.workplace === 'Mars') throw new Error('nobody works on Mars');
      if (desired.workplace === 'Nowhere') return [];
      if (context.readModel === 'initial') {
        const hired = EmployeeHired.create({ Name: desired.name });
        return desired.workplace === 'Unassigned'
          ? hired
          : [hired, EmployeeTransferred.create({ Name: desired.name, From: 'Unassigned', To: desired.workplace })];
      }
      return [EmployeeTransferred.create({ Name: desired.name, From: current.workplace, To: desired.workplace })];
    },
    resolveDelete: (current, context) => {
      recorder.resolved.push({ ...context, what: 'delete' });
      return [EmployeeRetired.create({ Name: current.name })];
    },
    on: {
      EmployeeHired: (_state, event, context) => {
        recorder.projected.push(context);
        return { name: event.Name, workplace: 'Unassigned' };
      },
      EmployeeTransferred: (state, event, context) => {
        recorder.projected.push(context);
        return { ...state, workplace: event.To };
      },
      EmployeeRetired: (_state, _event, context) => {
        recorder.projected.push(context);
        return 'delete';
      },
    },
  });
  return { Employees, recorder };
}
