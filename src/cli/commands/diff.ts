import type { Argv } from 'yargs';
import { compareRuns } from '../../diff/compare.js';
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

/** The flags as yargs hands them over; the output flags (--json, --markdown, --svg) are read by DIFF_OUTPUTS' flag names. */
export interface DiffArgs extends FilterArgs {
  base: string;
  head: string;
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
  command: 'diff <base> <head>',
  describe:
    'Compare two runs (traces or --json results): what got slower, called more, or collected more; gate CI with --fail-on',
  builder: (yargs: Argv) =>
    declareOutputFlags(
      filterFlags(readOptionFlags(yargs))
        .positional('base', {
          type: 'string',
          describe: 'the run before: a trace (any format, .gz) or a pyflame analyze --json result',
        })
        .positional('head', { type: 'string', describe: 'the run after, likewise' })
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
      .option('minwidth', minWidthOption('SVG: leave out frames narrower than PCT percent of the whole graph'))
      .option('inverted', invertedOption('SVG: '))
      .example('$0 diff base.txt head.txt', 'what changed, biggest regressions first')
      .example(
        "$0 diff base.json head.txt --fail-on 'calls>0' --fail-on 'self>10%'",
        'CI: exit 1 when a function is called more or its self time grew by 10% (and by the noise floor)',
      )
      .example('$0 diff base.txt head.txt --markdown - >> "$GITHUB_STEP_SUMMARY"', 'a GitHub job summary')
      .epilog(
        'Exit status: 0 no rule fired, 1 a rule fired, 2 unreadable input or a bad rule. Functions are matched by file and name (not line); a renamed file by the functions in it. See docs/ci.md.',
      ),
  async run(args: DiffArgs, context: CommandContext): Promise<number> {
    const base = tracePath(args.base);
    const head = tracePath(args.head);
    stdinAtMostOnce([base, head]);
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
    const outputs = planOutputs(DIFF_OUTPUTS, args, [head], { reads: [base, head] });
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
    // One after the other: each already parses on a second thread while this one analyzes.
    const baseRun = await load(base);
    const headRun = await load(head);
    const diff = compareRuns(baseRun, headRun, { normalize: args.normalize, ignore, renames: args.renames });
    const gate: Gate = { rules, minDeltaNs: minDeltaNs ?? defaultMinDelta(baseRun), minGcDeltaNs };
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
