// Maps between source-frame pixels and model-input pixels for each resize mode
// (stretch, top-left or centred letterbox). Camera filters, image loading and box
// decoding all use this one definition so they cannot disagree.
import type { ResizeMode } from '../../models/index.ts';

export interface InputMapping {
  /** input = source * scale + pad. */
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
  /** Size of the scaled picture inside the input (without padding). */
  contentWidth: number;
  contentHeight: number;
}

export function inputMapping(mode: ResizeMode, sourceWidth: number, sourceHeight: number, inputWidth: number, inputHeight: number): InputMapping {
  if (mode === 'stretch') {
    return {
      scaleX: inputWidth / sourceWidth,
      scaleY: inputHeight / sourceHeight,
      padX: 0,
      padY: 0,
      contentWidth: inputWidth,
      contentHeight: inputHeight,
    };
  }
  const r = Math.min(inputWidth / sourceWidth, inputHeight / sourceHeight);
  const contentWidth = Math.min(inputWidth, Math.round(sourceWidth * r));
  const contentHeight = Math.min(inputHeight, Math.round(sourceHeight * r));
  const padX = mode === 'letterbox-center' ? Math.floor((inputWidth - contentWidth) / 2) : 0;
  const padY = mode === 'letterbox-center' ? Math.floor((inputHeight - contentHeight) / 2) : 0;
  return { scaleX: r, scaleY: r, padX, padY, contentWidth, contentHeight };
}
