// The agent picks the cameras (the demo video only when none is configured); the camera
// stage runs what it is given.
import { describe, expect, it } from 'vitest';
import { effectiveCameras } from './agent.ts';
import { configSchema } from './config/index.ts';

describe('effectiveCameras', () => {
  it('runs the demo camera only when no camera is configured and the demo is on', () => {
    expect(effectiveCameras(configSchema.parse({})).map((c) => c.name)).toEqual(['demo']);
    expect(effectiveCameras(configSchema.parse({ demoCamera: false }))).toEqual([]);
    const configured = configSchema.parse({ cameras: [{ name: 'door', url: 'rtsp://10.0.0.9/s' }, { name: 'off', url: '/dev/video0', enabled: false }] });
    expect(effectiveCameras(configured).map((c) => c.name)).toEqual(['door', 'off']);
  });

  it('names the camera without a stream URL', () => {
    expect(() => effectiveCameras(configSchema.parse({ cameras: [{ name: 'door' }] }))).toThrow(/cameras\[0\]\.url: camera "door" needs a stream URL/);
  });
});
