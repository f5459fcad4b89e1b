import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { analyzeTrace, type AnalyzeOptions } from '../analyze/analyze.js';
import { isAnalysisJson } from '../diff/load-run.js';
import { analysisToJson } from '../export/analysis-json.js';
import { TraceInputError } from '../model/diagnostics.js';
import { isGzip } from '../text/sniff.js';
import type { Json } from './document-fields.js';
import { RunMerger } from './merge-runs.js';

/**
 * One input of a merge as its `--json` document: a saved result (.json, .json.gz, or what
 * pyflame merge wrote), or a trace, analyzed first; told apart by their content.
 */
export async function loadResultDocument(path: string, options: AnalyzeOptions = {}): Promise<unknown> {
  // A trace: analyzed with its functions' duration sketches, which merging adds up.
  if (!(await isAnalysisJson(path))) return analysisToJson(await analyzeTrace(path, { ...options, sketches: true }));
  let bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new TraceInputError(path, undefined, `cannot be read (${error.code ?? error.message})`);
  });
  if (isGzip(bytes)) bytes = gunzipSync(bytes);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new TraceInputError(path, undefined, `is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Merges runs (traces or saved `--json` results) into one `--json` document: counts and times
 * added up exactly, percentiles from the summed sketches (within merge.percentiles.relativeError).
 * The inputs are read one at a time, in sorted order, so memory holds one run's analysis besides
 * the sums, and the result's bytes do not depend on the order the paths are given in.
 */
export async function mergeResults(
  paths: readonly string[],
  options: AnalyzeOptions & { readonly onInput?: (path: string, index: number) => void } = {},
): Promise<Json> {
  const merger = new RunMerger();
  const sorted = [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [index, path] of sorted.entries()) {
    options.onInput?.(path, index);
    merger.add(await loadResultDocument(path, options), path === '-' ? '<stdin>' : path);
  }
  return merger.result();
}

export { RunMerger };
