import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

const DIFF = join(FIXTURES, 'diff');
const BASE = join(DIFF, 'shop-base.pyflame.txt.gz');
const HEAD = join(DIFF, 'shop-head.pyflame.txt.gz');
const SMALL = join(SAMPLES, 'recursion.pyflame.txt');
const scratch = scratchDir('cli-diff');

describe('pyflame diff (command line)', () => {
  it('exits 1 when a rule fires, naming the rule and where in the report', async () => {
    const result = await runCli(['diff', BASE, HEAD, '--fail-on', 'calls>0']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^FAIL {2}1 of 1 rule fired, on 2 items \(calls>0\)$/m);
    assert.match(result.stdout, /calls>0 +0 → 300 \(\+300, new\) +audit \(shop\.py:30\)/);
    assert.equal(result.stderr, '');
  });

  it('exits 0 when no rule fires, and when no rule is given', async () => {
    const pass = await runCli(['diff', SMALL, SMALL, '--fail-on', 'calls>0', '--fail-on', 'self>1%']);
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(pass.stdout, /^PASS {2}no rule fired \(calls>0, self>1%\)$/m);
    assert.match(pass.stdout, /no function changed/);
    const report = await runCli(['diff', BASE, HEAD]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /^No gate {2}no --fail-on rules/m);
  });

  it('a script recorded under another name is matched by its functions, said in the report and the Markdown; --no-renames turns that off', async () => {
    const renamed = join(DIFF, 'shop-head-renamed.pyflame.txt.gz');
    const markdown = join(scratch, 'renamed.md');
    const result = await runCli(['diff', HEAD, renamed, '--fail-on', 'calls>0', '--markdown', markdown]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(
      result.stdout.replace(/\n {2}/g, ' '),
      /A file has another path in HEAD, matched by the functions in it \(--no-renames to match by path only\): \/tmp\/pyflame-shop\/shop\.py → \/tmp\/pyflame-shop-v2\/shop_after\.py\./,
    );
    assert.match(
      readFileSync(markdown, 'utf8'),
      /^Matched by the functions in them \(renamed or moved files; `--no-renames` to match by path only\): \/tmp\/pyflame\\-shop\/shop\\\.py → \/tmp\/pyflame\\-shop\\-v2\/shop\\_after\\\.py\.$/m,
    );
    const byPath = await runCli(['diff', HEAD, renamed, '--fail-on', 'calls>0', '--no-renames']);
    assert.equal(byPath.code, 1);
    assert.match(byPath.stdout, /calls>0 +0 → 300 \(\+300, new\) +audit \(shop_after\.py:30\)/);
    assert.doesNotMatch(byPath.stdout, /another path in HEAD/);
  });

  it('exits 2 on a bad rule, saying what is wrong with it', async () => {
    const result = await runCli(['diff', SMALL, SMALL, '--fail-on', 'self>5']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^pyflame: error: --fail-on: rule "self>5": self is a time; give its value a unit/m);
    const typo = await runCli(['diff', SMALL, SMALL, '--fail-on', 'slef>10%']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean self\?/);
  });

  it('exits 2 on unreadable input, naming the file', async () => {
    const missing = await runCli(['diff', SMALL, join(scratch, 'nope.txt')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.txt/);
    const badJson = writeScratch(scratch, '{"schemaVersion": 7}', 'bad.json');
    const wrong = await runCli(['diff', badJson, SMALL]);
    assert.equal(wrong.code, 2);
    assert.match(
      wrong.stderr,
      /bad\.json: not a usable pyflame analyze --json document: expected "schemaVersion": 1 or 2, found 7/,
    );
    const broken = writeScratch(scratch, '{"schemaVersion": 1,', 'broken.json');
    const invalid = await runCli(['diff', broken, SMALL]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /broken\.json: is not valid JSON/);
  });

  it('a saved --json result works as BASE (a CI baseline artefact); trace filters are refused for it', async () => {
    const dir = scratchDir('cli-diff-json');
    const saved = join(dir, 'base.json');
    assert.equal((await runCli(['analyze', BASE, `--json=${saved}`])).code, 0);
    const result = await runCli(['diff', saved, HEAD, '--fail-on', 'calls>0', '--json', '-']);
    assert.equal(result.code, 1, result.stderr);
    const doc = JSON.parse(result.stdout) as { verdict: string; findings: { subject: { name?: string } }[] };
    assert.equal(doc.verdict, 'fail');
    assert.deepEqual(doc.findings.map((f) => f.subject.name).sort(), ['<genexpr>', 'audit']);
    const old = join(dir, 'old.json');
    const { callTree: _dropped, ...withoutPaths } = JSON.parse(readFileSync(saved, 'utf8')) as Record<string, unknown>;
    writeFileSync(old, JSON.stringify(withoutPaths));
    const noPaths = await runCli(['diff', old, HEAD, '--fail-on', 'path.calls>0']);
    assert.equal(noPaths.code, 2, 'a path rule that cannot be judged is an error, not a pass');
    assert.match(noPaths.stderr, /--fail-on path\.\* rules need call paths on both sides/);
    const filtered = await runCli(['diff', saved, HEAD, '--tid', '1']);
    assert.equal(filtered.code, 2);
    assert.match(
      filtered.stderr,
      /base\.json: is a saved --json result: --pid, --tid, --focus, --exclude, --from and --to apply to traces only/,
    );
  });

  it('--markdown and --json write out/<head>.diff.* by default; with - the document alone goes to stdout', async () => {
    const dir = scratchDir('cli-diff-out');
    const result = await runCli(['diff', BASE, HEAD, '--fail-on', 'calls>0', '--markdown', '--json', '--svg'], {
      cwd: dir,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), [
      'shop-head.pyflame.diff.json',
      'shop-head.pyflame.diff.md',
      'shop-head.pyflame.diff.svg',
    ]);
    assert.equal(
      result.stderr,
      'pyflame: wrote out/shop-head.pyflame.diff.json\npyflame: wrote out/shop-head.pyflame.diff.md\npyflame: wrote out/shop-head.pyflame.diff.svg\n',
    );
    assert.match(
      readFileSync(join(dir, 'out/shop-head.pyflame.diff.svg'), 'utf8'),
      /^<\?xml[^]*<svg [^]*shop-head\.pyflame vs shop-base\.pyflame</,
    );
    const twice = await runCli(['diff', BASE, HEAD, '--json', '-', '--svg', '-']);
    assert.equal(twice.code, 2);
    assert.match(
      twice.stderr,
      /^pyflame: error: --json and --svg would both write to stdout; send one of them to a file\n$/,
    );
    assert.match(
      readFileSync(join(dir, 'out/shop-head.pyflame.diff.md'), 'utf8'),
      /^## ❌ pyflame diff: 1 of 1 rules fired, on 2 items\n/,
    );
    const md = await runCli(['diff', BASE, HEAD, '--fail-on', 'calls>0', '--markdown', '-']);
    assert.equal(md.code, 1);
    assert.match(md.stdout, /^## ❌ pyflame diff/);
    assert.doesNotMatch(md.stdout, /^pyflame diff$/m, 'no terminal report mixed in');
  });

  it('--ignore and --normalize reach the comparison', async () => {
    const ignored = await runCli(['diff', BASE, HEAD, '--fail-on', 'calls>0', '--ignore', '^(audit|<genexpr>)$']);
    assert.equal(ignored.code, 0, ignored.stdout);
    assert.match(ignored.stdout, /--ignore left out \d+ functions and modules/);
    const normalized = await runCli(['diff', BASE, HEAD, '--normalize']);
    assert.match(normalized.stdout, /--normalize: HEAD's times are multiplied by 0\.\d+/);
  });

  it('reads one side from stdin (-), never peeking at it', async () => {
    const result = await runCli(['diff', '-', SMALL, '--fail-on', 'calls>0'], { stdin: readFileSync(SMALL) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ {2}base {2}<stdin> /m);
    assert.match(result.stdout, /^PASS/m);
  });

  it('never modifies its inputs and leaves no temporary file behind', async () => {
    const dir = scratchDir('cli-diff-clean');
    const base = join(dir, 'a.txt');
    writeFileSync(base, readFileSync(SMALL));
    const before = readFileSync(base);
    const result = await runCli(['diff', base, base, '--json', join(dir, 'd.json')]);
    assert.equal(result.code, 0);
    assert.deepEqual(readFileSync(base), before);
    assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'd.json']);
    assert.ok(existsSync(join(dir, 'd.json')));
  });
});
