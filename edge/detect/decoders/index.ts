// Picks the decoder of a model family and checks the model's output shapes against it.
import type { DecoderFamily } from '../../../models/index.ts';
import { FastestDetDecoder } from './fastestdet.ts';
import { PicoDetDecoder } from './picodet.ts';
import type { BoxDecoder, OutputShapes } from './types.ts';
import { Yolov8Decoder } from './yolov8.ts';
import { YoloxDecoder } from './yolox.ts';

export { Candidates } from './types.ts';
export type { BoxDecoder, OutputShapes } from './types.ts';

export function createDecoder(
  family: DecoderFamily,
  shapes: OutputShapes,
  inputWidth: number,
  inputHeight: number,
  classes: number,
  personClass: number,
): BoxDecoder {
  switch (family) {
    case 'picodet':
      return new PicoDetDecoder(shapes, inputWidth, inputHeight, classes, personClass);
    case 'yolox':
      return new YoloxDecoder(shapes, inputWidth, inputHeight, classes, personClass);
    case 'fastestdet':
      return new FastestDetDecoder(shapes, inputWidth, inputHeight, classes, personClass);
    case 'yolov8':
      return new Yolov8Decoder(shapes, classes, personClass);
  }
}
