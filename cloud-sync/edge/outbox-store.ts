// What the outbox needs from the event store: its outbox state (`EventStore.outbox`).
import type { OutboxState } from '../../edge/store/index.ts';

export type OutboxStore = Pick<OutboxState, 'readBatch' | 'readNextBatch' | 'onBatchReady' | 'ackedSeq' | 'advance' | 'hold' | 'release' | 'held' | 'rewindToTime' | 'unsentCount' | 'oldestUnsentTsMs'>;
