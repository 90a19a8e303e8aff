// Public face of cloud-sync: the stage the agent wires in, the outbox and session
// parts the CLI commands use, the reference consumer, and the v1 contract.
export { SyncStage, type SyncStageOptions, type SyncStore } from './sync-stage.ts';
export { OutboxPublisher, type OutboxPublisherOptions, type OutboxStore, type OutboxMetrics } from './outbox-publisher.ts';
export { MqttConnection, backoffDelayMs, type MqttConnectionOptions, type ReconnectPolicy } from './mqtt-connection.ts';
export { EmbeddedBroker } from './embedded-broker.ts';
export { clientOptionsOf, defaultClientId, redactUrl } from './client-options.ts';
export { CommandHandler, type SyncCommandHooks, type SnapshotImage } from './command-handler.ts';
export { CountsPublisher } from './counts-publisher.ts';
export { HomeAssistantDiscovery } from './home-assistant.ts';
export { EventConsumer, EventDeduplicator, type ConsumedEvent } from './event-consumer.ts';
export * as contract from './contract/index.ts';
