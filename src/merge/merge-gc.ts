import { DurationSketch } from '../analyze/duration-sketch.js';
import type { DocumentFields, Json } from './document-fields.js';

interface GenerationSum {
  count: number;
  totalNs: number;
  maxNs: number;
  readonly sketch: DurationSketch;
}

interface AttributionSum {
  readonly stack: unknown[];
  pid: number | null;
  tid: number | null;
  count: number;
  totalNs: number;
}

/**
 * The low edge of the histogram bucket a pause falls in. analyze's GC histogram
 * (gc-histogram.ts) has its edges on one grid, 1, 2 and 5 times each power of ten (and a [0, 1)
 * bucket), so the buckets of every run line up and add up one by one.
 */
export function gridBucketOf(durationNs: number): number {
  if (durationNs < 1) return 0;
  let decade = 1;
  while (decade * 10 <= durationNs) decade *= 10;
  return durationNs < 2 * decade ? decade : durationNs < 5 * decade ? 2 * decade : 5 * decade;
}

/** The grid edge after `edge`: 0 → 1 → 2 → 5 → 10 → 20 ... */
export function nextGridEdge(edge: number): number {
  if (edge < 1) return 1;
  let decade = 1;
  while (decade * 10 <= edge) decade *= 10;
  return edge === decade ? 2 * decade : edge === 2 * decade ? 5 * decade : 10 * decade;
}

/**
 * GC figures of many runs added up: per generation the count, total and longest pause exactly
 * and the pauses' durations as a sketch (for approximate percentiles); the histogram bucket by
 * bucket; the stacks collections started under, by stack. The pauses themselves are a run's
 * timeline and are not kept.
 */
export class GcMerger {
  private readonly generations = new Map<number, GenerationSum>();
  private readonly histogram = new Map<number, number>();
  private readonly attribution = new Map<string, AttributionSum>();
  totalPauseNs = 0;

  /** One run's `gc`; `merged`: the document is pyflame merge's (no pauses, sketches instead). */
  add(raw: unknown, merged: boolean, fields: DocumentFields): void {
    const gc = fields.object(raw, 'gc');
    this.totalPauseNs += fields.number(gc.totalPauseNs, 'gc.totalPauseNs');
    for (const [i, entry] of fields.array(gc.byGeneration, 'gc.byGeneration').entries()) {
      const at = `gc.byGeneration[${i}]`;
      const g = fields.object(entry, at);
      const sum = this.generation(fields.count(g.generation, `${at}.generation`));
      const count = fields.count(g.count, `${at}.count`);
      sum.count += count;
      sum.totalNs += fields.number(g.totalNs, `${at}.totalNs`);
      sum.maxNs = Math.max(sum.maxNs, fields.number(g.maxNs, `${at}.maxNs`));
      if (merged) {
        const sketch = DurationSketch.fromJson(g.durationSketch, `${at}.durationSketch`, fields.fail);
        if (sketch.count !== count)
          fields.fail(`${at}.durationSketch counts ${sketch.count} pauses, count says ${count}`);
        sum.sketch.merge(sketch);
      }
    }
    if (merged) {
      for (const [i, entry] of fields.array(gc.histogram, 'gc.histogram').entries()) {
        const bucket = fields.object(entry, `gc.histogram[${i}]`);
        const from = fields.number(bucket.fromNs, `gc.histogram[${i}].fromNs`);
        if (gridBucketOf(from) !== from || fields.number(bucket.toNs, `gc.histogram[${i}].toNs`) !== nextGridEdge(from))
          fields.fail(`gc.histogram[${i}] is not a bucket of pyflame's 1-2-5 grid`);
        const count = fields.count(bucket.count, `gc.histogram[${i}].count`);
        if (count > 0) this.histogram.set(from, (this.histogram.get(from) ?? 0) + count);
      }
    } else {
      // An analysis lists every pause: its sketches and histogram are made from them.
      for (const [i, entry] of fields.array(gc.pauses, 'gc.pauses').entries()) {
        const pause = fields.object(entry, `gc.pauses[${i}]`);
        const duration = fields.number(pause.durationNs, `gc.pauses[${i}].durationNs`);
        this.generation(fields.count(pause.generation, `gc.pauses[${i}].generation`)).sketch.add(duration);
        const from = gridBucketOf(duration);
        this.histogram.set(from, (this.histogram.get(from) ?? 0) + 1);
      }
    }
    for (const [i, entry] of fields.array(gc.attribution, 'gc.attribution').entries()) {
      const at = `gc.attribution[${i}]`;
      const cause = fields.object(entry, at);
      const stack = fields.array(cause.stack, `${at}.stack`);
      const key = JSON.stringify(stack);
      const pid = fields.id(cause.pid, `${at}.pid`);
      const tid = fields.id(cause.tid, `${at}.tid`);
      const known = this.attribution.get(key);
      const count = fields.count(cause.count, `${at}.count`);
      const totalNs = fields.number(cause.totalNs, `${at}.totalNs`);
      if (known === undefined) this.attribution.set(key, { stack, pid, tid, count, totalNs });
      else {
        // One stack in several processes or threads: named by neither.
        if (known.pid !== pid) known.pid = null;
        if (known.tid !== tid) known.tid = null;
        known.count += count;
        known.totalNs += totalNs;
      }
    }
  }

  private generation(generation: number): GenerationSum {
    let sum = this.generations.get(generation);
    if (sum === undefined) {
      sum = { count: 0, totalNs: 0, maxNs: 0, sketch: new DurationSketch() };
      this.generations.set(generation, sum);
    }
    return sum;
  }

  /** Pauses counted in byGeneration that no sketch holds (a run's pauses not listed): none expected. */
  private checkSketches(): boolean {
    return [...this.generations.values()].every((sum) => sum.sketch.count === sum.count);
  }

  result(durationNs: number): Json {
    const sketched = this.checkSketches();
    const byGeneration = [...this.generations]
      .filter(([, sum]) => sum.count > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([generation, sum]) => {
        const percentile = (p: number) => (sketched ? Math.round(Math.min(sum.sketch.percentile(p)!, sum.maxNs)) : 0);
        return {
          generation,
          count: sum.count,
          totalNs: sum.totalNs,
          maxNs: sum.maxNs,
          p50Ns: percentile(50),
          p95Ns: percentile(95),
          p99Ns: percentile(99),
          durationSketch: sum.sketch.toJson(),
        };
      });
    const froms = [...this.histogram.keys()].sort((a, b) => a - b);
    const histogram: Json[] = [];
    if (froms.length > 0) {
      // Every bucket from the first to the last, the empty ones too (as analyze writes it).
      for (let from = froms[0]; from <= froms[froms.length - 1]; from = nextGridEdge(from))
        histogram.push({ fromNs: from, toNs: nextGridEdge(from), count: this.histogram.get(from) ?? 0 });
    }
    const attribution = [...this.attribution.values()].sort(
      (a, b) =>
        b.totalNs - a.totalNs ||
        b.count - a.count ||
        (JSON.stringify(a.stack) < JSON.stringify(b.stack)
          ? -1
          : JSON.stringify(a.stack) > JSON.stringify(b.stack)
            ? 1
            : 0),
    );
    return {
      pauses: [],
      byGeneration,
      totalPauseNs: this.totalPauseNs,
      wallShare: durationNs > 0 ? this.totalPauseNs / durationNs : 0,
      histogram,
      attribution: attribution.map(({ stack, pid, tid, count, totalNs }) => ({ stack, pid, tid, count, totalNs })),
    };
  }
}
