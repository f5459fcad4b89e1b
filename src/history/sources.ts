import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyzeTrace, type AnalyzeOptions } from '../analyze/analyze.js';
import { isAnalysisJson } from '../diff/load-run.js';
import { documentRows, runRows, type RunLabel } from '../export/parquet/analysis-tables.js';
import { ParquetEngine, sqlPath } from '../export/parquet/duckdb-engine.js';
import { tableFileName } from '../export/parquet/write-tables.js';
import { TraceInputError } from '../model/diagnostics.js';
import { isGzip } from '../text/sniff.js';
import { RUN_ID, type RunSource } from './store.js';

/**
 * The runs of one RESULT of `history add`: an `analyze --parquet` folder (its runs, labels as
 * written), a saved `analyze --json` result, or a trace (analysed here); the last two get `labels`.
 */
export async function runSourcesOf(
  path: string,
  labels: readonly RunLabel[],
  options: AnalyzeOptions = {},
): Promise<RunSource[]> {
  if (existsSync(path) && statSync(path).isDirectory()) {
    if (labels.length > 0)
      throw new TraceInputError(
        path,
        undefined,
        'is a Parquet folder: its runs keep the labels they were written with (give --label to analyze --parquet)',
      );
    return parquetRuns(path);
  }
  if (await isAnalysisJson(path)) return [{ kind: 'rows', ...documentRows(await savedDocument(path), labels) }];
  return [{ kind: 'rows', ...runRows({ analysis: await analyzeTrace(path, options), labels }) }];
}

async function savedDocument(path: string): Promise<Record<string, unknown>> {
  let bytes = await readFile(path);
  if (isGzip(bytes)) bytes = gunzipSync(bytes);
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new TraceInputError(path, undefined, `is not valid JSON (${(error as Error).message})`);
  }
  if (document === null || typeof document !== 'object' || typeof document.trace !== 'object')
    throw new TraceInputError(path, undefined, 'is not a pyflame analyze --json result');
  if ('merge' in document)
    throw new TraceInputError(
      path,
      undefined,
      'is a pyflame merge result (many runs in one): add the runs themselves to the history',
    );
  return document;
}

/** The run ids of an `analyze --parquet` folder, each checked to be one pyflame wrote. */
async function parquetRuns(dir: string): Promise<RunSource[]> {
  const runs = join(dir, tableFileName('runs'));
  if (!existsSync(runs))
    throw new TraceInputError(dir, undefined, 'is a folder without runs.parquet (not an analyze --parquet folder)');
  const engine = await ParquetEngine.open();
  try {
    const rows = await engine.rows(
      `SELECT DISTINCT run_id, schema_version FROM read_parquet(${sqlPath(runs)}) ORDER BY run_id`,
    );
    return rows.map((row) => {
      const runId = String(row.run_id);
      if (!RUN_ID.test(runId) || Number(row.schema_version) !== 1)
        throw new TraceInputError(dir, undefined, 'holds a run that is not one of pyflame Parquet schema 1');
      return { kind: 'parquet', runId, dir };
    });
  } finally {
    engine.close();
  }
}
