/**
 * Columns of `length` items each, laid one after another in one buffer (one allocation for a
 * whole table instead of one per column). Take the widest first: a view must start at a multiple
 * of its element size.
 */
export class ColumnViews {
  private at = 0;

  constructor(
    private readonly buffer: ArrayBufferLike,
    private readonly length: number,
  ) {}

  floats(): Float64Array {
    const view = new Float64Array(this.buffer, this.at, this.length);
    this.at += this.length * 8;
    return view;
  }

  ints(): Int32Array {
    const view = new Int32Array(this.buffer, this.at, this.length);
    this.at += this.length * 4;
    return view;
  }

  bytes(): Uint8Array {
    const view = new Uint8Array(this.buffer, this.at, this.length);
    this.at += this.length;
    return view;
  }
}
