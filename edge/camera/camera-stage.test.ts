import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { EventBus } from '../shared/event-bus.ts';
import { silentLogger } from '../shared/log.ts';
import { CameraStage, frameGeometryFor } from './camera-stage.ts';
import { DEMO_VIDEO_PATH, defaultDemoCamera } from './demo-camera.ts';

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
  it('runs the demo camera only when no camera is configured', () => {
    const bus = new EventBus();
    const none = new CameraStage({ bus, config: configSchema.parse({}), logger: silentLogger() });
    expect(none.cameras().map((c) => c.name)).toEqual(['demo']);
    const configured = new CameraStage({ bus, config: configSchema.parse({ cameras: [{ name: 'door', url: 'rtsp://10.0.0.9/s' }, { name: 'off', url: '/dev/video0', enabled: false }] }), logger: silentLogger() });
    expect(configured.cameras().map((c) => c.name)).toEqual(['door']);
    const allDisabled = new CameraStage({ bus, config: configSchema.parse({ cameras: [{ name: 'off', url: '/dev/video0', enabled: false }] }), logger: silentLogger() });
    expect(allDisabled.cameras()).toEqual([]);
  });

  it('reports degraded health with the reason when there is nothing to run', async () => {
    const stage = new CameraStage({ bus: new EventBus(), config: configSchema.parse({ demoCamera: false }), logger: silentLogger() });
    await stage.start();
    expect(stage.health()).toEqual({ status: 'degraded', detail: 'no camera configured' });
    await stage.stop();
    expect(stage.health().status).toBe('stopped');
  });

  it('asks ffmpeg for the configured model input geometry', () => {
    expect(frameGeometryFor({ model: 'picodet_s_416_coco' })).toEqual({ width: 416, height: 416, resize: 'stretch', padValue: 0 });
    expect(frameGeometryFor({ model: 'yolox_nano' })).toEqual({ width: 416, height: 416, resize: 'letterbox-topleft', padValue: 114 });
    expect(frameGeometryFor({ model: './my/yolov8n.onnx' })).toMatchObject({ width: 640, resize: 'letterbox-center' });
  });

  it('rejects bad camera config with the field named', () => {
    const r = configSchema.safeParse({ cameras: [{ name: 'door', url: 'rtsp://x', rtspTransport: 'quic' }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues[0]!.path)).toBe('["cameras",0,"rtspTransport"]');
  });
});
