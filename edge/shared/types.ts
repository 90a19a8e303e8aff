// Types shared across stages: what flows between camera -> detect -> track ->
// analytics -> store -> cloud-sync, and the stage lifecycle. A leaf module: it
// imports nothing from the stages.

/** An event as a producer hands it to the store (id and sync state are the store's). */
export interface NewEvent {
  /** Event time, ms since the Unix epoch (UTC). */
  tsMs: number;
  /** Dotted type name, e.g. `line.cross`, `zone.visit`, `wifi.visit`, `alert`. */
  type: string;
  /** What produced it: a camera name, a Wi-Fi sensor name, `agent`. */
  source: string;
  /** JSON-serialisable body; its shape depends on `type` (docs/events.md). */
  data: Record<string, unknown>;
}

/** An event as stored: the UUIDv7 `id` is the idempotency key end to end. */
export interface StoredEvent extends NewEvent {
  id: string;
  /** Store-local, strictly increasing position (the outbox order). */
  seq: number;
  /** When upstream acknowledged it (ms), or null while unsent. */
  sentAtMs: number | null;
}

/** Where producers put events; the store implements it, tests may collect. */
export interface EventSink {
  append(event: NewEvent): string;
}

/**
 * Person detections of one frame, boxes in source-frame pixels.
 * Arrays are owned by the producer and reused for the next frame: copy what you keep.
 */
export interface DetectionFrame {
  camera: string;
  /** Capture time of the frame, ms since epoch (or relative for files). */
  tsMs: number;
  frameIndex: number;
  width: number;
  height: number;
  count: number;
  /** x, y, w, h per detection (top-left origin), length >= 4 * count. */
  boxes: Float32Array;
  /** Detector score per detection, length >= count. */
  scores: Float32Array;
  /**
   * With detector.motionGate auto: what the gate did with this frame (`skipped`: no motion and
   * no live track, so no inference; `full`: the whole frame was detected). Absent with the gate off.
   */
  gate?: GateOutcome;
  /** Motion boxes found on this frame (x, y, w, h in source pixels), for the live view's debug layer. */
  motionCount?: number;
  motionBoxes?: Float32Array;
  /**
   * With detector.sparseDetection auto: the detector did not run on this frame because nothing
   * depended on it (count is 0). The tracker predicts its tracks instead of treating the frame
   * as one where everyone vanished. Absent or false on detected and gated frames.
   */
  predicted?: boolean;
}

/** `predicted`: motion or tracks, but the sparse-detection scheduler let the tracker predict the frame. */
export type GateOutcome = 'skipped' | 'regions' | 'full' | 'predicted';

export const enum TrackState {
  Tentative = 0,
  Confirmed = 1,
  Lost = 2,
  Removed = 3,
}

/**
 * The tracker's view of one frame: active (confirmed) tracks, arrays reused per frame.
 * Analytics takes foot points from it (bottom centre of each box).
 */
export interface TrackFrame {
  camera: string;
  tsMs: number;
  count: number;
  /** Stable integer track id per row. */
  ids: Int32Array;
  /** x, y, w, h per track (top-left origin, source pixels). */
  boxes: Float32Array;
  /**
   * Floor position x, y per track (metres, the floor plan's axes) when the camera is calibrated
   * (cameras[].calibration): the floor tracker's filtered foot point. Absent without calibration.
   */
  floor?: Float32Array | undefined;
  /** Ids of tracks that ended (removed) at this frame, for path/visit closing. */
  endedCount: number;
  endedIds: Int32Array;
  /** Time since each row's track started (ms), the tracker's reused array; absent from producers that do not know it. */
  agesMs?: Float64Array | undefined;
  /**
   * Live tracks not in the rows that the tracker is unsure of: tentative (not yet confirmed)
   * and recently lost ones. The detector's sparse-detection scheduler detects while any exist.
   */
  uncertainCount?: number;
  /** The frame was predicted (not detected): rows are the tracks' predicted boxes. */
  predicted?: boolean;
}

export interface StageHealth {
  /** ok: working; degraded: working with problems; failed: not working. */
  status: 'ok' | 'degraded' | 'failed' | 'stopped';
  detail?: string;
  metrics?: Record<string, number | string | null>;
}

/**
 * A stage of the agent. The constructor only stores what it is given;
 * `start` acquires resources, `stop` releases them and must be idempotent.
 */
export interface Stage {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): StageHealth;
}
