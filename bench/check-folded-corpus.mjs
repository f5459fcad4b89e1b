#!/usr/bin/env node
// bench/check-folded-corpus.mjs - pyflame flamegraph against the folded test inputs of
// FlameGraph, inferno and speedscope (issue 15), and against flamegraph.pl itself.
//
//   node bench/check-folded-corpus.mjs [--mirror DIR] [--verbose]
//
// Needs the repositories' snapshots (bare git directories) under DIR (default /work/.mirror:
// brendangregg+FlameGraph, jonhoo+inferno, jlfwong+speedscope) and a build (dist/). For every
// folded file found there: pyflame's drawn total (the SVG's root) against the sum of the file's
// counts (the second count of a differential line, as flamegraph.pl), and, where perl runs
// flamegraph.pl from the FlameGraph snapshot, its total and its set of frame names against
// pyflame's. Nothing from those projects is copied into this repository; the script reads the
// snapshots in place and runs flamegraph.pl from a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldedFlameGraphSvg } from '../dist/src/export/svg/folded-graph.js';
import { withoutAnnotation } from '../dist/src/export/svg/language-palette.js';
import { readFolded } from '../dist/src/folded-input/read-folded.js';

const args = process.argv.slice(2);
const mirror = args.includes('--mirror') ? args[args.indexOf('--mirror') + 1] : '/work/.mirror';
const verbose = args.includes('--verbose');

/** Which files of each snapshot are folded stacks. */
const SOURCES = [
  { repo: 'brendangregg+FlameGraph', match: (p) => /^test\/results\/.*\.txt$/.test(p) },
  {
    repo: 'jonhoo+inferno',
    match: (p) =>
      /^tests\/data\/(flamegraph\/.*\.(txt|folded)|collapse-[^/]+\/results\/.*\.(txt|folded)|diff-folded\/results\/.*\.txt)$/.test(
        p,
      ),
  },
  { repo: 'jlfwong+speedscope', match: (p) => /^sample\/profiles\/stackcollapse\/.*\.txt$/.test(p) },
];

const git = (repo, ...rest) =>
  execFileSync('git', ['--git-dir', join(mirror, repo, 'repo'), ...rest], { maxBuffer: 1 << 30 });
const decode = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The sum of a file's counts, read the simple way flamegraph.pl reads them (second count of two). */
function expectedTotal(text) {
  let total = 0;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(.*\S)?\s+(\d+(?:\.\d*)?)$/.exec(line);
    if (m === null) continue;
    total += Number(m[2]);
  }
  return total;
}

/** flamegraph.pl's total and frame names, or undefined when it cannot run. */
function flamegraphPl(script, file) {
  try {
    const svg = execFileSync('perl', [script, '--minwidth', '0', file], {
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString('utf8');
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => decode(m[1]));
    const all = titles.find((t) => t.startsWith('all ('));
    if (all === undefined) return undefined;
    const total = Number(/^all \(([\d,.]+) /.exec(all)[1].replace(/,/g, ''));
    const names = new Set();
    for (const t of titles) {
      if (t.startsWith('all (')) continue;
      const m = /^(.*) \(([\d,.]+) [^,]*, [\d.]+%(?:; [+-]?[\d.]+%)?\)$/s.exec(t);
      // Zero-width frames (a count of 0) are in flamegraph.pl's SVG at --minwidth 0; pyflame draws none.
      if (m !== null && Number(m[2].replace(/,/g, '')) > 0) names.add(m[1]);
    }
    return { total, names };
  } catch {
    return undefined;
  }
}

const work = mkdtempSync(join(tmpdir(), 'pyflame-corpus-'));
let script;
try {
  writeFileSync(join(work, 'flamegraph.pl'), git('brendangregg+FlameGraph', 'show', 'HEAD:flamegraph.pl'));
  script = join(work, 'flamegraph.pl');
} catch {
  console.log('no FlameGraph snapshot: flamegraph.pl comparisons skipped');
}

const rows = [];
for (const { repo, match } of SOURCES) {
  let paths;
  try {
    paths = git(repo, 'ls-tree', '-r', '--name-only', 'HEAD').toString('utf8').split('\n').filter(match);
  } catch {
    console.log(`no snapshot of ${repo} under ${mirror}: skipped`);
    continue;
  }
  for (const path of paths) {
    const bytes = git(repo, 'show', `HEAD:${path}`);
    const file = join(work, `${rows.length}.txt`);
    writeFileSync(file, bytes);
    const row = { name: `${repo.split('+')[1]}/${path}` };
    rows.push(row);
    let text = bytes.toString('utf8');
    if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
    if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
    row.expected = expectedTotal(text);
    try {
      const profile = await readFolded(file);
      const svg = foldedFlameGraphSvg(profile, { minWidthPercent: 0 });
      row.total = Number(/data-n="all" [^>]*data-t="([^"]+)"/.exec(svg)[1]);
      row.warnings = profile.warnings.map((w) => `${w.code}×${w.count}`).join(' ');
      row.names = new Set();
      for (let node = 1; node < profile.tree.size; node++)
        if (profile.tree.total[node] > 0) row.names.add(withoutAnnotation(profile.labels[profile.tree.frame[node]]));
    } catch (error) {
      row.error = error.message.split('\n')[0];
    }
    if (script !== undefined && /\.txt$|\.folded$/.test(path)) row.pl = flamegraphPl(script, file);
  }
}
rmSync(work, { recursive: true, force: true });

const near = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
let drawn = 0;
let totalsOk = 0;
let plRead = 0;
let plTotalsOk = 0;
let namesOk = 0;
for (const row of rows) {
  if (row.error !== undefined) {
    console.log(`refused  ${row.name}: ${row.error}`);
    continue;
  }
  drawn++;
  const okTotal = near(row.total, row.expected);
  if (okTotal) totalsOk++;
  let plNote = '';
  if (row.pl !== undefined) {
    plRead++;
    // flamegraph.pl shows a fractional total rounded.
    const okPl =
      near(row.pl.total, row.total) || (Number.isInteger(row.pl.total) && Math.abs(row.pl.total - row.total) < 1);
    if (okPl) plTotalsOk++;
    const missing = [...row.pl.names].filter((n) => !row.names.has(n));
    const extra = [...row.names].filter((n) => !row.pl.names.has(n));
    const sameNames = missing.length === 0 && extra.length === 0;
    if (sameNames) namesOk++;
    plNote = `${okPl ? '' : ` flamegraph.pl total ${row.pl.total}`}${
      sameNames
        ? ''
        : ` frames: ${missing.length} only in flamegraph.pl (${missing
            .slice(0, 3)
            .map((n) => JSON.stringify(n))
            .join(', ')}), ${extra.length} only in pyflame (${extra
            .slice(0, 3)
            .map((n) => JSON.stringify(n))
            .join(', ')})`
    }`;
  }
  if (!okTotal || plNote !== '' || verbose)
    console.log(
      `${okTotal && plNote === '' ? 'ok      ' : 'DIFFERS '} ${row.name}: pyflame ${row.total}, counts ${row.expected}${plNote}${row.warnings ? ` [${row.warnings}]` : ''}`,
    );
}
console.log(
  `\n${rows.length} files; pyflame drew ${drawn}, total = sum of counts on ${totalsOk}; flamegraph.pl drew ${plRead}: same total on ${plTotalsOk}, same frame names on ${namesOk}`,
);
