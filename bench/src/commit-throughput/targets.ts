/** What the Runtime should reach on a 2-core machine (the targets), shown next to the figures. */
export const targets = {
  /** (a) 32 clients × 1 event. */
  singleEventCommits: { commitsPerSecond: 5_000, runtimeCpuUsPerCommit: 100 },
  /** (b) 4 clients × 100-event batches. */
  batchedCommits: { eventsPerSecond: 60_000, runtimeCpuUsPerEvent: 15 },
  /** (c) FetchForAggregate of 10,000 events, until the response has fully arrived. */
  fetchForAggregate: { milliseconds: 30 },
  /** (a)'s latency at a 1,000,000-event log over at an empty one. */
  logSizeLatencyRatio: 1.5,
} as const;
