// Imported before onnxruntime-node (ES modules evaluate imports in order): an appliance
// sends and writes nothing the operator did not ask for. Without this, onnxruntime's
// telemetry writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{onnxruntime.db,deviceid}
// (model name, OS, a device id) and an empty /tmp/mat-debug-<pid>.log on every run.
// ORT_DISABLE_TELEMETRY is read by the native library when it creates its environment;
// an operator's explicit setting is kept.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export const ORT_TELEMETRY_DISABLED = process.env.ORT_DISABLE_TELEMETRY !== '0';
