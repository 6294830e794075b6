import type { MicroserviceId, TenantId } from '@dolittle-ts/fundamentals';

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
  /** Start even if the store's durability settings are unsafe (SQLite synchronous < FULL, PostgreSQL fsync off). */
  readonly allowUnsafeDurability: boolean;
  /** Largest gRPC message accepted, in bytes. */
  readonly maxMessageBytes: number;
  /** How many partitions of a partitioned processor may have an event in flight at once. */
  readonly partitionsInFlight: number;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
}
