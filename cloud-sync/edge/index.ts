// Public face of the box's side of cloud-sync: the sync stage the agent wires in, and the
// outbox and session parts the CLI commands and benches use. The fleet's side (PostgreSQL
// ingest, the reference consumer) is cloud-sync/fleet; the v1 contract both speak is
// cloud-sync/contract.
export { SyncStage, type SyncStageOptions, type SyncStore } from './sync-stage.ts';
export { OutboxPublisher, type OutboxPublisherOptions, type OutboxStore, type OutboxMetrics } from './outbox-publisher.ts';
export { EventBatchEncoder } from './batch-encoder.ts';
export { MqttConnection, backoffDelayMs, type MqttConnectionOptions, type ReconnectPolicy } from './mqtt-connection.ts';
export { EmbeddedBroker } from './embedded-broker.ts';
export { clientOptionsOf, defaultClientId, redactUrl } from './client-options.ts';
export { CommandHandler, type SyncCommandHooks, type SnapshotImage } from './command-handler.ts';
export { CountsPublisher } from './counts-publisher.ts';
export { HomeAssistantDiscovery } from './home-assistant.ts';
export { FragmentPublisher, type FragmentPublisherOptions, type FragmentPublisherMetrics } from './fragment-publisher.ts';
export { FragmentSubscriber, MAX_FRAGMENT_MESSAGE_BYTES, type FragmentSubscriberOptions, type FragmentSubscriberMetrics } from './fragment-subscriber.ts';
