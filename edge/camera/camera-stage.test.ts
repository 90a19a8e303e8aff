import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import { CameraStage } from './camera-stage.ts';
import { DEMO_VIDEO_PATH, defaultDemoCamera } from './demo-camera.ts';
import type { FrameGeometry } from './ffmpeg-args.ts';

const GEOMETRY: FrameGeometry = { width: 416, height: 416, resize: 'stretch', padValue: 0 };

describe('demo camera', () => {
  it('is vtest.avi, looping, when opencv-doc is installed', () => {
    const r = defaultDemoCamera();
    if (!r.camera) throw new Error(`${r.reason} (CI installs opencv-doc)`);
    expect(r.camera).toMatchObject({ name: 'demo', url: DEMO_VIDEO_PATH, loop: true, enabled: true });
  });

  it('explains how to get it when missing', () => {
    const r = defaultDemoCamera('/nowhere/vtest.avi');
    expect(r.camera).toBeNull();
    expect(r.reason).toMatch(/demo video \/nowhere\/vtest\.avi is missing; install it with "apt-get install opencv-doc"/);
  });
});

describe('CameraStage', () => {
  it('runs the enabled cameras it is given', () => {
    const bus = new EventBus();
    const stage = (cameras: unknown[]) => new CameraStage({ bus, cameras: configSchema.parse({ cameras }).cameras, geometry: GEOMETRY, logger: silentLogger() });
    expect(stage([]).cameras()).toEqual([]);
    expect(stage([{ name: 'door', url: 'rtsp://10.0.0.9/s' }, { name: 'off', url: '/dev/video0', enabled: false }]).cameras().map((c) => c.name)).toEqual(['door']);
    expect(stage([{ name: 'off', url: '/dev/video0', enabled: false }]).cameras()).toEqual([]);
  });

  it('reports degraded health with the reason when there is nothing to run', async () => {
    const stage = new CameraStage({ bus: new EventBus(), cameras: [], geometry: GEOMETRY, logger: silentLogger() });
    await stage.start();
    expect(stage.health()).toEqual({ status: 'degraded', detail: 'no camera configured' });
    await stage.stop();
    expect(stage.health().status).toBe('stopped');
  });

  it('rejects bad camera config with the field named', () => {
    const r = configSchema.safeParse({ cameras: [{ name: 'door', url: 'rtsp://x', rtspTransport: 'quic' }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues[0]!.path)).toBe('["cameras",0,"rtspTransport"]');
  });
});
