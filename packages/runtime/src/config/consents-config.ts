import {
  asMicroserviceId,
  asPartitionId,
  asStreamId,
  asTenantId,
  type ConsentId,
  type Guid,
  InvalidConfiguration,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { ConfigDirContents } from './config-dir.js';
import { formatKeyPath } from './config-schema.js';
import { checkKeysAreConfiguredTenants } from './configured-tenants.js';
import type { Consent } from './runtime-config.js';

/**
 * The consents of event-horizon-consents.json, checked beyond their shape: every producer tenant is configured, no
 * consent id is used twice, and no producer tenant gives two consents for one (microservice, tenant, stream,
 * partition), since Dolittle accepts a subscription only when exactly one consent matches it. Without the file there
 * are no consents.
 */
export function consentsOf(
  files: ConfigDirContents,
  tenants: readonly TenantId[],
): ReadonlyMap<TenantId, readonly Consent[]> {
  const loaded = files.eventHorizonConsents;
  const consents = new Map<TenantId, readonly Consent[]>();
  if (loaded === undefined) return consents;
  checkKeysAreConfiguredTenants(loaded, files, tenants);

  const { file, data } = loaded;
  const consentIds = new Map<string, string>();
  for (const [producerTenant, entries] of Object.entries(data)) {
    const subscriptions = new Map<string, number>();
    const resolved = entries.map((entry, index): Consent => {
      const consent: Consent = {
        consumerMicroservice: asMicroserviceId(lower(entry.microservice)),
        consumerTenant: asTenantId(lower(entry.tenant)),
        stream: asStreamId(lower(entry.stream)),
        partition: asPartitionId(lower(entry.partition)),
        consentId: lower(entry.consent) as string as ConsentId,
      };
      const at = formatKeyPath([producerTenant, index]);

      const subscription = `${consent.consumerMicroservice}/${consent.consumerTenant}/${consent.stream}/${consent.partition}`;
      const same = subscriptions.get(subscription);
      if (same !== undefined) {
        throw new InvalidConfiguration(
          file,
          at,
          `consents again to what ${formatKeyPath([producerTenant, same])} consents to (microservice ${consent.consumerMicroservice}, tenant ${consent.consumerTenant}, stream ${consent.stream}, partition ${consent.partition}); a subscription is accepted only when exactly one consent matches, so remove one`,
        );
      }
      subscriptions.set(subscription, index);

      const usedAt = consentIds.get(consent.consentId);
      if (usedAt !== undefined) {
        throw new InvalidConfiguration(
          file,
          `${at}.consent`,
          `consent id ${consent.consentId} is already the id of ${usedAt}; each consent needs its own id`,
        );
      }
      consentIds.set(consent.consentId, at);
      return consent;
    });
    consents.set(asTenantId(lower(producerTenant)), resolved);
  }
  return consents;
}

function lower(guid: string): Guid {
  return guid.toLowerCase() as Guid;
}
