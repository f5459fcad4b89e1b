import type { Argv } from 'yargs';
import { foldedFlameGraphSvg } from '../../export/svg/folded-graph.js';
import { readFolded } from '../../folded/read-folded.js';
import type { CommandContext } from '../command-context.js';
import { checkDestinations, destination, outputName, writeText } from '../destination.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { tracePath } from '../read-flags.js';
import { formatWarnings } from '../terminal.js';
import { traceGivenAsFolded } from '../wrong-command.js';

export interface FlamegraphArgs {
  files: string[];
  svg?: string;
  minwidth: number;
  inverted: boolean;
  title?: string;
  unit: string;
}

/** A folded file's output name: `perf.folded.gz` → `perf`, `app.txt` → `app`. */
export const foldedOutputName = (path: string) => outputName(path, /\.(folded|txt)$/i);

export const flamegraphCommand = {
  command: 'flamegraph <files..>',
  describe: "Draw other tools' folded stacks (flamegraph.pl / inferno format) as pyflame's interactive SVG flame graph",
  builder: (yargs: Argv) =>
    yargs
      .positional('files', { type: 'string', array: true, describe: 'folded stacks, "frame;frame;... COUNT" per line (.gz accepted; - for stdin)' })
      .option('svg', { type: 'string', describe: 'write the SVG: to PATH, to out/<name>.svg without one, to stdout with - (the default output)' })
      .option('minwidth', { type: 'number', default: 0.1, describe: 'leave out frames narrower than PCT percent of the whole graph' })
      .option('inverted', { type: 'boolean', default: false, describe: 'an icicle graph (root at the top)' })
      .option('title', { type: 'string', describe: "the graph's title (default: the file's name)" })
      .option('unit', { type: 'string', default: 'samples', describe: 'what a count is: samples, or a time unit (ns, us/µs, ms, s) shown as durations; µs for pyflame --folded' })
      .example('$0 flamegraph perf.folded --svg', 'out/perf.svg')
      .example('$0 flamegraph out/trace.folded --unit µs --svg', "pyflame's own --folded (self time in µs)")
      .example('inferno-collapse-perf perf.data.txt | $0 flamegraph - --svg - > graph.svg', 'from stdin to stdout')
      .epilog('Put --svg after the files (or write --svg=PATH): a word after it is taken as its path. See docs/flamegraphs.md.'),
  async run(args: FlamegraphArgs, context: CommandContext): Promise<number> {
    const files = (args.files ?? []).map((file) => tracePath(file));
    if (files.length === 0) throw new UsageError('name at least one folded file (- reads stdin)');
    if (files.filter((file) => file === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
    if (typeof args.minwidth !== 'number' || !Number.isFinite(args.minwidth) || args.minwidth < 0 || args.minwidth > 100) throw new UsageError(`--minwidth takes a percentage from 0 to 100; got ${String(args.minwidth)}`);
    const unit = String(args.unit);
    if (unit.trim() === '' || unit.length > 40 || /[\x00-\x1f\x7f-\x9f]/.test(unit)) throw new UsageError('--unit takes a short name such as samples, µs or ms');
    if (Array.isArray(args.title)) throw new UsageError('--title is given more than once');
    if (args.title !== undefined && files.length > 1) throw new UsageError('--title names one graph; give one file per run');
    // The SVG is what this command makes: written to out/<name>.svg even without --svg.
    const svgTo = destination('svg', args.svg ?? '', files, '.svg', { nameOf: foldedOutputName, noun: 'files', command: 'draw' });
    checkDestinations(files.map((file) => ({ flag: '--svg', to: svgTo(file) })), files, context);
    for (const file of files) {
      const profile = await readFolded(file, { stdin: context.stdin }).catch((error: unknown) => {
        throw traceGivenAsFolded(error, file);
      });
      for (const line of formatWarnings(profile.source, profile.warnings)) context.stderr.write(`${line}\n`);
      const title = args.title ?? foldedOutputName(file);
      await writeText(svgTo(file), () => foldedFlameGraphSvg(profile, { title, unit, minWidthPercent: args.minwidth, inverted: args.inverted }), context);
    }
    return ExitCode.Ok;
  },
};
