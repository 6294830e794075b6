/*
 * The remote transport's view of Dolittle's contracts (@dolittle-ts/contracts): the message classes, and the service
 * definitions it calls. Only wire.ts and the protocol descriptions use them.
 */
import {
  embeddingStoreService,
  embeddingsService,
  eventHandlersService,
  eventStoreService,
  filtersService,
  projectionStoreService,
  projectionsService,
  subscriptionsService,
} from '@dolittle-ts/contracts';

export * from '@dolittle-ts/contracts';

/** gRPC method definitions (path, serializers) of the services the SDK calls. */
export const services = {
  eventStore: eventStoreService,
  eventHandlers: eventHandlersService,
  filters: filtersService,
  projections: projectionsService,
  projectionStore: projectionStoreService,
  subscriptions: subscriptionsService,
  embeddings: embeddingsService,
  embeddingStore: embeddingStoreService,
};
