// The model manifest and loader: which detection models exist and where their files are.
export { MODEL_MANIFEST, customYolov8Info, findManifestEntry } from './manifest.ts';
export type { DecoderFamily, ModelInfo, PreprocessRecipe, ResizeMode } from './manifest.ts';
export { SHARED_MODELS_DIR, SHIPPED_MODELS_DIR, fileSha256, modelStatuses, openModelOrFallback, resolveModel, resolveModelOrFallback, searchDirs, verifyModelFile } from './loader.ts';
export type { ModelSearchOptions, ModelStatus, ResolvedModel, ResolvedOrFallback } from './loader.ts';
