import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spoolToText } from '../src/internal.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * On 3.12+ the recorder writes a return's instruction offset and pyflame looks its line up in the
 * code's line table (SpoolDecoder.returnLine). The truth is frame.f_lineno of the returning frame:
 * test/fixtures/spool/return-lines/harness.py records program.py with the recorder and, in the
 * same run, logs f_lineno at each PY_RETURN / PY_YIELD / PY_UNWIND with a sys.monitoring tool of
 * its own. Both tools see the same events in the same order (one thread), so the two sequences
 * of returns must be equal.
 */

const RECORDER = join(ROOT, 'recorder/pyflame_recorder.py');
const HERE = join(FIXTURES, 'spool/return-lines');
const PROGRAM = join(HERE, 'program.py');
const scratch = scratchDir('spool-return-lines');

const PYTHONS = ['3.12.1', '3.13.0'].map((version) => `/root/.pyenv/versions/${version}/bin/python3`);

interface Truth {
  readonly file: string;
  readonly name: string;
  readonly line: string;
  readonly offset: number;
  readonly event: string;
  readonly hasLine: boolean;
}

function recordWithTruth(python: string): { decoded: string[]; truth: Truth[] } {
  const tag = python.replace(/\W+/g, '-');
  const spool = join(scratch, `${tag}.spool`);
  const log = join(scratch, `${tag}.log`);
  const result = spawnSync(python, [join(HERE, 'harness.py'), RECORDER, spool, log, PROGRAM], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  assert.equal(result.status, 0, result.stderr);
  const { text, end } = spoolToText(readFileSync(spool), spool);
  assert.ok(end.complete, JSON.stringify(end));
  const decoded = text
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((fields) => fields[3] === 'function__return' && fields[4]!.startsWith(PROGRAM))
    .map((fields) => `${fields[4]}\t${fields[5]}\t${fields[6]}`);
  const truth = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [file, name, lineNumber, offset, event, hasLine] = line.split('\t');
      return {
        file: file!,
        name: name!,
        line: lineNumber!,
        offset: Number(offset),
        event: event!,
        hasLine: hasLine === '1',
      };
    });
  return { decoded, truth };
}

function key(truth: Truth): string {
  return `${truth.file}\t${truth.name}\t${truth.line}`;
}

describe('return lines decoded from offsets equal frame.f_lineno', () => {
  for (const python of PYTHONS) {
    const skip = existsSync(python) ? false : `${python} is not installed`;
    let run: { decoded: string[]; truth: Truth[] } | undefined;
    const recorded = () => (run ??= recordWithTruth(python));

    test(`${python}: one return decoded per return seen, every kind of return covered`, { skip }, () => {
      const { decoded, truth } = recorded();
      assert.equal(decoded.length, truth.length);
      const names = new Set(truth.map((t) => t.name));
      for (const name of [
        'implicit_after_for',
        'implicit_after_while',
        'break_out',
        'countdown',
        'catcher',
        'raiser',
        'reraise',
        '<genexpr>',
        'child',
        'parent',
        '<lambda>',
        '<module>',
      ])
        assert.ok(names.has(name), name);
      assert.ok(truth.some((t) => t.event === 'unwind' && t.hasLine));
      assert.ok(truth.some((t) => t.event === 'yield'));
      assert.ok(
        truth.some((t) => t.line === '0'),
        'a module without code returns on line 0',
      );
    });

    test(`${python}: returns, yields and unwinds at an offset with a line: the line is f_lineno`, { skip }, () => {
      const { decoded, truth } = recorded();
      const wrong = truth
        .map((t, i) => ({ t, got: decoded[i] }))
        .filter(({ t, got }) => t.hasLine && got !== key(t))
        .map(
          ({ t, got }) =>
            `${t.name} ${t.event} at offset ${t.offset}: decoded ${got?.split('\t')[2]}, f_lineno ${t.line}`,
        );
      assert.deepEqual(wrong, []);
    });

    // A PY_UNWIND from an exception handler's cleanup (RERAISE restoring lasti) comes at an
    // offset the line table gives no line: f_lineno is the line of the instruction the exception
    // came from (frame lasti), which the offset alone cannot give: the recorder writes the
    // frame's line for unwinds.
    test(`${python}: unwinds at an offset without a line: the line is f_lineno`, { skip }, () => {
      const { decoded, truth } = recorded();
      const wrong = truth
        .map((t, i) => ({ t, got: decoded[i] }))
        .filter(({ t, got }) => !t.hasLine && got !== key(t))
        .map(
          ({ t, got }) =>
            `${t.name} ${t.event} at offset ${t.offset}: decoded ${got?.split('\t')[2]}, f_lineno ${t.line}`,
        );
      assert.deepEqual(wrong, []);
    });
  }
});
