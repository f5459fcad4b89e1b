import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { numberByteLength } from '../src/export/speedscope/byte-chunks.js';
import { ByteChunks } from '../src/export/speedscope/byte-chunks.js';
import { RESOLUTIONS, resolutionBucket } from '../src/export/speedscope/resolution.js';
import { DEFAULT_SPEEDSCOPE_MAX_BYTES } from '../src/export/speedscope/speedscope.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import {
  assertImportable,
  assertSchemaValid,
  callsOf,
  type EventedProfile,
  type SpeedscopeFile,
  speedscopeWriter,
} from './helpers/speedscope-check.js';
import { balancedTrace, toPyflameText } from './helpers/trace-gen.js';

// Issue 16 part 5: a speedscope file over its size budget is written at a resolution (calls
// shorter than it left out of the per-thread timelines) instead of a file the app cannot open.
const scratch = scratchDir('speedscope-budget');

const inputs = [
  ...readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => join(SAMPLES, name)),
  ...['damage/out-of-order.txt', 'damage/hostile-names.txt', 'formats/pyflame/all-probes.txt'].map((name) =>
    join(FIXTURES, name),
  ),
];

const evented = (file: SpeedscopeFile) => file.profiles.filter((p): p is EventedProfile => p.type === 'evented');

/**
 * The reduced file against the full one: valid and importable, the same frames and sampled
 * profile, and in every thread exactly the full file's calls lasting at least the resolution,
 * with their exact times (so a left-out call's time is inside its caller's).
 */
function assertReducedFrom(full: SpeedscopeFile, reduced: SpeedscopeFile, resolution: number, label: string): void {
  assertSchemaValid(reduced);
  assertImportable(reduced, label);
  assert.deepEqual(reduced.shared, full.shared, 'the same frames');
  assert.deepEqual(reduced.profiles.at(-1), full.profiles.at(-1), 'the sampled all-threads profile is complete');
  const fullThreads = evented(full);
  const reducedThreads = evented(reduced);
  assert.equal(reducedThreads.length, fullThreads.length, 'every thread keeps its profile');
  for (const [index, thread] of reducedThreads.entries()) {
    const whole = fullThreads[index];
    assert.equal(thread.name, `${whole.name} (calls ≥ ${words(resolution)})`, 'the name says the resolution');
    assert.equal(thread.startValue, whole.startValue);
    assert.equal(thread.endValue, whole.endValue);
    const kept = callsOf(whole).filter((call) => call.close - call.open >= resolution);
    assert.deepEqual(callsOf(thread), kept, `${label} ${thread.name}: the calls of at least ${resolution} ns`);
  }
}

/** The full file as it would be at `resolution`, built independently of the writer (it writes compact JSON). */
function fileAt(full: SpeedscopeFile, resolution: number): SpeedscopeFile {
  const profiles = full.profiles.map((profile) => {
    if (profile.type !== 'evented') return profile;
    const keep = new Array<boolean>(profile.events.length).fill(false);
    const open: number[] = [];
    for (const [index, event] of profile.events.entries()) {
      if (event.type === 'O') open.push(index);
      else {
        const opened = open.pop()!;
        keep[opened] = keep[index] = event.at - profile.events[opened].at >= resolution;
      }
    }
    return {
      ...profile,
      name: `${profile.name} (calls ≥ ${words(resolution)})`,
      events: profile.events.filter((_, index) => keep[index]),
    };
  });
  return { ...full, profiles };
}

/** Per frame: total time of its calls and their number, over every thread's timeline. */
function totals(file: SpeedscopeFile): Map<number, { ns: number; calls: number }> {
  const byFrame = new Map<number, { ns: number; calls: number }>();
  for (const profile of evented(file))
    for (const call of callsOf(profile)) {
      const entry = byFrame.get(call.frame) ?? { ns: 0, calls: 0 };
      entry.ns += call.close - call.open;
      entry.calls++;
      byFrame.set(call.frame, entry);
    }
  return byFrame;
}

function words(ns: number): string {
  if (ns >= 1e9) return `${ns / 1e9} s`;
  if (ns >= 1e6) return `${ns / 1e6} ms`;
  if (ns >= 1e3) return `${ns / 1e3} µs`;
  return `${ns} ns`;
}

