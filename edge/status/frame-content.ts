// Where the picture sits inside a RawFrame: the camera stage may stretch the source to
// the model input or letterbox it (centred or top-left, grey padding). RawFrame does not
// say which, so it is read off the pixels: a padded border is one uniform grey row/column.
export interface ContentRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

function rowUniform(data: Buffer, width: number, y: number): boolean {
  const base = y * width * 3;
  const v = data[base]!;
  for (let i = 0; i < width * 3; i++) if (data[base + i] !== v) return false;
  return true;
}

function colUniform(data: Buffer, width: number, height: number, x: number): boolean {
  const v = data[x * 3]!;
  for (let y = 0; y < height; y++) {
    const p = (y * width + x) * 3;
    if (data[p] !== v || data[p + 1] !== v || data[p + 2] !== v) return false;
  }
  return true;
}

/** The rectangle of `data` that holds the source picture (the whole frame when stretched). */
export function contentRectOf(data: Buffer, width: number, height: number, sourceWidth: number, sourceHeight: number): ContentRect {
  const whole = { left: 0, top: 0, width, height };
  if (sourceWidth <= 0 || sourceHeight <= 0 || data.length < width * height * 3) return whole;
  const scale = Math.min(width / sourceWidth, height / sourceHeight);
  const cw = Math.round(sourceWidth * scale);
  const ch = Math.round(sourceHeight * scale);
  if (cw >= width - 1 && ch >= height - 1) return whole;
  if (ch < height - 1) {
    const topPad = rowUniform(data, width, 0);
    const bottomPad = rowUniform(data, width, height - 1);
    if (topPad && bottomPad) return { left: 0, top: Math.floor((height - ch) / 2), width, height: ch };
    if (bottomPad) return { left: 0, top: 0, width, height: ch };
    return whole;
  }
  const leftPad = colUniform(data, width, height, 0);
  const rightPad = colUniform(data, width, height, width - 1);
  if (leftPad && rightPad) return { left: Math.floor((width - cw) / 2), top: 0, width: cw, height };
  if (rightPad) return { left: 0, top: 0, width: cw, height };
  return whole;
}
