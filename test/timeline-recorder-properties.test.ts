import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { openSpillFiles } from '../src/io/spill-file.js';

// The call timeline is kept in chunks that grow from 16 boundaries to 65,536 and, past the spill
// budget, partly in a temporary file (timeline-recorder.ts). Whatever the budget and however the
// threads interleave, each thread must read back exactly what was recorded for it, in order.

/** One recorded boundary: thread, function (an opening when open), time. */
interface Boundary {
  readonly thread: number;
  readonly fn: number;
  readonly open: boolean;
  readonly ts: number;
}

function record(recorder: TimelineRecorder, boundaries: readonly Boundary[]): void {
  for (const { thread, fn, open, ts } of boundaries) {
    if (open) recorder.open(thread, fn, ts);
    else recorder.close(thread, fn, ts);
  }
}

/** What pieces() gives for `thread`, as flat arrays (events as recorded: fn + 1 or -(fn + 1)). */
function readBack(recorder: TimelineRecorder, thread: number): { events: number[]; at: number[] } {
  const events: number[] = [];
  const at: number[] = [];
  for (const piece of recorder.pieces(thread)) {
    assert.equal(piece.events.length, piece.at.length);
    assert.ok(piece.events.length > 0, 'no empty pieces');
    for (let i = 0; i < piece.events.length; i++) {
      events.push(piece.events[i]);
      at.push(piece.at[i]);
    }
  }
  return { events, at };
}

function expected(boundaries: readonly Boundary[], thread: number): { events: number[]; at: number[] } {
  const mine = boundaries.filter((b) => b.thread === thread);
  return { events: mine.map((b) => (b.open ? b.fn + 1 : -(b.fn + 1))), at: mine.map((b) => b.ts) };
}

const boundaryArb = (threads: number) =>
  fc.record({
    thread: fc.nat(threads - 1),
    fn: fc.nat(5000),
    open: fc.boolean(),
    ts: fc.double({ min: 0, max: 2 ** 53, noNaN: true }),
  });

describe('timeline recorder', () => {
  it('reads back every thread as recorded, in memory or spilled, whatever the budget', () => {
    fc.assert(
      fc.property(
        fc.array(boundaryArb(5), { maxLength: 600 }),
        fc.constantFrom(0, 12, 64, 1000, 4096, 32 * 1024 * 1024),
        (boundaries, budgetBytes) => {
          const recorder = new TimelineRecorder(budgetBytes);
          try {
            record(recorder, boundaries);
            for (let thread = 0; thread < 5; thread++)
              assert.deepEqual(readBack(recorder, thread), expected(boundaries, thread));
          } finally {
            recorder.dispose();
          }
        },
      ),
      { numRuns: 150 },
    );
    assert.equal(openSpillFiles(), 0);
  });

  it('keeps a summary of each of the first 31 threads that matches what it reads back', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            thread: fc.nat(35),
            fn: fc.nat(3000),
            open: fc.boolean(),
            ts: fc.oneof(fc.integer({ min: -1e6, max: 1e15 }), fc.double({ noNaN: true }), fc.constant(2 ** 60)),
          }),
          { maxLength: 400 },
        ),
        fc.constantFrom(0, 64, 32 * 1024 * 1024),
        (boundaries, budgetBytes) => {
          const recorder = new TimelineRecorder(budgetBytes);
          try {
            record(recorder, boundaries);
            for (let thread = 0; thread < recorder.threads.length; thread++) {
              const summary = recorder.summary(thread);
              if (thread >= 31) {
                assert.equal(summary, undefined, `thread ${thread}: no summary kept`);
                continue;
              }
              const { events, at } = readBack(recorder, thread);
              const fns = events.map((event) => (event > 0 ? event - 1 : -event - 1));
              assert.deepEqual(summary, {
                firstUses: [...new Set(fns)],
                count: events.length,
                leastTs: Math.min(Infinity, ...at),
                mostTs: Math.max(-Infinity, ...at),
                wholeTs: at.every((t) => Number.isSafeInteger(t)),
              });
            }
          } finally {
            recorder.dispose();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps long threads whole across full-size chunks, spills and reused chunks', () => {
    // Two threads of 300,000 boundaries each (several 65,536-boundary chunks), interleaved in
    // uneven runs, under budgets that spill several times (and so reuse pooled chunks) or never.
    for (const budgetBytes of [3 * 1024 * 1024, 1024 * 1024 * 1024]) {
      const recorder = new TimelineRecorder(budgetBytes);
      try {
        const boundaries: Boundary[] = [];
        let ts = 1e15;
        for (let i = 0; i < 600_000; i++) {
          const thread = i % 7 < 4 ? 0 : 1;
          boundaries.push({ thread, fn: (i * 2654435761) % 9973, open: (i & 1) === 0, ts: (ts += 37) });
        }
        record(recorder, boundaries);
        assert.equal(recorder.spilled, budgetBytes < 1024 * 1024 * 1024);
        for (const thread of [0, 1]) {
          const got = readBack(recorder, thread);
          const want = expected(boundaries, thread);
          assert.equal(got.events.length, want.events.length);
          assert.ok(
            got.events.every((event, i) => event === want.events[i]) && got.at.every((t, i) => t === want.at[i]),
            `thread ${thread}, budget ${budgetBytes}: read back as recorded`,
          );
        }
      } finally {
        recorder.dispose();
      }
    }
  });
});
