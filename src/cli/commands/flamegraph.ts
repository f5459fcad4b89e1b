import type { Argv } from 'yargs';
import { foldedFlameGraphSvg, PALETTES, type PaletteName } from '../../export/svg/folded-graph.js';
import { readFolded } from '../../folded-input/read-folded.js';
import { TraceInputError } from '../../model/diagnostics.js';
import type { CommandContext } from '../command-context.js';
import { checkDestinations, destination, outputName, writeText } from '../destination.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { tracePath } from '../read-flags.js';
import {
  DEFAULT_MIN_WIDTH_PERCENT,
  invertedOption,
  minWidthPercent as minWidthOrPixels,
  onlyOnce,
  PIXELS_WIDE,
  stdinAtMostOnce,
} from '../shared-flags.js';
import { formatWarnings } from '../../export/terminal/warnings.js';
import { traceGivenAsFolded } from '../wrong-command.js';

export interface FlamegraphArgs {
  files?: string[];
  svg?: string;
  minwidth: string | number;
  inverted: boolean;
  title?: string;
  subtitle?: string;
  unit: string;
  colors?: string;
  hash: boolean;
  reverse: boolean;
  flamechart: boolean;
  factor: number;
  negate: boolean;
  notes?: string;
  width?: number;
  height?: number;
  fontsize?: number;
  fonttype?: string;
  nametype?: string;
}

/** A folded file's output name: `perf.folded.gz` → `perf`, `app.txt` → `app`. */
export const foldedOutputName = (path: string) => outputName(path, /\.(folded|txt)$/i);

/**
 * --minwidth in percent of the graph: a plain number is a percentage (pyflame's meaning), `Npx`
 * pixels of a 1200-pixel graph (flamegraph.pl's meaning, where the default is 0.1 px).
 */
export const minWidthPercent = (value: string | number, widthPx = PIXELS_WIDE): number =>
  minWidthOrPixels(value, { pixels: true, widthPx });

/** A positive number within [min, max] for `--flag`, or a usage error saying so. */
function sizeFlag(flag: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new UsageError(`--${flag} takes a number from ${min} to ${max}; got ${String(value)}`);
  return value;
}

/** A short text flag (a font list, a label): no control characters, at most 100 characters. */
function textFlag(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (text.length > 100 || /[\x00-\x1f\x7f-\x9f]/.test(text))
    throw new UsageError(`--${flag} takes a short text without control characters`);
  return text;
}

