// Typed in-process event bus: stages talk through it so no stage imports another's
// internals. The payload type of each event is checked at compile time, and
// listeners are removed by owner when a stage stops.
import { EventEmitter } from 'node:events';
import type { DetectionFrame, StoredEvent, TrackFrame } from './types.ts';

/** A raw frame as decoded by ffmpeg, in the detector's input layout. Buffer is reused. */
export interface RawFrame {
  camera: string;
  tsMs: number;
  frameIndex: number;
  /** Source frame size (what detection boxes are mapped back to). */
  sourceWidth: number;
  sourceHeight: number;
  /** Size of the pixels in `data` (usually the model input size). */
  width: number;
  height: number;
  /** rgb24 pixels, width * height * 3 bytes. */
  data: Buffer;
}

export interface EventBusMap {
  'camera.frame': RawFrame;
  'camera.snapshot': { camera: string; tsMs: number; jpeg: Buffer };
  'detect.frame': DetectionFrame;
  'track.frame': TrackFrame;
  'store.appended': { count: number };
  'event.emitted': Pick<StoredEvent, 'type' | 'source' | 'tsMs' | 'data'>;
  'config.reloaded': { reason: string };
}

type Listener<K extends keyof EventBusMap> = (payload: EventBusMap[K]) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly byOwner = new Map<string, Array<{ event: string; listener: (...args: unknown[]) => void }>>();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  emit<K extends keyof EventBusMap>(event: K, payload: EventBusMap[K]): void {
    this.emitter.emit(event, payload);
  }

  on<K extends keyof EventBusMap>(owner: string, event: K, listener: Listener<K>): void {
    const fn = listener as (...args: unknown[]) => void;
    this.emitter.on(event, fn);
    let list = this.byOwner.get(owner);
    if (!list) {
      list = [];
      this.byOwner.set(owner, list);
    }
    list.push({ event, listener: fn });
  }

  removeOwner(owner: string): void {
    const list = this.byOwner.get(owner);
    if (!list) return;
    for (const { event, listener } of list) this.emitter.off(event, listener);
    this.byOwner.delete(owner);
  }

  listenerCount(event: keyof EventBusMap): number {
    return this.emitter.listenerCount(event);
  }
}
