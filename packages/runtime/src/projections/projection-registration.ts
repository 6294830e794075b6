import { RegistrationFailed } from '@dolittle-ts/fundamentals';
import type { ProcessingEnvironment, Registration } from '../processing/registration.js';
import { runForEveryTenant } from '../processing/registration.js';
import type { ProjectionDefinition } from './projection-definition.js';
import { type ProjectionHead, runProjection } from './projection-processor.js';
import {
  type ProjectionTarget,
  promoteProjection,
  registerProjection as registerWithTenant,
} from './projection-registry.js';

/**
 * Registers a projection for every configured tenant (refused while another head has it). A changed definition
 * starts a rebuild into a new generation; readers are switched over once the rebuild has caught up.
 */
export async function registerProjection(
  env: ProcessingEnvironment,
  definition: ProjectionDefinition,
  head: ProjectionHead,
): Promise<Registration & { readonly rebuilding: boolean }> {
  const release = env.active.claim(`projection/${definition.scope}/${definition.id}`);
  if (release === undefined) {
    throw new RegistrationFailed('projection', definition.id, 'it is already registered by a connected head');
  }
  const targets = new Map<string, ProjectionTarget>();
  try {
    for (const tenant of env.tenants.all()) targets.set(tenant.id, await registerWithTenant(tenant.store, definition));
  } catch (error) {
    release();
    throw error;
  }
  const log = env.logger.child({ projection: definition.id, scope: definition.scope });
  const registration = runForEveryTenant(env.tenants, release, log, async (tenant, signal) => {
    const target = targets.get(tenant.id) as ProjectionTarget;
    let promoted = !target.building;
    await runProjection({
      store: tenant.store,
      definition,
      generation: target.generation,
      head,
      watcher: tenant.watcher,
      context: { tenant: tenant.id, scope: definition.scope, partitioned: false, signal },
      logger: log,
      onCaughtUp: async () => {
        if (promoted) return;
        await promoteProjection(tenant.store, definition.scope, definition.id, target.generation);
        promoted = true;
        log.info(
          { tenant: tenant.id, generation: target.generation },
          'projection rebuilt; readers now see the new read models',
        );
      },
    });
  });
  return { ...registration, rebuilding: [...targets.values()].some((t) => t.building) };
}
