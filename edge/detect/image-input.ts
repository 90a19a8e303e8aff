// Loads a still image with sharp straight into the model's input geometry (stretch or
// letterbox per the recipe), as rgb24, for `footfall detect --image` and tests.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import type { ModelInfo } from '../../models/index.ts';
import { FootfallError, errorMessage } from '../shared/errors.ts';
import { inputMapping } from './geometry.ts';

export interface ModelReadyImage {
  pixels: Buffer;
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
}

export async function loadImageForModel(path: string, info: Pick<ModelInfo, 'inputWidth' | 'inputHeight' | 'preprocess'>): Promise<ModelReadyImage> {
  if (!existsSync(path)) throw new FootfallError('FILE_NOT_FOUND', `image ${path} does not exist`);
  try {
    const meta = await sharp(path).metadata();
    if (!meta.width || !meta.height) throw new Error('no image dimensions');
    const m = inputMapping(info.preprocess.resize, meta.width, meta.height, info.inputWidth, info.inputHeight);
    let img = sharp(path).removeAlpha().toColourspace('srgb').resize(m.contentWidth, m.contentHeight, { fit: 'fill' });
    if (m.contentWidth !== info.inputWidth || m.contentHeight !== info.inputHeight) {
      const pad = info.preprocess.padValue;
      img = img.extend({
        top: m.padY,
        left: m.padX,
        bottom: info.inputHeight - m.contentHeight - m.padY,
        right: info.inputWidth - m.contentWidth - m.padX,
        background: { r: pad, g: pad, b: pad },
      });
    }
    const { data, info: out } = await img.raw().toBuffer({ resolveWithObject: true });
    if (out.channels !== 3 || out.width !== info.inputWidth || out.height !== info.inputHeight) {
      throw new Error(`unexpected decoded layout ${out.width}x${out.height}x${out.channels}`);
    }
    return { pixels: data, width: out.width, height: out.height, sourceWidth: meta.width, sourceHeight: meta.height };
  } catch (err) {
    throw new FootfallError('INPUT_INVALID', `${path} is not a readable image: ${errorMessage(err)}`, { cause: err });
  }
}
