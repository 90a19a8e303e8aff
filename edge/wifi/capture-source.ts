// What a Wi-Fi sensor's frame source looks like to the stage: a live monitor-mode capture or
// a capture file replayed. Sources hand raw frames (buffer, offset, length, link type, time)
// to one callback; the buffer is only valid during the call.

export type FrameHandler = (buf: Uint8Array, off: number, len: number, linkType: number, tsMs: number) => void;

export interface CaptureSource {
  readonly kind: 'live' | 'replay';
  start(onFrame: FrameHandler): Promise<void>;
  stop(): Promise<void>;
  /** True once a replay reached the end of its file (never for live). */
  readonly finished: boolean;
  /** Event time this source has reached (replay clock or wall clock). */
  clockMs(): number;
  /** Problems so far (bad records, capture errors). */
  readonly errors: number;
  readonly detail: string;
}
