// Cuts ffmpeg's rawvideo byte stream (arbitrary chunk sizes) into whole frames of a fixed
// size, copying into one preallocated buffer; each completed frame is handed to the
// callback synchronously and the buffer is reused for the next one.

export class FrameAssembler {
  readonly frame: Buffer;
  private filled = 0;

  constructor(
    readonly frameBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {
    this.frame = Buffer.allocUnsafe(frameBytes);
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      chunk.copy(this.frame, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        this.filled = 0;
        this.onFrame(this.frame);
      }
    }
  }

  /** Bytes of an incomplete frame left when a stream ends (dropped). */
  reset(): number {
    const partial = this.filled;
    this.filled = 0;
    return partial;
  }
}
