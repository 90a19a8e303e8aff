// Public face of the status page stage: the operator web UI, JSON API and /metrics.
export { StatusStage, type StatusStageOptions } from './status-stage.ts';
export type { StatusCamera } from './server-deps.ts';
export type { StatusStoreReader, StatusCountRow } from './store-reader.ts';
export { hashPassword, verifyPassword, loadOrCreatePasswordHash } from './password-file.ts';
