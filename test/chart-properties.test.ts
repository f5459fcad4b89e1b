import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { chartModel } from '../src/export/chart/chart-model.js';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { chartOf, drawnRects } from './helpers/chart.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText, type GenEvent } from './helpers/trace-gen.js';

const scratch = scratchDir('chart-prop');

interface Call {
  readonly tid: number;
  readonly startNs: number;
  readonly endNs: number;
  readonly depth: number;
  readonly name: string;
}

/** The calls of a generated (balanced) trace, replayed here by tid with times from its first event. */
function callsOf(events: readonly GenEvent[]): Call[] {
  const origin = events[0].ts;
  const stacks = new Map<number, { start: number; name: string }[]>();
  const calls: Call[] = [];
  for (const event of events) {
    const at = Number(event.ts - origin);
    const stack = stacks.get(event.tid) ?? [];
    stacks.set(event.tid, stack);
    if (event.probe === 'function__entry') stack.push({ start: at, name: event.func! });
    if (event.probe === 'function__return') {
      const open = stack.pop()!;
      calls.push({ tid: event.tid, startNs: open.start, endNs: at, depth: stack.length, name: open.name });
    }
  }
  return calls;
}

const key = (c: { tid: number; startNs: number; endNs: number; depth: number; name: string }) =>
  `${c.tid}|${c.startNs}|${c.endNs}|${c.depth}|${c.name}`;

const limits = fc.record({
  minWidthPercent: fc.oneof(fc.constant(0), fc.constant(0.1), fc.double({ min: 0, max: 20, noNaN: true })),
  maxCalls: fc.oneof(fc.constant(20_000), fc.integer({ min: 1, max: 40 })),
  maxDepth: fc.oneof(fc.constant(128), fc.integer({ min: 1, max: 6 })),
});

describe('flame chart invariants on generated traces', () => {
  it('draws exactly the calls at least minNs long above the depth cap, nested in their callers and their lane; the rest is counted', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, limits, async (events, options) => {
        const path = writeScratch(scratch, toPyflameText(events));
        const { analysis, model, svg } = await chartOf(
          path,
          { ...options, title: 'generated' },
          { parseThread: false },
        );
        const calls = callsOf(events);
        const last = Number(events[events.length - 1].ts - events[0].ts);
        assert.deepEqual([model.startNs, model.endNs], [0, last], 'the span is the trace');
        const span = Math.max(last, 1);
        assert.equal(model.requestedMinNs, (last * options.minWidthPercent) / 100);
        // Every call is drawn or counted as hidden.
        assert.equal(model.totalCalls, calls.length);
        assert.equal(model.drawnCalls + model.hiddenNarrow + model.hiddenDeep, calls.length);
        assert.ok(model.drawnCalls <= options.maxCalls);
        assert.ok(model.minNs >= model.requestedMinNs);
        const eligible = (min: number) => calls.filter((c) => c.endNs - c.startNs >= min && c.depth < options.maxDepth);
        if (model.minNs > model.requestedMinNs)
          assert.ok(eligible(model.requestedMinNs).length > options.maxCalls, 'raised only when needed');
        const drawn = model.lanes.flatMap((lane) =>
          lane.drawn.map((call) => ({ ...call, tid: lane.tid, name: analysis.functionTable.name(call.fn) })),
        );
        assert.deepEqual(
          drawn.map(key).sort(),
          eligible(model.minNs).map(key).sort(),
          'the drawn calls are the wide, shallow ones',
        );
        assert.equal(
          model.hiddenDeep,
          calls.filter((c) => c.endNs - c.startNs >= model.minNs && c.depth >= options.maxDepth).length,
        );

        const rects = drawnRects(svg);
        assert.equal(rects.length, model.drawnCalls);
        let r = 0;
        for (const [laneIndex, lane] of model.lanes.entries()) {
          const thread = analysis.threads.find((t) => t.tid === lane.tid)!;
          assert.deepEqual([lane.startNs, lane.endNs], [thread.startNs, thread.endNs]);
          assert.equal(lane.rows, Math.max(...lane.drawn.map((c) => c.depth)) + 1);
          const laneRects = rects.slice(r, r + lane.drawn.length);
          r += lane.drawn.length;
          for (const [i, call] of lane.drawn.entries()) {
            const rect = laneRects[i];
            assert.equal(rect.lane, laneIndex);
            assert.ok(
              lane.startNs <= call.startNs && call.startNs <= call.endNs && call.endNs <= lane.endNs,
              'inside the lane’s time',
            );
            assert.deepEqual([rect.startNs, rect.durationNs], [call.startNs, call.endNs - call.startNs]);
            assert.ok(Math.abs(rect.x - (call.startNs / span) * 100) <= 1e-5 && rect.x + rect.width <= 100 + 1e-5);
            assert.ok(call.depth < options.maxDepth);
            if (call.depth === 0) {
              assert.equal(call.parent, -1);
              continue;
            }
            assert.ok(call.parent >= 0 && call.parent < i, 'the caller comes first');
            const parent = lane.drawn[call.parent];
            assert.equal(parent.depth, call.depth - 1);
            assert.ok(parent.startNs <= call.startNs && call.endNs <= parent.endNs, 'inside the caller’s time');
            const parentRect = laneRects[call.parent];
            assert.equal(rect.y, parentRect.y + 16, 'one row below the caller');
            assert.ok(
              rect.x >= parentRect.x - 1e-5 && rect.x + rect.width <= parentRect.x + parentRect.width + 2e-5,
              'inside the caller’s x-range',
            );
          }
        }
        const again = await chartOf(
          writeScratch(scratch, toPyflameText(events)),
          { ...options, title: 'generated' },
          { parseThread: false },
        );
        assert.equal(again.svg, svg, 'deterministic');
      }),
      { numRuns: 120 },
    );
  });
});

describe('the chart model from one replay or two', () => {
  it('is the same whether the first replay keeps every candidate call or too few (a second replay)', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, limits, fc.integer({ min: 0, max: 30 }), async (events, options, kept) => {
        const path = writeScratch(scratch, toPyflameText(events));
        const timeline = new TimelineRecorder();
        const analysis = await analyzeTrace(path, { parseThread: false, timeline });
        const onePass = chartModel(analysis, timeline, options);
        const twoPasses = chartModel(analysis, timeline, { ...options, maxCandidates: kept });
        assert.deepEqual(twoPasses, onePass);
      }),
      { numRuns: 150 },
    );
  });
});
