/*
 * What the peer benchmark drives on each side: one event store, reached as its library's documentation shows, with
 * the same events. Every event carries a unique `order` number (the bench event's content), so a consumer's
 * deliveries can be matched against what was acknowledged: nothing lost, nothing twice.
 */
import { benchEventContent } from '../support/event-store-wire.js';

export type PeerStore = 'sqlite' | 'postgres';

/** The bench event's content (about 100 bytes of JSON), its `order` the event's unique number. */
export type BenchEventData = {
  readonly dish: string;
  readonly chef: string;
  readonly table: number;
  readonly order: number;
  readonly note: string;
};

export function benchEventData(order: number): BenchEventData {
  return JSON.parse(benchEventContent(order)) as BenchEventData;
}

export interface StoreInspection {
  readonly events: number;
  /** Events that, in the consumer's read order, come after an event with a higher global position. */
  readonly behindAHigherPosition?: number;
  readonly how: string;
}

/** A running consumer: it calls back once per delivered event with its `order`. */
export interface PeerConsumer {
  stop(): Promise<void>;
}

export interface PeerTarget {
  /** e.g. `Emmett PostgreSQL (tuned)`, `ours remote PostgreSQL`. */
  readonly label: string;
  readonly side: 'emmett' | 'ours';
  readonly store: PeerStore;
  /** How it is configured, one line each: pool, consumer batch and polling, durability. */
  readonly settings: readonly string[];
  /** The pid whose CPU is the store library's (a Runtime process), or undefined when it runs in this process. */
  readonly pid: number | undefined;
  /** One append (one transaction / Commit) of `events` to the stream (event source) `stream`, no version check. */
  append(stream: string, events: readonly BenchEventData[]): Promise<void>;
  /** Appends to the stream that `readStream` reads, with the stream's version checked (aggregate semantics). */
  appendToReadStream(events: readonly BenchEventData[], expectedVersion: number): Promise<void>;
  /** Reads the whole read stream back; answers how many events it holds. */
  readStream(): Promise<number>;
  /** Starts a consumer from the beginning of the log. */
  startConsumer(onEvent: (order: number) => void): Promise<PeerConsumer>;
  /** The durability actually in force, read from the store after it was used. */
  describeDurability(): Promise<string>;
  /**
   * Reads the store directly (undefined where it is not done): how many events it holds and, where the consumer
   * reads in an order other than by position, how many events come after a higher position in that order.
   */
  inspectStore(): Promise<StoreInspection | undefined>;
  /** What went wrong outside any call's answer (e.g. errors the library emitted with no one to catch them). */
  incidents(): readonly string[];
  close(): Promise<void>;
}
