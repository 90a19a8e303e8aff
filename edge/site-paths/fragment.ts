// A floor fragment: one camera's track of one person as floor positions over time (metres, ms),
// with no image and no identity beyond the fragment's own number. Fragments are what a box
// hands to the site's stitcher (in process, or over the site's broker); they are never stored.

/** New samples of one fragment since its previous chunk (or all of it). Times ms since epoch. */
export interface FragmentChunk {
  /** The box (device name) whose camera saw it. */
  box: string;
  camera: string;
  /** The fragment's number, unique per box and camera while the box runs. */
  fragment: number;
  /** Sample times (ms), strictly increasing within the fragment. */
  t: ArrayLike<number>;
  /** Floor x, y per sample, metres. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** No more samples will follow. */
  ended: boolean;
}

/**
 * Everything a box has handed over up to `upToMs`: the stitcher may decide on times up to the
 * smallest watermark of the sources it waits for, so the same data gives the same paths whether
 * one box or several carry it, and whatever the network delay.
 */
export interface FragmentBatch {
  box: string;
  /** Every sample with t <= upToMs of this box's cameras is in this batch or an earlier one. */
  upToMs: number;
  chunks: FragmentChunk[];
}

/** The site-wide key of a camera. */
export function cameraKey(box: string, camera: string): string {
  return `${box}/${camera}`;
}

/** A sample array twice as long with the same first half (fragment buffers grow by doubling). */
export function doubled(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
