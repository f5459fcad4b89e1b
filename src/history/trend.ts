import type { ParquetEngine } from '../export/parquet/duckdb-engine.js';

/** A function as the user names it: `NAME`, or `FILE:NAME` (FILE the whole path or its end). */
export interface FunctionChoice {
  readonly name: string;
  readonly file: string | null;
}

/** `parse` or `app/parser.py:parse`: split at the last `:` (Python names hold none). */
export function functionChoice(text: string): FunctionChoice {
  const at = text.lastIndexOf(':');
  return at <= 0 ? { name: text, file: null } : { name: text.slice(at + 1), file: text.slice(0, at) };
}

/** No stored run has the function, or the name is in several files: the CLI says which (exit 2). */
export class FunctionChoiceError extends Error {
  override name = 'FunctionChoiceError';
}

/** One point of a trend: a run, or (with `by`) the runs of one label value, their medians. */
export interface TrendPoint {
  /** The label's value, or the run's id without `by`. */
  readonly key: string;
  readonly runs: number;
  /** Runs of this point in which the function ran. */
  readonly present: number;
  readonly selfNs: number;
  readonly totalNs: number;
  readonly calls: number;
  /** The first of its runs' place in the history (1 = added first). */
  readonly added: number;
}

interface RunFigures {
  added: number;
  label: string | null;
  present: boolean;
  selfNs: number;
  totalNs: number;
  calls: number;
}

export interface Trend {
  readonly name: string;
  /** Its file (the files FILE:NAME matched, comma-separated). */
  readonly file: string;
  readonly by: string | null;
  readonly points: TrendPoint[];
  /** With `by`: runs left out for not having that label. */
  readonly runsWithoutLabel: number;
}

export interface TrendOptions {
  /** A label key: one point per value of it, in order of the first run added with it. */
  readonly by?: string;
  /** `value`: points sorted by the label's value (as numbers when all are) instead. */
  readonly order?: 'added' | 'value';
}

// A file matches when it is the path given or ends with `/` and it.
const FILE_MATCH = "($2::VARCHAR IS NULL OR file = $2 OR suffix(file, '/' || $2))";

/** An unknown function (with names like it) or one of several files: the error that says so. */
async function choiceError(engine: ParquetEngine, choice: FunctionChoice, files: readonly string[]) {
  const shown = choice.file === null ? choice.name : `${choice.file}:${choice.name}`;
  if (files.length > 1)
    return new FunctionChoiceError(
      `${shown} is a function of several files (${files.slice(0, 10).join(', ')}${files.length > 10 ? ', ...' : ''}): name one as FILE:${choice.name}`,
    );
  const near = await engine.rows(
    'SELECT DISTINCT name FROM functions WHERE contains(lower(name), lower($1)) ORDER BY name LIMIT 5',
    [choice.name],
  );
  return new FunctionChoiceError(
    `no run in the history has a function ${shown}${near.length > 0 ? ` (functions named like it: ${near.map((row) => String(row.name)).join(', ')})` : ''}`,
  );
}

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A function's self time, total time and calls in every stored run, in the order they were added;
 * with `by`, one point per value of that label (the median of its runs, 0 where the function did
 * not run). The function's name and file reach the query as parameters, never as SQL text.
 */
export async function functionTrend(
  engine: ParquetEngine,
  choice: FunctionChoice,
  options: TrendOptions = {},
): Promise<Trend> {
  // One pass over every run's functions (the files are what a query over many runs pays for).
  const rows = await engine.rows(
    `WITH f AS (
       SELECT run_id, file, sum(self_ns) AS self_ns, sum(total_ns) AS total_ns, sum(calls) AS calls
       FROM functions WHERE name = $1 AND ${FILE_MATCH} GROUP BY run_id, file)
     SELECT a.run_id, a.added, l.value AS label, f.file,
            coalesce(f.self_ns, 0) AS self_ns, coalesce(f.total_ns, 0) AS total_ns, coalesce(f.calls, 0) AS calls
     FROM added a LEFT JOIN f USING (run_id) LEFT JOIN labels l ON l.run_id = a.run_id AND l.key = $3
     ORDER BY a.added, a.run_id`,
    [choice.name, choice.file, options.by ?? null],
  );
  const files = [...new Set(rows.flatMap((row) => (row.file === null ? [] : [String(row.file)])))].sort();
  // FILE:NAME takes every file it matches as the one function (a path recorded differently by
  // another recorder or machine); NAME alone must be in one file.
  if (files.length === 0 || (files.length > 1 && choice.file === null)) throw await choiceError(engine, choice, files);
  const perRun = new Map<string, RunFigures>();
  for (const row of rows) {
    const id = String(row.run_id);
    const run = perRun.get(id) ?? {
      added: Number(row.added),
      label: row.label === null ? null : String(row.label),
      present: false,
      selfNs: 0,
      totalNs: 0,
      calls: 0,
    };
    if (row.file !== null) {
      run.present = true;
      run.selfNs += Number(row.self_ns);
      run.totalNs += Number(row.total_ns);
      run.calls += Number(row.calls);
    }
    perRun.set(id, run);
  }
  const groups = new Map<string, RunFigures[]>();
  let runsWithoutLabel = 0;
  for (const [id, run] of perRun) {
    if (options.by !== undefined && run.label === null) {
      runsWithoutLabel++;
      continue;
    }
    const key = options.by === undefined ? id : (run.label ?? '');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [run]);
    else group.push(run);
  }
  const points = [...groups].map(
    ([key, runs]): TrendPoint => ({
      key,
      runs: runs.length,
      present: runs.filter((run) => run.present).length,
      selfNs: median(runs.map((run) => run.selfNs)),
      totalNs: median(runs.map((run) => run.totalNs)),
      calls: median(runs.map((run) => run.calls)),
      added: runs[0].added,
    }),
  );
  if (options.order === 'value') sortByValue(points);
  return { name: choice.name, file: files.join(', '), by: options.by ?? null, points, runsWithoutLabel };
}

/** Points by their label's value: as numbers when every value is one, else as text. */
function sortByValue(points: TrendPoint[]): void {
  const numeric = points.every((point) => point.key.trim() !== '' && Number.isFinite(Number(point.key)));
  points.sort((a, b) =>
    numeric ? Number(a.key) - Number(b.key) : a.key < b.key ? -1 : a.key > b.key ? 1 : a.added - b.added,
  );
}
