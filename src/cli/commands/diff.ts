import { resolve } from 'node:path';
import { TraceInputError } from '../../model/diagnostics.js';
import { terminalText } from '../../text/untrusted.js';
import type { Argv } from 'yargs';
import { compareRunSets } from '../../diff/compare-sets.js';
import { expandRunPath } from '../../diff/run-paths.js';
import type { RunProfile } from '../../diff/run-profile.js';
import { loadRun } from '../../diff/load-run.js';
import { renderDiffReport } from '../../diff/render/terminal.js';
import {
  DEFAULT_MIN_GC_DELTA_NS,
  defaultMinDelta,
  evaluateGate,
  METRICS,
  parseRule,
  RuleError,
  type Gate,
} from '../../diff/rules.js';
import type { CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { parseDurationFlag, parseRegexFlag } from '../flag-values.js';
import { readOptionFlags, readOptionsFrom, tracePath } from '../read-flags.js';
import { reportWidth } from '../../export/terminal/report.js';
import { writeText } from '../destination.js';
import { filterFlags, filtersFrom, type FilterArgs } from '../filter-flags.js';
import { colorWanted } from '../color-wanted.js';
import { DIFF_OUTPUTS } from '../outputs/diff-outputs.js';
import { declareOutputFlags } from '../outputs/output-spec.js';
import { planOutputs } from '../outputs/plan-outputs.js';
import {
  invertedOption,
  minWidthOption,
  minWidthPercent,
  stdinAtMostOnce,
  topOption,
  topRows,
} from '../shared-flags.js';

const OUTPUT_FLAG_HINT =
  'An output flag such as --svg takes the word after it as its path: put output flags after the traces, or write --svg=PATH.';

/** The flags as yargs hands them over; the output flags (--json, --markdown, --svg) are read by DIFF_OUTPUTS' flag names. */
export interface DiffArgs extends FilterArgs {
  /** The positional runs (one per side). */
  BASE?: string;
  HEAD?: string;
  /** --base/--head: several runs per side (paths or quoted globs). */
  base?: string[];
  head?: string[];
  /** --base-history: BASE is the last runs of a branch in a history store. */
  'base-history': boolean;
  store?: string;
  branch: string;
  last: number;
  format?: string;
  'reorder-window'?: number;
  'fail-on'?: string[];
  'min-delta'?: string;
  'min-gc-delta': string;
  ignore?: string;
  normalize: boolean;
  renames: boolean;
  top: number;
  minwidth: number;
  inverted: boolean;
}

export const diffCommand = {
  command: 'diff [BASE] [HEAD]',
  describe:
    'Compare two runs, or several runs per side (traces or --json results): what got slower, called more, or collected more; gate CI with --fail-on',
  builder: (yargs: Argv) =>
    declareOutputFlags(
      filterFlags(readOptionFlags(yargs))
        .positional('BASE', {
          type: 'string',
          describe: 'the run before: a trace (any format, .gz) or a pyflame analyze --json result',
        })
        .positional('HEAD', { type: 'string', describe: 'the run after, likewise' })
        .option('base', {
          type: 'string',
          array: true,
          describe:
            "several runs before (instead of BASE): traces or --json results, or a quoted glob ('runs/base-*.json'); compared by their medians, see docs/ci.md",
        })
        .option('head', {
          type: 'string',
          array: true,
          describe: 'several runs after (instead of HEAD), likewise',
        })
        .option('base-history', {
          type: 'boolean',
          default: false,
          describe:
            'BASE from pyflame history: the medians of the last --last runs labelled branch=--branch (give HEAD only)',
        })
        .option('store', {
          type: 'string',
          describe: 'with --base-history: the history folder (default .pyflame/history)',
        })
        .option('branch', { type: 'string', default: 'main', describe: 'with --base-history: the branch label' })
        .option('last', { type: 'number', default: 5, describe: 'with --base-history: how many of its latest runs' })
        .option('fail-on', {
          type: 'string',
          array: true,
          describe:
            'exit 1 when RULE fires (repeatable): calls>0, self>10%, total>+5ms, gc.p95>20%, import>+20ms, ... (see docs/ci.md)',
        })
        .option('min-delta', {
          type: 'string',
          describe:
            "time changes smaller than this are noise: no rule fires on them (default: 5ms or 1% of BASE's time in Python, the larger)",
        })
        .option('min-gc-delta', {
          type: 'string',
          default: `${DEFAULT_MIN_GC_DELTA_NS / 1e3}us`,
          describe: 'the same for GC pause times (gc.total, gc.p95)',
        })
        .option('ignore', {
          type: 'string',
          describe: 'leave out functions (name, file or file:name) and modules matching REGEX',
        })
        .option('normalize', {
          type: 'boolean',
          default: false,
          describe: "scale HEAD's times so its time in Python equals BASE's (a slower machine is not a regression)",
        })
        .option('renames', {
          type: 'boolean',
          default: true,
          describe:
            'match a file only BASE has with one only HEAD has when their functions mostly agree (before.py vs after.py, another checkout folder); --no-renames: match by path only',
        })
        .option('top', topOption(10)),
      DIFF_OUTPUTS,
    )
      // Without --base/--head, BASE and HEAD are required, in yargs' own words as before they
      // became optional, with main.ts's hint when an output flag took a run as its path.
      .check((argv) => {
        if (argv.base !== undefined || argv.head !== undefined || argv['base-history'] === true) return true;
        const given = [argv.BASE, argv.HEAD].filter((v) => v !== undefined).length;
        if (given === 2) return true;
        const outputFlag = DIFF_OUTPUTS.outputs.some((spec) => argv[spec.flag] !== undefined);
        throw new UsageError(
          `Not enough non-option arguments: got ${given}, need at least 2${outputFlag ? `\n${OUTPUT_FLAG_HINT}` : ''}`,
        );
      })
      .option('minwidth', minWidthOption('SVG: leave out frames narrower than PCT percent of the whole graph'))
      .option('inverted', invertedOption('SVG: '))
      .example('$0 diff base.txt head.txt', 'what changed, biggest regressions first')
      .example(
        "$0 diff base.json head.txt --fail-on 'calls>0' --fail-on 'self>10%'",
        'CI: exit 1 when a function is called more or its self time grew by 10% (and by the noise floor)',
      )
      .example('$0 diff base.txt head.txt --markdown - >> "$GITHUB_STEP_SUMMARY"', 'a GitHub job summary')
      .example(
        "$0 diff --base 'base-*.json' --head 'head-*.json' --fail-on 'self>10%'",
        'several runs per side: a time rule fires only beyond the noise the runs show',
      )
      .epilog(
        'Exit status: 0 no rule fired, 1 a rule fired, 2 unreadable input or a bad rule. Functions are matched by file and name (not line); a renamed file by the functions in it. See docs/ci.md.',
      ),
  async run(args: DiffArgs, context: CommandContext): Promise<number> {
    if (!args['base-history'] && args.store !== undefined)
      throw new UsageError('--store names the history of --base-history: give both');
    const { bases, heads } = args['base-history'] ? historyHeadPaths(args) : runPaths(args);
    const head = heads[0];
    stdinAtMostOnce([...bases, ...heads]);
    const rules = (args['fail-on'] ?? []).map((text) => {
      try {
        return parseRule(String(text));
      } catch (error) {
        if (error instanceof RuleError) throw new UsageError(`--fail-on: ${error.message}`);
        throw error;
      }
    });
    const minDeltaNs = args['min-delta'] === undefined ? undefined : parseDurationFlag('min-delta', args['min-delta']);
    const minGcDeltaNs = parseDurationFlag('min-gc-delta', args['min-gc-delta']);
    const top = topRows(args.top);
    const ignore = args.ignore === undefined ? undefined : parseRegexFlag('ignore', args.ignore);
    const outputs = planOutputs(DIFF_OUTPUTS, args, [head], { reads: [...bases, ...heads] });
    const minWidth = minWidthPercent(args.minwidth);
    const { toStdout } = outputs.check(context);
    const { filters, described } = filtersFrom(args);
    const readOptions = readOptionsFrom(args, context);
    const load = (path: string) =>
      loadRun(path, {
        ...readOptions,
        stdin: path === '-' ? readOptions.stdin : undefined,
        filters,
        filtered: described.length > 0,
      });
    // One after the other: a big trace already parses on a second thread while this one analyzes.
    const baseRuns: RunProfile[] = args['base-history']
      ? await historyBaseRuns(args, described.length > 0, context)
      : [];
    for (const path of bases) baseRuns.push(await load(path));
    const headRuns: RunProfile[] = [];
    for (const path of heads) headRuns.push(await load(path));
    const diff = compareRunSets(baseRuns, headRuns, { normalize: args.normalize, ignore, renames: args.renames });
    const gate: Gate = { rules, minDeltaNs: minDeltaNs ?? defaultMinDelta(diff.base), minGcDeltaNs };
    if (args.normalize && !diff.normalized)
      context.stderr.write('pyflame: warning: --normalize not applied: BASE or HEAD spent no time in Python calls\n');
    if (diff.normalized && rules.some((rule) => rule.metric === 'traced'))
      context.stderr.write(
        "pyflame: warning: traced rules cannot fire with --normalize (HEAD's time in Python is scaled to BASE's)\n",
      );
    const findings = evaluateGate(diff, gate);
    // Checked before anything is written: no output of a failed run is left behind.
    if (diff.paths === undefined && rules.some((rule) => METRICS[rule.metric].scope === 'path'))
      throw new UsageError(
        '--fail-on path.* rules need call paths on both sides: a --json result written before they were recorded has none (re-run pyflame analyze --json)',
      );
    const [needsPaths] = outputs.needing('call paths', head);
    if (needsPaths !== undefined && diff.paths === undefined)
      throw new UsageError(
        `--${needsPaths.flag} needs call paths on both sides: a --json result written before they were recorded has none (re-run pyflame analyze --json)`,
      );

    await outputs.write(
      head,
      { diff, gate, findings, top, minWidthPercent: minWidth, inverted: args.inverted },
      context,
    );
    if (!toStdout) {
      const width = reportWidth(context.stdout);
      await writeText(
        { kind: 'stdout' },
        () => renderDiffReport(diff, gate, findings, { top, color: colorWanted(context.stdout), width }),
        context,
      );
    }
    return findings.length > 0 ? ExitCode.Regression : ExitCode.Ok;
  },
};

/** With --base-history: HEAD only (one positional, or --head RUN...). */
function historyHeadPaths(args: DiffArgs): { bases: string[]; heads: string[] } {
  if (args.base !== undefined) throw new UsageError('--base-history takes the place of --base: give one of them');
  if (args.HEAD !== undefined)
    throw new UsageError(
      '--base-history takes BASE from the history: give HEAD only (pyflame diff --base-history HEAD)',
    );
  if (args.head !== undefined && args.BASE !== undefined) throw new UsageError('give HEAD, or --head RUN..., not both');
  const given = args.head ?? (args.BASE === undefined ? [] : [args.BASE]);
  if (given.length === 0) throw new UsageError('diff --base-history needs HEAD: pyflame diff --base-history HEAD');
  return {
    bases: [],
    heads: given.flatMap((value) => {
      const paths = args.head === undefined ? [tracePath(value)] : expandRunPath(tracePath(String(value)));
      if (paths.length === 0) throw new UsageError(`--head ${value}: the pattern matches no file`);
      return paths;
    }),
  };
}

/** BASE from the history: the last --last runs of --branch, as profiles in the order added. */
async function historyBaseRuns(args: DiffArgs, filtered: boolean, context: CommandContext): Promise<RunProfile[]> {
  if (filtered)
    throw new UsageError(
      '--base-history: the stored runs cannot be filtered (--pid, --tid, --focus, --exclude, --from, --to apply to traces)',
    );
  if (!Number.isInteger(args.last) || args.last < 1)
    throw new UsageError('--last takes a whole number of runs (1 or more)');
  const { DEFAULT_STORE } = await import('../../history/store.js');
  const store = args.store ?? DEFAULT_STORE;
  const { openHistory, EmptyHistoryError } = await import('../../history/history-db.js');
  const { lastRunsOfBranch, runDocument } = await import('../../history/run-documents.js');
  const { profileFromJson } = await import('../../diff/run-profile.js');
  let ids: string[];
  try {
    const engine = await openHistory(store, ['added', 'labels']);
    try {
      ids = await lastRunsOfBranch(engine, args.branch, args.last);
    } finally {
      engine.close();
    }
  } catch (error) {
    if (error instanceof EmptyHistoryError)
      throw new TraceInputError(store, undefined, error.message.replace(/^the history \S+ /, ''));
    throw error;
  }
  if (ids.length === 0)
    throw new UsageError(
      `--base-history: no run in ${store} has the label branch=${args.branch} (add runs with pyflame history add RESULT --label branch=${args.branch})`,
    );
  context.stderr.write(
    `pyflame: BASE: the last ${ids.length} run${ids.length === 1 ? '' : 's'} of branch ${terminalText(args.branch)} in ${terminalText(store)}${ids.length < args.last ? ` (of ${args.last} asked)` : ''}\n`,
  );
  const runs: RunProfile[] = [];
  // In the order they were added (as --base lists its runs: one order, whatever the history).
  for (const id of ids.reverse()) runs.push(profileFromJson(await runDocument(store, id), `history:${id}`));
  return runs;
}

/**
 * The runs of each side: BASE and HEAD (one each, as always), or --base and --head (one or more
 * each, quoted globs expanded here, sorted). Mixing the two, a side left empty, a glob matching
 * nothing and one file on both sides are usage errors.
 */
function runPaths(args: DiffArgs): { bases: string[]; heads: string[] } {
  const positional = args.BASE !== undefined || args.HEAD !== undefined;
  const named = args.base !== undefined || args.head !== undefined;
  if (positional && named)
    throw new UsageError(
      'give BASE HEAD, or --base and --head, not both (--base RUN... --head RUN... for several runs per side)',
    );
  if (!named) {
    if (args.BASE === undefined || args.HEAD === undefined)
      throw new UsageError('diff needs two runs: pyflame diff BASE HEAD, or --base RUN... --head RUN...');
    return { bases: [tracePath(args.BASE)], heads: [tracePath(args.HEAD)] };
  }
  const side = (flag: 'base' | 'head'): string[] => {
    const values = (args[flag] ?? []).map(String);
    if (values.length === 0)
      throw new UsageError(`--${flag} needs at least one run (a trace, a --json result or a quoted glob)`);
    return values.flatMap((value) => {
      const paths = expandRunPath(tracePath(value));
      if (paths.length === 0) throw new UsageError(`--${flag} ${value}: the pattern matches no file`);
      return paths;
    });
  };
  const bases = side('base');
  const heads = side('head');
  for (const [flag, paths] of [
    ['BASE', bases],
    ['HEAD', heads],
  ] as const) {
    const seen = new Set<string>();
    for (const path of paths.filter((p) => p !== '-')) {
      if (seen.has(resolve(path))) throw new UsageError(`${path} is given twice as a run of ${flag}`);
      seen.add(resolve(path));
    }
  }
  const baseSet = new Set(bases.filter((p) => p !== '-').map((p) => resolve(p)));
  const both = heads.find((p) => p !== '-' && baseSet.has(resolve(p)));
  if (both !== undefined)
    throw new UsageError(`${both} is given as a run of both BASE and HEAD; a run belongs to one side`);
  return { bases, heads };
}
