import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { ANALYZE_OUTPUTS } from '../src/cli/outputs/analyze-outputs.js';
import { DIFF_OUTPUTS } from '../src/cli/outputs/diff-outputs.js';
import { OUTPUT_TABLES } from '../src/cli/outputs/output-flags.js';
import { describeOutput, type OutputTable } from '../src/cli/outputs/output-spec.js';
import { planOutputs } from '../src/cli/outputs/plan-outputs.js';
import { UsageError } from '../src/cli/exit-codes.js';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// The outputs of analyze and diff come from one table each (src/cli/outputs): issue 18 §2.

const TRACE = join(SAMPLES, 'threads.pyflame.txt');

describe('the stdout rule: at most one document on stdout', () => {
  // A trace that is not there: the rule is checked before any trace is read, so its message wins.
  const missing = join(scratchDir('outputs-table'), 'never-written.txt');

  it('analyze: two outputs to - exit 2, naming both flags, before the trace is read', async () => {
    for (const trace of [TRACE, missing]) {
      const result = await runCli(['analyze', trace, '--importtime', '-', '--folded', '-']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        'pyflame: error: --importtime and --folded would both write to stdout; send one of them to a file\n',
      );
    }
  });

  it('diff: the same rule, in the same words', async () => {
    for (const base of [TRACE, missing]) {
      const result = await runCli(['diff', base, TRACE, '--json', '-', '--svg', '-']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        'pyflame: error: --json and --svg would both write to stdout; send one of them to a file\n',
      );
    }
  });
});

/** The command line that runs each table's command on the sample trace, an output flag added after. */
const RUNS: readonly { table: OutputTable<never, string>; args: readonly string[] }[] = [
  { table: ANALYZE_OUTPUTS, args: ['analyze', TRACE] },
  { table: DIFF_OUTPUTS, args: ['diff', TRACE, TRACE] },
];

describe('every output table entry is complete', () => {
  it('the tables checked here are all there are', () => {
    assert.deepEqual(
      RUNS.map((run) => run.table),
      [...OUTPUT_TABLES],
    );
  });

  for (const { table } of RUNS) {
    it(`${table.command}: flag, description, suffix, stdout, needs and writer; each flag in --help with its default file`, async () => {
      assert.ok(table.outputs.length > 0);
      const help = await runCli([table.command, '--help']);
      assert.equal(help.code, 0);
      // yargs wraps the help at spaces: compare it with its runs of white space made one.
      const flat = help.stdout.replace(/\s+/g, ' ');
      for (const spec of table.outputs) {
        const at = `${table.command} --${spec.flag}`;
        assert.match(spec.flag, /^[a-z][a-z-]*$/, `${at}: a flag name`);
        assert.match(spec.describe, /^write \S/, `${at}: says what it writes`);
        assert.match(spec.suffix, /^\.[a-z][a-z.]*[a-z]$/, `${at}: a file ending`);
        assert.equal(typeof spec.stdout, 'boolean', `${at}: says whether it may go to stdout`);
        assert.ok(Array.isArray(spec.needs), `${at}: says what it needs`);
        const writer = spec.write as { text?: unknown; stream?: unknown } | undefined;
        assert.ok(
          writer !== undefined && (typeof writer.text === 'function') !== (typeof writer.stream === 'function'),
          `${at}: one writer, text or stream`,
        );
        assert.ok(
          flat.includes(` --${spec.flag} ${describeOutput(table, spec)} [string]`),
          `${at}: in --help, with where it writes`,
        );
        assert.ok(
          flat.includes(`out/<${table.nameWord}>${spec.suffix} without one`),
          `${at}: its default file in --help`,
        );
        for (const option of Object.keys(spec.options ?? {}))
          assert.ok(flat.includes(` --${option} `), `${at}: --${option} in --help`);
      }
      assert.equal(
        new Set(table.outputs.map((spec) => spec.flag)).size,
        table.outputs.length,
        `${table.command}: no flag twice`,
      );
      assert.equal(
        new Set(table.outputs.map((spec) => spec.suffix)).size,
        table.outputs.length,
        `${table.command}: no two outputs share a default file`,
      );
    });
  }

  it("analyze's help says to put every output flag after the traces", async () => {
    const help = (await runCli(['analyze', '--help'])).stdout.replace(/\s+/g, ' ');
    const listed = / Put (.*?) after the traces/.exec(help)?.[1];
    assert.deepEqual(
      listed?.split(/, | and /),
      ANALYZE_OUTPUTS.outputs.map((spec) => `--${spec.flag}`),
    );
  });
});

/** What a stream is given, as text, once it has ended. */
function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs the command line in this process, in `cwd` (quicker than a process per case: the test
 * runner runs one test at a time in a file, so changing folders is safe), stdout and stderr captured.
 */
