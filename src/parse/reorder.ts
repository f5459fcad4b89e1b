import type { Diagnostics } from '../model/diagnostics.js';
import { EventBatch } from '../model/event-batch.js';

/** Default reorder window in events. */
export const DEFAULT_REORDER_WINDOW = 262_144;

/**
 * Restores timestamp order within a bounded window of events.
 *
 * DTrace prints each CPU's buffer in turn, so a thread that migrated between CPUs shows up with
 * its events out of order; bpftrace can interleave its per-CPU output in the same way. Events are
 * held until `window` later events have arrived, and sorted (stably, so equal timestamps keep their
 * input order) when any arrived out of order. An event older than everything already passed on
 * cannot be placed any more: its timestamp is raised to the last one passed on (so it sorts first
 * among the events still held), and that is reported. Sorting globally also orders every thread.
 */
export class ReorderStage {
  private held: EventBatch[] = [];
  private heldEvents = 0;
  private heldMax = -Infinity;
  private lastPassedTs = -Infinity;
  private unsorted = false;
  /** Events that arrived out of order and were moved back into place. */
  reordered = 0;
  /** Events too late for the window (timestamp raised). */
  late = 0;

  constructor(
    private readonly window: number,
    private readonly downstream: (batch: EventBatch) => void,
    private readonly diagnostics: Diagnostics,
  ) {}

  /** False for formats whose cross-thread timing is an estimate: putting it in order is no repair. */
  warnReordering = true;

  push(batch: EventBatch): void {
    const ts = batch.ts;
    let max = this.heldMax;
    for (let i = 0; i < batch.length; i++) {
      const t = ts[i];
      if (t < this.lastPassedTs) {
        ts[i] = this.lastPassedTs;
        // Raised, it may still be earlier than events held before it: sort it among them.
        if (this.lastPassedTs < max) this.unsorted = true;
        this.late++;
        this.diagnostics.warn(
          'out-of-order-late',
          `an event arrived more than ${this.window} events after later ones (reorder window); its timestamp was raised to keep time moving forward (use --reorder-window to widen it)`,
          batch.srcLine[i],
        );
      } else if (t < max) {
        this.reordered++;
        this.unsorted = true;
        if (this.warnReordering)
          this.diagnostics.warn(
            'out-of-order',
            'events out of timestamp order (per-CPU buffers) were put back in order',
            batch.srcLine[i],
          );
      } else {
        max = t;
      }
    }
    this.heldMax = max;
    this.held.push(batch);
    this.heldEvents += batch.length;
    this.release(false);
  }

  /** End of input: pass everything on. */
  finish(): void {
    this.release(true);
  }

  private release(all: boolean): void {
    if (!all && this.heldEvents - this.held[0].length < this.window) return;
    if (this.unsorted) this.sortHeld();
    while (this.held.length > 0 && (all || this.heldEvents - this.held[0].length >= this.window)) {
      const batch = this.held.shift()!;
      this.heldEvents -= batch.length;
      if (batch.length > 0) this.lastPassedTs = Math.max(this.lastPassedTs, batch.ts[batch.length - 1]);
      this.downstream(batch);
    }
  }

  /** Stable sort of everything held, re-cut into batches of the same sizes. */
  private sortHeld(): void {
    this.unsorted = false;
    const sizes = this.held.map((b) => b.length);
    const batchOf = new Uint32Array(this.heldEvents);
    const indexIn = new Uint32Array(this.heldEvents);
    const order: number[] = new Array(this.heldEvents);
    const tsAll = new Float64Array(this.heldEvents);
    let n = 0;
    this.held.forEach((batch, b) => {
      for (let i = 0; i < batch.length; i++, n++) {
        batchOf[n] = b;
        indexIn[n] = i;
        tsAll[n] = batch.ts[i];
        order[n] = n;
      }
    });
    order.sort((a, b) => tsAll[a] - tsAll[b] || a - b);
    const sorted: EventBatch[] = [];
    let k = 0;
    for (const size of sizes) {
      const out = new EventBatch(Math.max(size, 1));
      for (let i = 0; i < size; i++, k++) out.copyFrom(this.held[batchOf[order[k]]], indexIn[order[k]]);
      sorted.push(out);
    }
    this.held = sorted;
  }
}
