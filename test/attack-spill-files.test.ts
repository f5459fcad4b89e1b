import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DurationList, DurationStore } from '../src/analyze/duration-store.js';
import { spillBudgetBytes } from '../src/analyze/spill-budget.js';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { openSpillFiles, spilledByteCount } from '../src/io/spill-file.js';
import { scratchDir } from './helpers/scratch.js';

// Issue 16 (memory): the temporary files a large trace's analysis spills to are made in
// PYFLAME_TMPDIR and unlinked as soon as they are open, so nothing is left behind whatever ends
// the process (an error, Ctrl-C, a kill): not even while the analysis runs is a file to be seen.

describe('spill files', () => {
  it('are made in PYFLAME_TMPDIR, counted, and never visible there, even while open', () => {
    const dir = scratchDir('spill-files');
    const saved = process.env.PYFLAME_TMPDIR;
    process.env.PYFLAME_TMPDIR = dir;
    try {
      const before = spilledByteCount();
      const store = new DurationStore(64);
      const list = new DurationList();
      for (let i = 0; i < 100; i++) store.push(list, i);
      const timeline = new TimelineRecorder(64);
      for (let i = 0; i < 100; i++) timeline.open(0, i, i);
      assert.ok(store.spilled && timeline.spilled);
      assert.equal(openSpillFiles(), 2);
      assert.ok(spilledByteCount() >= before + 8 * 64 + 12 * 64, 'the bytes spilled are counted');
      assert.deepEqual(readdirSync(dir), [], 'unlinked while open');
      store.close();
      timeline.dispose();
      assert.equal(openSpillFiles(), 0);
    } finally {
      if (saved === undefined) delete process.env.PYFLAME_TMPDIR;
      else process.env.PYFLAME_TMPDIR = saved;
    }
  });

  it('PYFLAME_SPILL_BUDGET: bytes, or a clear refusal', () => {
    assert.equal(spillBudgetBytes({ PYFLAME_SPILL_BUDGET: '4096' }), 4096);
    assert.ok(spillBudgetBytes({}) > 1024 * 1024);
    assert.throws(
      () => spillBudgetBytes({ PYFLAME_SPILL_BUDGET: '32MB' }),
      /PYFLAME_SPILL_BUDGET must be a whole number of bytes/,
    );
  });
});
