// Public face of the event store stage.
export { EventStore, type EventStoreOptions, type StoreMetrics, type CountRow, type SynchronousMode, type StoredEventRow } from './event-store.ts';
export { type OutboxBatchText, type HeldEvent } from './outbox-state.ts';
export { countDeltasOf, minuteOf } from './aggregates.ts';
export { Uuid7Generator, uuid7TimeMs, UUID7_PATTERN } from './uuid7.ts';
export { MIGRATIONS, LATEST_SCHEMA_VERSION } from './migrations.ts';
export { synthesizeEvents } from './synthetic-events.ts';
