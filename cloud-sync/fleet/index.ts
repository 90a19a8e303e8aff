// Public face of the fleet's side of cloud-sync: ingestion of MQTT contract v1 into
// PostgreSQL, scaled out by running more workers in one shared-subscription group (see
// docs/scaling.md), the fleet simulator, and the reference consumer. It imports the
// contract (cloud-sync/contract), never the box's sync stage (cloud-sync/edge).
export { IngestWorker, defaultClientId, type IngestWorkerOptions, type IngestMetrics } from './ingest-worker.ts';
export { FleetSimulator, countsOf, type FleetSimOptions, type FleetSimResult } from './fleet-simulator.ts';
export { PG_MIGRATIONS, PG_SCHEMA_VERSION, migrate, type PgMigration } from './migrations.ts';
export { MessageValidator, type ValidatedMessage, type ValidatorOptions } from './message-validator.ts';
export { BatchWriter, isTransientPgError, DEAD_LETTER_KEEP_BYTES, type BatchItem, type WriteResult } from './batch-writer.ts';
export { PartitionKeeper, eventsPartitionOf, countsPartitionOf, dropPartitionsBefore } from './partitions.ts';
export { EventConsumer, EventDeduplicator, type ConsumedEvent } from './event-consumer.ts';
