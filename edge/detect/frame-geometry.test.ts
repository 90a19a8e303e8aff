import { describe, expect, it } from 'vitest';
import { frameGeometryFor } from './frame-geometry.ts';

describe('frameGeometryFor', () => {
  it('asks ffmpeg for the configured model input geometry', () => {
    expect(frameGeometryFor({ model: 'picodet_s_416_coco' })).toEqual({ width: 416, height: 416, resize: 'stretch', padValue: 0 });
    expect(frameGeometryFor({ model: 'yolox_nano' })).toEqual({ width: 416, height: 416, resize: 'letterbox-topleft', padValue: 114 });
    expect(frameGeometryFor({ model: './my/yolov8n.onnx' })).toMatchObject({ width: 640, resize: 'letterbox-center' });
  });
});