describe('speedscope size budget: the size is known before writing', () => {
  it('numberByteLength is what ByteChunks.number writes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer(),
          fc.maxSafeInteger(),
          fc.double({ noNaN: false }),
          fc.constantFrom(1e9, 1e9 - 1, 2 ** 53, -(2 ** 53), 1e21, -0, 999_999_999_999_999),
        ),
        (value) => {
          const parts: Buffer[] = [];
          const out = new ByteChunks((chunk) => void parts.push(Buffer.from(chunk)));
          out.number(value);
          void out.flush();
          assert.equal(numberByteLength(value), Buffer.concat(parts).length, String(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('resolution buckets: a call is kept at r exactly when it lasts at least r', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e16, noNaN: true }),
        fc.integer({ min: 0, max: RESOLUTIONS.length - 1 }),
        (d, j) => {
          assert.equal(resolutionBucket(d) >= j, d >= RESOLUTIONS[j]);
        },
      ),
    );
  });

  for (const path of inputs) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    it(`${name}: under budget the same bytes; over, a smaller valid file with the calls of at least the resolution`, async () => {
      const speedscopeOf = await speedscopeWriter(path);
      const whole = await speedscopeOf({ maxBytes: Number.POSITIVE_INFINITY });
      const full = JSON.parse(whole.text) as SpeedscopeFile;
      const size = Buffer.byteLength(whole.text);
      assert.equal(whole.written.bytes, size);
      assert.equal(whole.written.resolutionNs, 0);
      // The default budget and a budget of exactly the file's size leave it as it is.
      for (const maxBytes of [undefined, size]) {
        const same = await speedscopeOf({ maxBytes });
        assert.equal(same.text, whole.text, `budget ${maxBytes ?? DEFAULT_SPEEDSCOPE_MAX_BYTES}: byte-identical`);
        assert.equal(same.written.resolutionNs, 0);
        assert.equal(same.written.fullBytes, size, 'the size measured before writing is exact');
      }
      if (evented(full).every((p) => p.events.length === 0)) return; // nothing to leave out
      let previous = 0;
      for (const maxBytes of [size - 1, Math.floor(size * 0.75), Math.floor(size / 2), Math.floor(size / 4), 1]) {
        const { text, written } = await speedscopeOf({ maxBytes });
        const reduced = JSON.parse(text) as SpeedscopeFile;
        const label = `${name} at ${maxBytes} bytes`;
        assert.equal(written.fullBytes, size, `${label}: the full size, measured`);
        assert.equal(written.bytes, Buffer.byteLength(text), `${label}: its own size, measured`);
        assert.ok(written.resolutionNs > 0, `${label}: reduced`);
        assert.ok(written.resolutionNs >= previous, `${label}: a smaller budget, a coarser resolution`);
        previous = written.resolutionNs;
        if (!Number.isFinite(written.resolutionNs)) {
          // Not even a file without calls fits: the smallest file, and it says so.
          assert.ok(written.bytes > maxBytes);
          for (const profile of evented(reduced)) assert.deepEqual(profile.events, []);
          assertSchemaValid(reduced);
          continue;
        }
        assert.ok(written.bytes <= maxBytes, `${label}: fits (${written.bytes})`);
        assertReducedFrom(full, reduced, written.resolutionNs, label);
        // Byte for byte the full file without those calls; the next finer resolution would not
        // have fitted: the finest that fits was chosen.
        assert.equal(text, `${JSON.stringify(fileAt(full, written.resolutionNs))}\n`, `${label}: the expected bytes`);
        const finer = RESOLUTIONS[RESOLUTIONS.indexOf(written.resolutionNs) - 1];
        if (finer > 0)
          assert.ok(Buffer.byteLength(`${JSON.stringify(fileAt(full, finer))}\n`) > maxBytes, `${label}: finest`);
        // Per function: what the timelines lose is only calls shorter than the resolution.
        const before = totals(full);
        const after = totals(reduced);
        for (const [frame, { ns, calls }] of before) {
          const kept = after.get(frame) ?? { ns: 0, calls: 0 };
          const lost = calls - kept.calls;
          assert.ok(ns - kept.ns >= 0, `${label}: frame ${frame} gains nothing`);
          assert.ok(
            ns - kept.ns <= lost * written.resolutionNs,
            `${label}: frame ${frame} total within the resolution (${ns} -> ${kept.ns}, ${lost} calls left out)`,
          );
        }
      }
    });
  }

  it('random balanced traces: exact sizes, fits, exactly the calls of at least the resolution', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, fc.double({ min: 0.05, max: 1, noNaN: true }), async (events, share) => {
        const path = writeScratch(scratch, toPyflameText(events));
        const speedscopeOf = await speedscopeWriter(path);
        const whole = await speedscopeOf({ maxBytes: Number.POSITIVE_INFINITY });
        const size = Buffer.byteLength(whole.text);
        const maxBytes = Math.floor(size * share);
        const { text, written } = await speedscopeOf({ maxBytes });
        assert.equal(written.fullBytes, size);
        assert.equal(written.bytes, Buffer.byteLength(text));
        if (written.resolutionNs === 0) {
          assert.equal(text, whole.text);
          return;
        }
        if (!Number.isFinite(written.resolutionNs)) return assert.ok(written.bytes > maxBytes);
        assert.ok(written.bytes <= maxBytes);
        assertReducedFrom(
          JSON.parse(whole.text) as SpeedscopeFile,
          JSON.parse(text) as SpeedscopeFile,
          written.resolutionNs,
          'random',
        );
      }),
      { numRuns: 30 },
    );
  });

  it('goldens: a sample under budget and the same sample at a resolution', async () => {
    const path = join(SAMPLES, 'ticker.pyflame.txt');
    const speedscopeOf = await speedscopeWriter(path);
    assertGolden('speedscope/ticker.speedscope.json', (await speedscopeOf()).text);
    const reduced = await speedscopeOf({ maxBytes: 20_000 });
    assert.equal(reduced.written.resolutionNs, 50_000);
    assertGolden('speedscope/ticker.20000-bytes.speedscope.json', reduced.text);
  });
});
