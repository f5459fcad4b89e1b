import { open, readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { analyzeTrace, type AnalyzeOptions } from '../analyze/analyze.js';
import { analysisToJson } from '../export/analysis-json.js';
import { TraceInputError } from '../model/diagnostics.js';
import { profileFromJson, type RunProfile } from './run-profile.js';
import { isGzip, looksLikeJson } from '../text/sniff.js';

/**
 * Is this file a `--json` result rather than a trace? Its first non-blank byte (after a UTF-8
 * byte-order mark) is `{` (or `[`: JSON, if not ours, which the JSON reader then says); gzip-compressed, its name ends in `.json.gz`. A pipe (`<(zcat …)`) is
 * never peeked at, which would eat what the trace reader needs: it is read as a trace.
 */
export async function isAnalysisJson(path: string): Promise<boolean> {
  if (path === '-') return false;
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new TraceInputError(
      path,
      undefined,
      error.code === 'ENOENT' ? 'no such file' : `cannot be read (${error.code ?? error.message})`,
    );
  });
  try {
    if (!(await handle.stat()).isFile()) return false;
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (isGzip(bytes)) return /\.json\.gz$/i.test(path);
    return looksLikeJson(bytes.toString('utf8'));
  } finally {
    await handle.close();
  }
}

/**
 * One side of a diff, from a trace (analyzed with the given options) or from a saved
 * `pyflame analyze --json` result (.json or .json.gz), told apart by their content.
 */
export async function loadRun(
  path: string,
  options: AnalyzeOptions & { readonly filtered: boolean },
): Promise<RunProfile> {
  if (await isAnalysisJson(path)) {
    if (options.filtered)
      throw new TraceInputError(
        path,
        undefined,
        'is a saved --json result: --pid, --tid, --focus, --exclude, --from and --to apply to traces only (filter when the result is written, with pyflame analyze)',
      );
    let bytes = await readFile(path);
    if (isGzip(bytes)) bytes = gunzipSync(bytes);
    let document: unknown;
    try {
      document = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new TraceInputError(path, undefined, `is not valid JSON (${(error as Error).message})`);
    }
    // Named by the file given (the document also names the trace it was made from).
    return { ...profileFromJson(document, path), source: path };
  }
  const analysis = await analyzeTrace(path, options);
  return profileFromJson(analysisToJson(analysis), path);
}
