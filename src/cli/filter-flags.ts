import type { Argv } from 'yargs';
import type { AnalysisFilters } from '../analyze/filters.js';
import { UsageError } from './exit-codes.js';
import { parseDurationFlag, parseIdFlag, parseRegexFlag } from './flag-values.js';
import { formatDuration } from '../text/units.js';

/** The filter flags as yargs hands them over (shared by analyze and view). */
export interface FilterArgs {
  pid?: (number | string)[];
  tid?: (number | string)[];
  focus?: string;
  exclude?: string;
  from?: string;
  to?: string;
}

/** The names of the filter flags, for commands that must refuse them in some cases. */
export const FILTER_FLAGS = ['pid', 'tid', 'focus', 'exclude', 'from', 'to'] as const;

/** Declares --pid, --tid, --focus, --exclude, --from and --to. */
export function filterFlags<T>(yargs: Argv<T>) {
  return yargs
    .option('pid', { type: 'string', array: true, describe: 'keep only this process (repeatable)' })
    .option('tid', { type: 'string', array: true, describe: 'keep only this thread (repeatable)' })
    .option('focus', {
      type: 'string',
      describe: 'keep only calls under a function matching REGEX (name, file or file:name), re-rooted there',
    })
    .option('exclude', { type: 'string', describe: 'hide functions matching REGEX; their time goes to their caller' })
    .option('from', {
      type: 'string',
      describe: 'ignore events before this time from the trace start (123 = ns, 5us, 1.5ms, 2s)',
    })
    .option('to', { type: 'string', describe: 'ignore events after this time from the trace start' });
}

/** The analysis filters the flags ask for, and a description of each for the report's header. */
export function filtersFrom(args: FilterArgs): { filters: AnalysisFilters; described: string[] } {
  const pids = parseIdFlag('pid', args.pid);
  const tids = parseIdFlag('tid', args.tid);
  const focus = args.focus === undefined ? undefined : parseRegexFlag('focus', args.focus);
  const exclude = args.exclude === undefined ? undefined : parseRegexFlag('exclude', args.exclude);
  if (focus !== undefined && focus.source === '(?:)')
    throw new UsageError('--focus needs a regular expression (a function name, file or file:name pattern)');
  if (exclude !== undefined && exclude.source === '(?:)')
    throw new UsageError('--exclude needs a regular expression (a function name, file or file:name pattern)');
  const fromNs = args.from === undefined ? undefined : parseDurationFlag('from', args.from);
  const toNs = args.to === undefined ? undefined : parseDurationFlag('to', args.to);
  if (fromNs !== undefined && toNs !== undefined && toNs < fromNs)
    throw new UsageError(`--to (${args.to}) is before --from (${args.from})`);
  const described: string[] = [];
  if (pids !== undefined) described.push(`pid ${pids.join(', ')}`);
  if (tids !== undefined) described.push(`tid ${tids.join(', ')}`);
  if (focus !== undefined) described.push(`focus /${focus.source}/`);
  if (exclude !== undefined) described.push(`exclude /${exclude.source}/`);
  if (fromNs !== undefined) described.push(`from ${formatDuration(fromNs)}`);
  if (toNs !== undefined) described.push(`to ${formatDuration(toNs)}`);
  return { filters: { pids, tids, focus, exclude, fromNs, toNs }, described };
}
