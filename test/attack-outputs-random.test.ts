import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { CLI, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// Random destinations and random interrupts (issue 10's attack suite): whatever the user names
// as outputs, and whenever a run is stopped, the inputs are untouched, nothing but regular files
// and links to them are replaced, no temporary file is left, and every file present is whole.

const SAMPLE = join(SAMPLES, 'threads.pyflame.txt');
const isRoot = process.getuid?.() === 0;

/** The kinds of thing a destination can be. */
const KINDS = [
  'new',
  'existing',
  'link',
  'dangling-link',
  'folder',
  'fifo',
  'device',
  'the-input',
  'link-to-input',
  'under-a-file',
  'dev-null',
] as const;
type Kind = (typeof KINDS)[number];
const FLAGS = ['--json', '--svg', '--html', '--folded', '--chart', '--importtime', '--speedscope'] as const;

/** Makes a destination of `kind` in `dir`; returns its path and a check that it was not harmed. */
function makeDestination(
  dir: string,
  index: number,
  kind: Kind,
  input: string,
): { path: string; unharmed: () => void } {
  const path = join(dir, `out${index}`);
  switch (kind) {
    case 'new':
      return { path, unharmed: () => {} };
    case 'existing':
      writeFileSync(path, 'old');
      return { path, unharmed: () => assert.ok(lstatSync(path).isFile()) };
    case 'link':
      writeFileSync(`${path}.target`, 'old');
      symlinkSync(`${path}.target`, path);
      return { path, unharmed: () => assert.ok(lstatSync(path).isSymbolicLink()) };
    case 'dangling-link':
      symlinkSync(`${path}.nothing`, path);
      return { path, unharmed: () => assert.ok(lstatSync(path).isSymbolicLink()) };
    case 'folder':
      mkdirSync(path);
      return { path, unharmed: () => assert.ok(lstatSync(path).isDirectory()) };
    case 'fifo':
      // Never opened by a reader: pyflame must refuse or wait, and is killed below if it waits.
      spawnSync('mkfifo', [path]);
      return { path, unharmed: () => assert.ok(lstatSync(path).isFIFO()) };
    case 'device':
      if (isRoot) spawnSync('mknod', [path, 'c', '1', '3']);
      else writeFileSync(path, 'old');
      return {
        path,
        unharmed: () => assert.ok(isRoot ? lstatSync(path).isCharacterDevice() : lstatSync(path).isFile()),
      };
    case 'the-input':
      return { path: input, unharmed: () => {} };
    case 'link-to-input':
      symlinkSync(input, path);
      return { path, unharmed: () => assert.ok(lstatSync(path).isSymbolicLink()) };
    case 'under-a-file':
      writeFileSync(path, 'a file');
      return { path: join(path, 'x'), unharmed: () => assert.equal(readFileSync(path, 'utf8'), 'a file') };
    case 'dev-null':
      return { path: '/dev/null', unharmed: () => assert.ok(lstatSync('/dev/null').isCharacterDevice()) };
  }
}

const temporaries = (dir: string) => readdirSync(dir).filter((name) => name.includes('.tmp-'));

describe('random destinations', () => {
  it('never harm the input or what is there, and leave no temporary file', async () => {
    const original = readFileSync(SAMPLE);
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(fc.constantFrom(...FLAGS), { minLength: 1, maxLength: 4 })
          .chain((flags) =>
            fc.tuple(
              fc.constant(flags),
              fc.array(fc.constantFrom(...KINDS), { minLength: flags.length, maxLength: flags.length }),
            ),
          ),
        async ([flags, kinds]) => {
          const dir = scratchDir('attack-rand');
          const input = join(dir, 'trace.txt');
          copyFileSync(SAMPLE, input);
          const destinations = kinds.map((kind, index) => makeDestination(dir, index, kind, input));
          const args = flags.flatMap((flag, index) => [flag, destinations[index].path]);
          // A FIFO without a reader blocks its writer, as with a shell's `> fifo`: feed each one a
          // reader so the run can end.
          const readers = kinds.flatMap((kind, index) =>
            kind === 'fifo'
              ? [spawn('cat', [destinations[index].path], { stdio: ['ignore', 'ignore', 'ignore'] })]
              : [],
          );
          const result = await runCli(['analyze', input, ...args], { cwd: dir });
          for (const reader of readers) reader.kill();
          assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}: ${result.stderr}`);
          assert.doesNotMatch(result.stderr, /internal error/);
          const refused = kinds.some((kind) => ['folder', 'the-input', 'link-to-input', 'under-a-file'].includes(kind));
          assert.equal(result.code, refused ? 2 : 0, `${kinds.join(',')}: ${result.stderr}`);
          assert.deepEqual(readFileSync(input), original, 'the input is untouched');
          for (const destination of destinations) destination.unharmed();
          assert.deepEqual(temporaries(dir), []);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('interrupts at random moments', () => {
  it('leave either whole outputs or none, and no temporary file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1500 }),
        fc.constantFrom('SIGINT', 'SIGTERM', 'SIGHUP'),
        async (delayMs, signal) => {
          const dir = scratchDir('attack-int');
          const outputs = {
            json: join(dir, 'x.json'),
            svg: join(dir, 'x.svg'),
            html: join(dir, 'x.html'),
            speedscope: join(dir, 'x.speedscope.json'),
          };
          const child = spawn(
            process.execPath,
            [
              CLI,
              'analyze',
              SAMPLE,
              '--json',
              outputs.json,
              '--svg',
              outputs.svg,
              '--html',
              outputs.html,
              '--speedscope',
              outputs.speedscope,
            ],
            { stdio: ['ignore', 'ignore', 'pipe'] },
          );
          const stderr: Buffer[] = [];
          child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
          const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
            child.on('close', (code, sig) => resolve({ code, signal: sig })),
          );
          // The moment is random on purpose; what is asserted holds at any moment.
          const timer = setTimeout(() => child.kill(signal), delayMs);
          const status = await closed;
          clearTimeout(timer);
          const said = Buffer.concat(stderr).toString('utf8');
          const expected = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 }[signal];
          // Finished before the signal (0), stopped by pyflame's handler, or killed before it was set up.
          assert.ok(
            status.code === 0 || status.code === expected || status.signal === signal,
            `status ${JSON.stringify(status)}: ${said}`,
          );
          assert.doesNotMatch(said, /internal error/);
          assert.deepEqual(temporaries(dir), []);
          if (existsSync(outputs.json)) JSON.parse(readFileSync(outputs.json, 'utf8'));
          if (existsSync(outputs.speedscope)) JSON.parse(readFileSync(outputs.speedscope, 'utf8'));
          if (existsSync(outputs.svg)) assert.match(readFileSync(outputs.svg, 'utf8'), /<\/svg>\n?$/);
          if (existsSync(outputs.html)) assert.match(readFileSync(outputs.html, 'utf8'), /<\/html>\n?$/);
          if (status.code === 0)
            for (const path of Object.values(outputs)) assert.ok(existsSync(path), `${path} written`);
        },
      ),
      { numRuns: 12 },
    );
  });
});
