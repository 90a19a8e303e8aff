// Tracker id -> analytics slot, looked up for every row of every frame: an open-addressing
// hash table in typed arrays (multiplicative hash, linear probing, backward-shift deletion),
// so the lookup costs a multiply and a probe or two instead of a Map's generic hashing.

const GOLDEN_RATIO_32 = 0x9e3779b1;

export class IdSlotIndex {
  private keys: Int32Array;
  private values: Int32Array;
  private used: Uint8Array;
  /** 32 - log2(table size): the hash keeps the top bits of id * golden ratio. */
  private shift: number;
  private mask: number;
  size = 0;

  constructor(expectedIds = 128) {
    let bits = 4;
    while (1 << bits < 2 * expectedIds) bits++;
    this.keys = new Int32Array(1 << bits);
    this.values = new Int32Array(1 << bits);
    this.used = new Uint8Array(1 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
  }

  private home(id: number): number {
    return Math.imul(id, GOLDEN_RATIO_32) >>> this.shift;
  }

  /** Slot of id, or -1. */
  get(id: number): number {
    const mask = this.mask;
    for (let i = this.home(id); this.used[i] === 1; i = (i + 1) & mask) if (this.keys[i] === id) return this.values[i]!;
    return -1;
  }

  set(id: number, slot: number): void {
    // At most half full, so probes stay short.
    if (2 * (this.size + 1) > this.keys.length) this.rehash(this.keys.length * 2);
    const mask = this.mask;
    let i = this.home(id);
    for (; this.used[i] === 1; i = (i + 1) & mask) {
      if (this.keys[i] === id) {
        this.values[i] = slot;
        return;
      }
    }
    this.used[i] = 1;
    this.keys[i] = id;
    this.values[i] = slot;
    this.size++;
  }

  delete(id: number): void {
    const mask = this.mask;
    let i = this.home(id);
    while (this.used[i] === 1 && this.keys[i] !== id) i = (i + 1) & mask;
    if (this.used[i] !== 1) return;
    this.used[i] = 0;
    this.size--;
    // Backward shift: pull later entries of the probe run into the hole when their home
    // position is not between the hole and where they sit, so every probe run stays unbroken.
    for (let j = (i + 1) & mask; this.used[j] === 1; j = (j + 1) & mask) {
      const h = this.home(this.keys[j]!);
      const stays = i <= j ? h > i && h <= j : h > i || h <= j;
      if (stays) continue;
      this.keys[i] = this.keys[j]!;
      this.values[i] = this.values[j]!;
      this.used[i] = 1;
      this.used[j] = 0;
      i = j;
    }
  }

  private rehash(size: number): void {
    const { keys, values, used } = this;
    this.keys = new Int32Array(size);
    this.values = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.shift = 32 - Math.log2(size);
    this.mask = size - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (used[i] === 1) this.set(keys[i]!, values[i]!);
  }
}
