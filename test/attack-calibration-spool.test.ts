import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spoolToText } from '../src/internal.js';
import { ENTRY, RETURN, SpoolWriter, tag } from './helpers/spool-writer.js';

// Issue 13 §3 (design §B): the in-process recorder (3.8-3.11) writes the profile function's calls
// that wrote nothing as a spool record of kind 9, [thread ident, count << 4 | 9], before the
// thread's next event; the decoder writes the count as that event's last field, `u=N`.

const UNWRITTEN = 9;

describe('spool kind 9: unwritten firings, as u=N', () => {
  it("goes on the same thread's next event, and only there", () => {
    const spool = new SpoolWriter({ returns: 'line' })
      .define('S\t1\tMainThread\nS\t2\tworker\nC\t1\t/app/a.py\tf\t1\n')
      .events([1, tag(1, 7), 7, 70], [2, tag(2, 7), 8, 80])
      // Thread 7: 5 unwritten then its entry; thread 8's event between does not take them.
      .events([7, tag(5, UNWRITTEN)], [10, tag(1, ENTRY), 7], [11, tag(1, ENTRY), 8])
      .events([7, tag(2, UNWRITTEN)], [8, tag(3, UNWRITTEN)], [20, tag(1, RETURN), 8, 4], [21, tag(1, RETURN), 7, 3])
      .end()
      .bytes();
    const { text, end } = spoolToText(spool, 'u.spool');
    assert.ok(end.complete, JSON.stringify(end.damage));
    const events = text.split('\n').filter((line) => /^\d/.test(line));
    assert.deepEqual(events.slice(2), [
      '10\t100\t70\tfunction__entry\t/app/a.py\tf\t1\tu=5',
      '11\t100\t80\tfunction__entry\t/app/a.py\tf\t1',
      '20\t100\t80\tfunction__return\t/app/a.py\tf\t4\tu=3',
      '21\t100\t70\tfunction__return\t/app/a.py\tf\t3\tu=2',
    ]);
    assert.equal(end.events, 6, 'kind 9 records are no events');
  });

  it('a spool without them decodes with no u= field (older spools)', () => {
    const spool = new SpoolWriter({ returns: 'line' })
      .define('S\t1\tMainThread\nC\t1\t/app/a.py\tf\t1\n')
      .events([1, tag(1, 7), 7, 70], [10, tag(1, ENTRY), 7], [21, tag(1, RETURN), 7, 3])
      .end()
      .bytes();
    assert.ok(!spoolToText(spool, 'old.spool').text.includes('u='));
  });
});
