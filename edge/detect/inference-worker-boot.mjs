// Worker-thread entry: registers the tsx loader (the TypeScript sources run as they are,
// as in bin/footfall.js), then starts the inference worker.
import { register } from 'tsx/esm/api';

register();
await import('./inference-worker.ts');