export const flamegraphCommand = {
  command: 'flamegraph [files..]',
  describe: "Draw other tools' folded stacks (flamegraph.pl / inferno format) as pyflame's interactive SVG flame graph",
  builder: (yargs: Argv) =>
    yargs
      .positional('files', {
        type: 'string',
        array: true,
        describe:
          'folded stacks, "frame;frame;... COUNT" per line (.gz accepted; - or none: stdin); several are merged into one graph',
      })
      .option('svg', {
        type: 'string',
        describe:
          'write the SVG: to PATH, to out/<name>.svg without one, to stdout with -. Default: stdout when it is not a terminal, else out/<name>.svg',
      })
      .option('minwidth', {
        type: 'string',
        default: String(DEFAULT_MIN_WIDTH_PERCENT),
        describe: `leave out frames narrower than PCT percent of the whole graph (or Npx: pixels of a ${PIXELS_WIDE}-pixel graph)`,
      })
      .option('inverted', invertedOption())
      .option('title', { type: 'string', describe: "the graph's title (default: the file's name)" })
      .option('subtitle', {
        type: 'string',
        describe: 'the line under the title (default: unit, total and distinct stacks)',
      })
      .option('unit', {
        type: 'string',
        alias: 'countname',
        default: 'samples',
        describe:
          'what a count is: samples, bytes..., or a time unit (ns, us/µs, ms, s) shown as durations; µs for pyflame --folded',
      })
      .option('colors', {
        type: 'string',
        alias: ['palette', 'color'],
        describe: `the palette: ${PALETTES.join(', ')} (default: python when the frames are Python, else by language)`,
      })
      .option('hash', {
        type: 'boolean',
        default: false,
        describe: 'colours from a hash of the name (always so in pyflame: accepted for flamegraph.pl habits)',
      })
      .option('reverse', { type: 'boolean', default: false, describe: 'reverse each stack (merge from the leaf)' })
      .option('flamechart', {
        type: 'boolean',
        default: false,
        describe: 'a flame chart: stacks in input order, merged only with the one before',
      })
      .option('factor', { type: 'number', default: 1, describe: 'multiply every count by this' })
      .option('negate', {
        type: 'boolean',
        default: false,
        describe: 'differential input: swap the colours (red: shrank, blue: grew)',
      })
      .option('notes', { type: 'string', describe: 'text kept in the SVG (a <desc> element)' })
      .option('width', {
        type: 'number',
        describe: 'a fixed width in pixels (default: as wide as the window); Npx of --minwidth are of it',
      })
      .option('height', { type: 'number', describe: "a frame's height in pixels (default 16)" })
      .option('fontsize', { type: 'number', describe: "the frames' font size in pixels (default 12)" })
      .option('fonttype', { type: 'string', describe: "the frames' font, a CSS font list (default: monospace)" })
      .option('nametype', {
        type: 'string',
        describe: "put before a frame's name on the details line (flamegraph.pl's Function:; default none)",
      })
      .example('$0 flamegraph perf.folded > perf.svg', 'as flamegraph.pl')
      .example('$0 flamegraph perf.folded --svg', 'out/perf.svg')
      .example('$0 flamegraph a.folded b.folded --svg both.svg', 'several inputs: one graph')
      .example('$0 flamegraph out/trace.folded --unit µs --svg', "pyflame's own --folded (self time in µs)")
      .example('inferno-collapse-perf perf.data.txt | $0 flamegraph > graph.svg', 'from stdin to stdout')
      .example('difffolded.pl before.folded after.folded | $0 flamegraph > diff.svg', 'a differential flame graph')
      .epilog(
        'Put --svg after the files (or write --svg=PATH): a word after it is taken as its path. See docs/flamegraphs.md.',
      ),
  async run(args: FlamegraphArgs, context: CommandContext): Promise<number> {
    let files = (args.files ?? []).map((file) => tracePath(file));
    if (files.length === 0) {
      if ((context.stdin as { isTTY?: boolean }).isTTY === true)
        throw new UsageError('name a folded file, or pipe folded stacks in (- reads stdin)');
      files = ['-'];
    }
    stdinAtMostOnce(files);
    for (const flag of [
      'minwidth',
      'title',
      'subtitle',
      'unit',
      'colors',
      'factor',
      'notes',
      'width',
      'height',
      'fontsize',
      'fonttype',
      'nametype',
    ] as const)
      onlyOnce(flag, args[flag]);
    const widthPx = sizeFlag('width', args.width, 100, 100_000);
    const frameHeight = sizeFlag('height', args.height, 4, 200);
    const fontSize = sizeFlag('fontsize', args.fontsize, 4, 100);
    const fontFamily = textFlag('fonttype', args.fonttype);
    const nameType = textFlag('nametype', args.nametype);
    const minWidth = minWidthPercent(args.minwidth, widthPx);
    const unit = String(args.unit);
    if (unit.trim() === '' || unit.length > 40 || /[\x00-\x1f\x7f-\x9f]/.test(unit))
      throw new UsageError('--unit takes a short name such as samples, µs or ms');
    const palette = args.colors === undefined ? undefined : String(args.colors).toLowerCase();
    if (palette !== undefined && !(PALETTES as readonly string[]).includes(palette))
      throw new UsageError(`--colors takes one of ${PALETTES.join(', ')}; got "${args.colors}"`);
    if (typeof args.factor !== 'number' || !Number.isFinite(args.factor) || args.factor <= 0)
      throw new UsageError(`--factor takes a positive number; got ${String(args.factor)}`);
    // flamegraph.pl writes to stdout; a terminal gets the file instead (an SVG there is unreadable).
    const toTerminal = (context.stdout as { isTTY?: boolean }).isTTY === true;
    const svgFlag = args.svg ?? (toTerminal ? '' : '-');
    // Several inputs make one graph, named after the first.
    const svgTo = destination('svg', svgFlag, [files[0]], '.svg', {
      nameOf: foldedOutputName,
      noun: 'files',
      command: 'draw',
    });
    checkDestinations([{ flag: '--svg', to: svgTo(files[0]) }], files, context);
    const profile = await readFolded(files, {
      stdin: context.stdin,
      reverse: args.reverse,
      flamechart: args.flamechart,
      factor: args.factor,
    }).catch((error: unknown) => {
      // The input refused (a trace given by mistake) gets the command that reads it.
      const refused =
        error instanceof TraceInputError
          ? files.find((file) => (file === '-' ? '<stdin>' : file) === error.file)
          : undefined;
      throw traceGivenAsFolded(error, refused ?? files[0]);
    });
    for (const input of profile.inputs)
      for (const line of formatWarnings(input.source, input.warnings)) context.stderr.write(`${line}\n`);
    const more = files.length > 1 ? ` + ${files.length - 1} more` : '';
    const title = args.title ?? `${foldedOutputName(files[0])}${more}`;
    const options = {
      title,
      subtitle: args.subtitle,
      unit,
      minWidthPercent: minWidth,
      inverted: args.inverted,
      palette: palette as PaletteName | undefined,
      flamechart: args.flamechart,
      negate: args.negate,
      notes: args.notes,
      widthPx,
      frameHeight,
      fontSize,
      fontFamily,
      nameType,
    };
    await writeText(svgTo(files[0]), () => foldedFlameGraphSvg(profile, options), context);
    return ExitCode.Ok;
  },
};