async function runInProcess(
  argv: readonly string[],
  cwd = process.cwd(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const [out, err] = [collect(stdout), collect(stderr)];
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(argv, { stdin: new PassThrough(), stdout, stderr });
    return { code, stdout: out(), stderr: err() };
  } finally {
    process.chdir(before);
  }
}

describe('each output is accepted and written', () => {
  for (const { table, args } of RUNS) {
    for (const spec of table.outputs) {
      it(`${table.command} --${spec.flag}: out/threads.pyflame${spec.suffix} and nothing else; with -, the same document alone on stdout`, async () => {
        const dir = scratchDir('outputs-table');
        const result = await runInProcess([...args, `--${spec.flag}`], dir);
        assert.equal(result.code, 0, result.stderr);
        const file = `out/threads.pyflame${spec.suffix}`;
        assert.match(
          result.stderr,
          new RegExp(`^(pyflame: warning: .*\\n)*pyflame: wrote ${file.replaceAll('.', '\\.')}\\n$`),
        );
        assert.deepEqual(readdirSync(join(dir, 'out')), [file.slice('out/'.length)]);
        const written = readFileSync(join(dir, file), 'utf8');
        assert.ok(written.length > 0, `${file} is not empty`);
        assert.match(result.stdout, /\S/, 'the report still goes to stdout');
        if (!spec.stdout) return;
        const elsewhere = scratchDir('outputs-table');
        const toStdout = await runInProcess([...args, `--${spec.flag}`, '-'], elsewhere);
        assert.equal(toStdout.code, 0, toStdout.stderr);
        assert.doesNotMatch(toStdout.stderr, /wrote/);
        assert.deepEqual(readdirSync(elsewhere), [], 'no file written');
        // Nothing of the report mixed in.
        assert.equal(toStdout.stdout, written);
      });
    }
  }
});

describe('main.ts knows every output flag: one given before the inputs takes an input as its path', () => {
  const HINT =
    'An output flag such as --svg takes the word after it as its path: put output flags after the traces, or write --svg=PATH.';

  for (const { table, args } of RUNS) {
    it(`${table.command}: each output flag put before the inputs gets the hint`, async () => {
      const [command, ...inputs] = args;
      for (const spec of table.outputs) {
        const result = await runInProcess([command, `--${spec.flag}`, ...inputs]);
        assert.equal(result.code, 2, `--${spec.flag}`);
        assert.match(result.stderr, /^pyflame: error: Not enough non-option arguments/, `--${spec.flag}`);
        assert.ok(result.stderr.includes(`\n${HINT}\n`), `--${spec.flag} gets the hint: ${result.stderr}`);
      }
      // Too few inputs without an output flag: no hint.
      const bare = await runInProcess([command]);
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /Not enough non-option arguments/);
      assert.ok(!bare.stderr.includes(HINT));
    });
  }
});

describe('planOutputs', () => {
  const table: OutputTable<string, 'x'> = {
    command: 'test',
    nameWord: 'name',
    outputs: [
      {
        flag: 'a',
        describe: 'write A',
        suffix: '.a',
        stdout: true,
        needs: [],
        write: { text: async (input) => input },
      },
      {
        flag: 'b',
        describe: 'write B',
        suffix: '.b',
        stdout: false,
        needs: ['x'],
        write: { stream: async (input, write) => write(input) },
      },
    ],
  };

  it('an output that may not go to stdout refuses -', () => {
    assert.throws(
      () => planOutputs(table, { b: '-' }, ['t.txt']),
      (error) => error instanceof UsageError && error.message === '--b cannot write to stdout; give it a path',
    );
  });

  it('says where each output goes and which asked outputs need what', () => {
    const planned = planOutputs(table, { a: '', b: 'x.b' }, ['t.txt']);
    assert.deepEqual(planned.to(table.outputs[0]!, 't.txt'), { kind: 'file', path: 'out/t.a' });
    assert.deepEqual(planned.to(table.outputs[1]!, 't.txt'), { kind: 'file', path: 'x.b' });
    assert.deepEqual(planned.needing('x', 't.txt'), [table.outputs[1]]);
    assert.deepEqual(planOutputs(table, { a: '-' }, ['t.txt']).needing('x', 't.txt'), []);
  });

  it('the help says where an output goes, from its entry', () => {
    assert.equal(
      describeOutput(table, table.outputs[0]!),
      'write A: to PATH, to out/<name>.a without one, to stdout with -',
    );
    assert.equal(
      describeOutput(table, table.outputs[1]!),
      'write B: to PATH (.gz compresses), to out/<name>.b without one',
    );
  });
});
