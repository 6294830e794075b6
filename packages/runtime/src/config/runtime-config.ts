import type { ConsentId, MicroserviceId, PartitionId, StreamId, TenantId } from '@dolittle-ts/fundamentals';

/** Where one tenant's data lives. Every tenant has its own file, or its own PostgreSQL schema. */
export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'sqlite-memory' }
  | {
      readonly kind: 'postgres';
      /** A libpq-style URL naming the database: postgres://user@host:port/database */
      readonly connectionString: string;
      /** The tenant's schema in that database; created on first use. */
      readonly schema: string;
    };

export interface TenantConfig {
  readonly id: TenantId;
  readonly store: StoreConfig;
}

export interface Endpoint {
  readonly host: string;
  /** 0 lets the OS choose (tests). */
  readonly port: number;
}

/** A certificate (PEM, possibly followed by its intermediates) and its private key (PEM, unencrypted). */
export interface TlsKeyPair {
  readonly cert: string;
  readonly key: string;
}

/**
 * TLS on the public port (Runtime ↔ Runtime). Every field is file content (PEM text) read when the configuration was
 * resolved; the certificate and key are checked to belong together.
 */
export interface PublicTls {
  /** The public port's certificate, followed by any intermediates. */
  readonly cert: string;
  /** The private key of `cert`. */
  readonly key: string;
  /** When set, consumers must present a client certificate signed by one of these CA certificates. */
  readonly ca?: string;
}

/** How to reach a producer over TLS (microservices.json `tls`). Every field is file content (PEM text). */
export interface MicroserviceTls {
  /** The CA certificates the producer's certificate must chain to; undefined: the system's trusted roots. */
  readonly ca: string | undefined;
  /** The name the producer's certificate must carry; undefined: `host`. */
  readonly serverName: string | undefined;
  /** Presented to a producer that verifies client certificates; undefined: none. */
  readonly clientCertificate: TlsKeyPair | undefined;
}

/** Where a producer microservice's Runtime serves its public port (microservices.json). */
export interface MicroserviceAddress {
  /** A host name or IP address; an IPv6 address in brackets (`[::1]`), so `${host}:${port}` is always an address. */
  readonly host: string;
  /** 1..65535. */
  readonly port: number;
  /** undefined: plain TCP (Dolittle's only option). */
  readonly tls: MicroserviceTls | undefined;
}

/**
 * A producer tenant's consent (event-horizon-consents.json): the consumer tenant of the consumer microservice may
 * subscribe to one partition of one public stream. A subscription is accepted only when exactly one consent matches,
 * so no two consents of one producer tenant name the same (microservice, tenant, stream, partition).
 */
export interface Consent {
  readonly consumerMicroservice: MicroserviceId;
  readonly consumerTenant: TenantId;
  /** The producer's public stream. */
  readonly stream: StreamId;
  readonly partition: PartitionId;
  /** Sent to the consumer on accept and stored with every event it receives; unique across the file. */
  readonly consentId: ConsentId;
}

/** The resolved configuration the Runtime starts from: files in the config dir, then DOLITTLE_* variables, then flags. */
export interface RuntimeConfig {
  readonly configDir: string;
  readonly dataDir: string;
  readonly microserviceId: MicroserviceId;
  readonly environment: string;
  readonly endpoints: {
    readonly private: Endpoint;
    readonly public: Endpoint;
  };
  /** Prometheus `/metrics`; `undefined` when disabled. */
  readonly metrics: Endpoint | undefined;
  /** Non-empty; with no tenants.json it holds the development tenant only. */
  readonly tenants: ReadonlyMap<TenantId, TenantConfig>;
  /**
   * TLS on the public port (`--public-tls-cert`/`--public-tls-key`/`--public-tls-ca`, else endpoints.json
   * `public.tls`); undefined: plain TCP.
   */
  readonly publicTls: PublicTls | undefined;
  /**
   * The producers this Runtime can subscribe to (microservices.json), by microservice id (lowercase). A subscription
   * to a microservice not listed fails with MissingMicroserviceConfiguration. Empty without the file.
   */
  readonly microservices: ReadonlyMap<MicroserviceId, MicroserviceAddress>;
  /**
   * The consents this Runtime gives as a producer (event-horizon-consents.json), by producer tenant (lowercase; each a
   * configured tenant), in file order. A tenant that is not a key has no consents; empty without the file.
   */
  readonly consents: ReadonlyMap<TenantId, readonly Consent[]>;
  /** Start even if the store's durability settings are unsafe (SQLite synchronous < FULL, PostgreSQL fsync off). */
  readonly allowUnsafeDurability: boolean;
  /** Largest gRPC message accepted, in bytes. */
  readonly maxMessageBytes: number;
  /** How many partitions of a partitioned processor may have an event in flight at once. */
  readonly partitionsInFlight: number;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
}
