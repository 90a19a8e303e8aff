// The footfall MQTT contract v1: topics and payload schemas. Self-contained (zod
// only) so upstream code such as fleet ingestion can import it without the agent.
export * from './topics.ts';
export * from './schemas.ts';
export * from './validate.ts';
export * from './wifi-count.ts';
export * from './fragments.ts';
export * from './site-paths.ts';
