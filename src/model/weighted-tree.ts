/**
 * What the flame graph renderer draws: a weighted tree in columns. Node 0 is the root (frame -1);
 * every other node's parent has a lower index, so one backwards pass visits children before
 * parents (no recursion: trees can be 100,000 frames deep). `frame` identifies what a node stands
 * for (the renderer asks its input for the frame's name and file); `total` is inclusive weight,
 * `self` exclusive; `calls` when the input knows them.
 */
export interface WeightedTree {
  readonly size: number;
  readonly parent: ArrayLike<number>;
  readonly frame: ArrayLike<number>;
  readonly total: ArrayLike<number>;
  readonly self: ArrayLike<number>;
  readonly calls?: ArrayLike<number>;
}
