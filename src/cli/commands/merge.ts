import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Argv } from 'yargs';
import { expandRunPath } from '../../diff/run-paths.js';
import { analysisDocumentText } from '../../export/analysis-json.js';
import { reportWidth } from '../../export/terminal/report.js';
import { mergedFoldedText } from '../../merge/merged-folded.js';
import { renderMergeReport } from '../../merge/merge-report.js';
import { mergeResults } from '../../merge/merge.js';
import { colorWanted } from '../color-wanted.js';
import type { CommandContext } from '../command-context.js';
import { checkDestinations, destination, writeText, type Destination } from '../destination.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { readOptionFlags, readOptionsFrom, tracePath } from '../read-flags.js';
import { stdinAtMostOnce, topOption, topRows } from '../shared-flags.js';

export interface MergeArgs {
  inputs?: string[];
  json?: string;
  folded?: string;
  svg?: string;
  html?: string;
  top: number;
  format?: string;
  'reorder-window'?: number;
}

/** The outputs' names without a path: out/merged.json, out/merged.folded, out/merged.svg. */
const MERGED_NAME = 'merged';

const outputOption = (what: string) => ({
  type: 'string' as const,
  describe: `write ${what}: to PATH, to out/${MERGED_NAME}.* without one, to stdout with -`,
});

export const mergeCommand = {
  command: 'merge [inputs..]',
  describe:
    'Add many runs (traces or --json results) up into one result: summed functions, call paths, GC and imports, percentiles from merged sketches',
  builder: (yargs: Argv) =>
    readOptionFlags(yargs)
      .positional('inputs', {
        type: 'string',
        array: true,
        describe:
          "runs: traces (any format, .gz; analyzed first), pyflame analyze --json results or pyflame merge --json results, or a quoted glob ('runs/*.json')",
      })
      .option('json', outputOption('the merged result as analyze --json (schema analysis-v2, with its merge part)'))
      .option('folded', outputOption('the merged folded stacks (self time in µs)'))
      .option('svg', outputOption('the merged flame graph (SVG)'))
      .option('html', outputOption('one offline page: the flame graph, functions, GC and the runs'))
      .option('top', topOption(20))
      .example('$0 merge runs/*.json --json fleet.json --svg fleet.svg', 'one result and one flame graph for many runs')
      .example("$0 merge 'hosts/*/trace.txt' --folded -", 'traces analyzed one by one, merged stacks on stdout')
      .example('$0 merge day1.json day2.json --json week.json', 'merge results of merges (reduce anywhere, then here)')
      .epilog(
        'Counts and times are exact sums; percentiles are approximate (within 1%, from merged sketches). Per-run timelines (GC pauses, thread times) are not merged. See docs/merge.md.',
      ),
  async run(args: MergeArgs, context: CommandContext): Promise<number> {
    const inputs = inputPaths(args.inputs ?? []);
    stdinAtMostOnce(inputs);
    const top = topRows(args.top);
    const to = (flag: 'json' | 'folded' | 'svg' | 'html', suffix: string): Destination =>
      destination(flag, args[flag], [MERGED_NAME], suffix, {
        nameOf: (name) => name,
        noun: 'results',
        command: 'merge',
      })(MERGED_NAME);
    const outputs = [
      { flag: '--json', to: to('json', '.json') },
      { flag: '--folded', to: to('folded', '.folded') },
      { flag: '--svg', to: to('svg', '.svg') },
      { flag: '--html', to: to('html', '.html') },
    ];
    const { toStdout } = checkDestinations(outputs, inputs, context);
    const readOptions = readOptionsFrom(args, context);
    const document = await mergeResults(inputs, {
      ...readOptions,
      onInput: (path, index) => {
        if (inputs.length > 1)
          context.stderr.write(`pyflame: merging ${index + 1}/${inputs.length}: ${path === '-' ? '<stdin>' : path}\n`);
      },
    });
    const [json, folded, svg, html] = outputs.map((output) => output.to);
    let stacks: string | undefined;
    const foldedStacks = () => (stacks ??= mergedFoldedText(document));
    // Checked before anything is written: no output of a failed run is left behind.
    const drawing = [svg, html].findIndex((to) => to.kind !== 'none');
    if (drawing >= 0 && foldedStacks() === '')
      throw new UsageError(
        `${drawing === 0 ? '--svg' : '--html'}: the runs have no call stacks with time to draw (counts-only traces, or --json results written before call paths were recorded)`,
      );
    await writeText(json, () => analysisDocumentText(document), context);
    await writeText(folded, foldedStacks, context);
    let drawn: string | undefined;
    const flameGraph = async () => (drawn ??= await mergedFlameGraph(document, foldedStacks()));
    await writeText(svg, flameGraph, context);
    await writeText(
      html,
      async () => (await import('../../merge/merge-html.js')).mergeHtmlPage(document, await flameGraph()),
      context,
    );
    if (!toStdout)
      context.stdout.write(
        renderMergeReport(document, { top, color: colorWanted(context.stdout), width: reportWidth(context.stdout) }),
      );
    return ExitCode.Ok;
  },
};

/** The merged call paths as pyflame's interactive SVG flame graph (self time in µs). */
async function mergedFlameGraph(document: Record<string, unknown>, stacks: string): Promise<string> {
  const { readFolded } = await import('../../folded-input/read-folded.js');
  const { foldedFlameGraphSvg } = await import('../../export/svg/folded-graph.js');
  const profile = await readFolded(['-'], { stdin: Readable.from([stacks]) });
  const runs = (document.merge as { runs: unknown[] }).runs.length;
  return foldedFlameGraphSvg(profile, { title: `pyflame merge: ${runs} runs`, unit: 'µs' });
}

/** The inputs, quoted globs expanded; none, a glob matching nothing, or one file twice: usage errors. */
function inputPaths(values: readonly string[]): string[] {
  if (values.length === 0)
    throw new UsageError('merge needs at least one run: pyflame merge RUN... (traces or --json results)');
  const paths = values.flatMap((value) => {
    const path = tracePath(value);
    const expanded = path === '-' ? [path] : expandRunPath(path);
    if (expanded.length === 0) throw new UsageError(`${value}: the pattern matches no file`);
    return expanded;
  });
  const seen = new Set<string>();
  for (const path of paths.filter((p) => p !== '-')) {
    if (seen.has(resolve(path)))
      throw new UsageError(`${path} is given twice: each run is added once (copy it to count it twice)`);
    seen.add(resolve(path));
  }
  return paths;
}
