// Fleet ingestion: MQTT contract v1 -> PostgreSQL, scaled out by running more workers
// in one shared-subscription group. See docs/scaling.md.
export { IngestWorker, defaultClientId, type IngestWorkerOptions, type IngestMetrics } from './ingest-worker.ts';
export { FleetSimulator, countsOf, type FleetSimOptions, type FleetSimResult } from './fleet-simulator.ts';
export { PG_MIGRATIONS, PG_SCHEMA_VERSION, migrate, type PgMigration } from './migrations.ts';
export { MessageValidator, type ValidatedMessage, type ValidatorOptions } from './message-validator.ts';
export { BatchWriter, isTransientPgError, DEAD_LETTER_KEEP_BYTES, type BatchItem, type WriteResult } from './batch-writer.ts';
export { PartitionKeeper, eventsPartitionOf, countsPartitionOf, dropPartitionsBefore } from './partitions.ts';
