import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// In a forked child, Python runs the at-fork callbacks other modules registered before the
// recorder's (threading's, imported first): with the hooks still on, their calls are recorded
// into the parent's buffer, and one that fills it flushed the parent's words into the parent's
// spool from the child (the file offset is shared), beside the parent's own writes: a damaged or
// doubled trace, now and then (a full suite's in-process fork test, once in two runs). The spool
// now writes only from the process that opened it.

const scratch = scratchDir('fork-spool');
const PYTHONS = [
  ...['3.8.18', '3.10.13', '3.12.1', '3.13.0'].map((v) => `/root/.pyenv/versions/${v}/bin/python3`),
  '/usr/bin/python3.11',
];

const PROGRAM = `
import os, sys
sys.path.insert(0, sys.argv[1])
import pyflame_recorder as recorder
path = sys.argv[2]
spool = recorder.Spool(path, os.getpid(), False)
before = os.path.getsize(path)
spool.words.extend([1, 2, 3])  # the parent's buffered words at the fork
pid = os.fork()
if pid == 0:
    spool.flush(wait=True)  # as a hook does when the buffer fills, before the recorder's at-fork callback
    os._exit(0)
os.waitpid(pid, 0)
child_wrote = os.path.getsize(path) - before
spool.flush(wait=True)
print(child_wrote, os.path.getsize(path) - before)
`;

describe('the in-process recorder’s spool after a fork', () => {
  for (const python of PYTHONS) {
    it(`a forked child writes nothing into the parent's spool, the parent still does (${python})`, {
      skip: existsSync(python) ? false : `${python} is not installed on this machine`,
    }, () => {
      const spool = join(scratch, `${python.replace(/\W/g, '_')}.spool`);
      const out = execFileSync(python, ['-c', PROGRAM, join(ROOT, 'recorder'), spool], { encoding: 'utf8' });
      const [childWrote, parentWrote] = out.trim().split(' ').map(Number);
      assert.equal(childWrote, 0, 'the child wrote into the parent’s spool');
      assert.ok(parentWrote > 0, 'the parent’s own flush wrote its words');
    });
  }
});
