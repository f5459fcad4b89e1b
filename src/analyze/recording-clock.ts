import { EventBatch } from '../model/event-batch.js';
import { EventKind } from '../model/event-kind.js';
import type { RecordingCost } from '../model/recording-cost.js';

/** One process's running account of what its recording cost so far. */
interface ProcessAccount {
  /** Cost of the process's firings so far (ns), and its uncertainty (ns, added linearly). */
  spent: number;
  spentError: number;
  /**
   * What its first written event had cost before its timestamp: that event keeps its recorded
   * time, and the corrected clock runs from there (set at that event; NaN until then).
   */
  anchor: number;
  anchorError: number;
  /** The last corrected time given out: corrected times never go back. */
  last: number;
}

/** A batch on three clocks: corrected (its `ts`), as recorded, and the corrected times' uncertainty. */
export interface ClockedBatch {
  readonly corrected: EventBatch;
  readonly raw: Float64Array;
  readonly error: Float64Array;
}

/**
 * The recording's clock with the recorder's stated cost taken out. Every probe firing cost the
 * program `cost` ns, `before` of them before its timestamp was taken; so an event's corrected time
 * is its recorded time minus the cost of every earlier firing of its process and the `before` part
 * of its own. The account is per process, not per thread: the recorders run their handlers while
 * the thread holds the GIL, so a firing on one thread delays every Python thread of the process
 * (a thread waiting in GIL-free C code, sleeping, is not delayed: docs/analyze.md says so).
 *
 * Corrected times never go back: where two events came closer together than their stated cost
 * (noise, or a cost overstated), the later one keeps the earlier's time, without debt: the running
 * maximum of the corrected times. The error clock is the uncertainty of the cost taken out so far
 * (the calibration's ERR per firing, added up: the firings' errors are one calibration's, so they
 * add linearly, not in quadrature); a duration's uncertainty is the difference of its ends' errors.
 */
export class RecordingClock {
  private readonly accounts = new Map<number, ProcessAccount>();
  private readonly cost: Float64Array;
  private readonly error: Float64Array;
  private readonly before: Float64Array;
  private readonly beforeError: Float64Array;

  constructor(stated: RecordingCost) {
    const kinds = Math.max(stated.byKind.length, EventKind.Unwritten + 1);
    this.cost = new Float64Array(kinds);
    this.error = new Float64Array(kinds);
    this.before = new Float64Array(kinds);
    this.beforeError = new Float64Array(kinds);
    stated.byKind.forEach((firing, kind) => {
      if (firing === undefined) return;
      this.cost[kind] = firing.cost;
      this.error[kind] = firing.err;
      this.before[kind] = firing.before;
      this.beforeError[kind] = firing.cost > 0 ? (firing.err * firing.before) / firing.cost : 0;
    });
  }

  /** The batch's events on the three clocks (the batch itself is not changed). */
  apply(batch: EventBatch): ClockedBatch {
    const n = batch.length;
    const raw = batch.ts.subarray(0, n);
    const corrected = new Float64Array(n);
    const error = new Float64Array(n);
    const { kind, pid, value } = batch;
    const { cost, before, beforeError } = this;
    for (let i = 0; i < n; i++) {
      const k = kind[i];
      const account = this.account(pid[i]);
      // Firings nobody wrote: their cost (all of it, before this event's time) counts, nothing else.
      const unwritten = k === EventKind.Unwritten ? value[i] : 0;
      if (unwritten > 0) {
        account.spent += unwritten * cost[k];
        account.spentError += unwritten * this.error[k];
      }
      const costed = k !== EventKind.Unwritten;
      if (costed && Number.isNaN(account.anchor)) {
        account.anchor = account.spent + before[k];
        account.anchorError = account.spentError + beforeError[k];
      }
      // Unwritten firings before the first written event: that event's time, as recorded.
      const anchored = !Number.isNaN(account.anchor);
      const anchor = anchored ? account.anchor : account.spent;
      const anchorError = anchored ? account.anchorError : account.spentError;
      let t = raw[i] - (account.spent - anchor) - (costed ? before[k] : 0);
      if (t < account.last) t = account.last;
      // An unwritten count is no moment of its own: the event after it sets the clock.
      if (costed) account.last = t;
      corrected[i] = t;
      error[i] = account.spentError - anchorError + (costed ? beforeError[k] : 0);
      if (costed) {
        account.spent += cost[k];
        account.spentError += this.error[k];
      }
    }
    const clocked = EventBatch.wrap({ ...columnsOf(batch, n), ts: corrected });
    return { corrected: clocked, raw, error };
  }

  private account(pid: number): ProcessAccount {
    let account = this.accounts.get(pid);
    if (account === undefined) {
      account = { spent: 0, spentError: 0, anchor: Number.NaN, anchorError: Number.NaN, last: -Infinity };
      this.accounts.set(pid, account);
    }
    return account;
  }
}

function columnsOf(batch: EventBatch, n: number) {
  return {
    length: n,
    kind: batch.kind.subarray(0, n),
    ts: batch.ts.subarray(0, n),
    pid: batch.pid.subarray(0, n),
    tid: batch.tid.subarray(0, n),
    frame: batch.frame.subarray(0, n),
    value: batch.value.subarray(0, n),
    name: batch.name.subarray(0, n),
    srcLine: batch.srcLine.subarray(0, n),
  };
}
