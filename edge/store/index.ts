// Public face of the event store stage.
export { EventStore, type EventStoreOptions, type StoreMetrics } from './event-store.ts';
export { type SynchronousMode } from './database-file.ts';
export { type CountRow } from './counts-writer.ts';
export { type StoredEventRow } from './event-rows.ts';
export { EventWireEncoder } from './event-wire.ts';
export { type RetentionPolicy, type RetentionResult } from './retention.ts';
export { OutboxState, type OutboxBatchText, type HeldEvent } from './outbox-state.ts';
export { READ_PENDING } from './outbox-read-ahead.ts';
export { countDeltasOf, minuteOf, type CountDelta } from './aggregates.ts';
export { Uuid7Generator, uuid7TimeMs, UUID7_PATTERN } from './uuid7.ts';
export { MIGRATIONS, LATEST_SCHEMA_VERSION } from './migrations.ts';
export { synthesizeEvents } from './synthetic-events.ts';
