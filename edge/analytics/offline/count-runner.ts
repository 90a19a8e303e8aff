// Runs the per-camera analytics over a recorded MOT track file and returns the totals
// (line in/out, zone visits and mean dwell, path transitions) and the events it would
// have stored: the engine behind `footfall count` and the PETS09 accuracy evaluation.
import type { AnalyticsConfig } from '../../config/sections/analytics.ts';
import type { NewEvent } from '../../shared/types.ts';
import { CameraAnalytics, type CameraGeometry, type CountTotals } from '../index.ts';
import { replayMot, type MotTracks } from './mot-reader.ts';

export interface CountRunOptions {
  tracks: MotTracks;
  camera: CameraGeometry;
  fps: number;
  /** Relink and staleness settings; defaults as in the config schema. */
  analytics?: Partial<Pick<AnalyticsConfig, 'relinkMaxGapMs' | 'relinkRadiusPx' | 'relinkRadiusBoxesPerS' | 'relinkPredictMaxMs' | 'staleTrackMs'>>;
  startMs?: number;
  /** Keep the emitted events (default true). */
  keepEvents?: boolean;
}

export interface CountRunResult {
  totals: CountTotals;
  events: NewEvent[];
  frames: number;
  trackUpdates: number;
  relinks: number;
}

export function runCount(options: CountRunOptions): CountRunResult {
  const events: NewEvent[] = [];
  const keep = options.keepEvents ?? true;
  const engine = new CameraAnalytics({
    camera: options.camera,
    sink: {
      append(e) {
        if (keep) events.push(e);
        return '';
      },
    },
    relinkMaxGapMs: options.analytics?.relinkMaxGapMs,
    relinkRadiusPx: options.analytics?.relinkRadiusPx,
    relinkRadiusBoxesPerS: options.analytics?.relinkRadiusBoxesPerS,
    relinkPredictMaxMs: options.analytics?.relinkPredictMaxMs,
    staleTrackMs: options.analytics?.staleTrackMs,
    heatmapCellPx: null,
  });
  for (const frame of replayMot(options.tracks, { camera: options.camera.name, fps: options.fps, startMs: options.startMs ?? 0 })) {
    engine.process(frame);
  }
  engine.flush();
  return { totals: engine.totals(), events, frames: engine.frames, trackUpdates: engine.trackUpdates, relinks: engine.slots.relinks };
}
