// Messages between the outbox read-ahead (outbox-read-ahead.ts) and its worker
// (outbox-read-worker.mjs, plain JavaScript: these types document what it sends).

export interface ReadAheadWorkerData {
  path: string;
  /** Batches the worker keeps read ahead (not yet taken) at most. */
  depth: number;
  /** The batch statement (OUTBOX_BATCH_SQL). */
  sql: string;
}

/** The limits of one stream of batches; a batch read ahead is used only under the same ones. */
export interface BatchLimits {
  maxEvents: number;
  maxJsonBytes: number;
  prefix: string;
  suffix: string;
}

export type ReadAheadCommand =
  /** Read batches one after another from afterSeq on (a new generation drops the old stream). */
  | { type: 'start'; generation: number; afterSeq: number; limits: BatchLimits }
  /** `taken` batches of this generation were taken or dropped: read as many more. */
  | { type: 'more'; generation: number; taken: number };

export type ReadAheadReply =
  /** The worker's connection is open: streams can start. */
  | { type: 'ready' }
  | { type: 'batch'; generation: number; afterSeq: number; payload: Uint8Array; firstSeq: number; lastSeq: number; count: number }
  /** Nothing after afterSeq yet: the stream stops until the next start. */
  | { type: 'end'; generation: number; afterSeq: number }
  | { type: 'error'; message: string };
