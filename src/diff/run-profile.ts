import { TraceInputError } from '../model/diagnostics.js';

/**
 * One side of a diff: what `pyflame diff` compares of a run, read from an analysis's `--json`
 * document (a trace is analyzed and turned into that document first, so a trace and its saved
 * JSON give the same diff).
 *
 * Functions are identified by (file, name), not by line: a change above a function moves its def
 * line, and it is still the same function. Same-named functions of one file (`<genexpr>`,
 * `<lambda>`) are told apart by their order in the file.
 */
export interface RunProfile {
  readonly source: string;
  readonly format: string;
  readonly durationNs: number;
  readonly events: number;
  readonly droppedEvents: number;
  /** Time spent in Python calls, summed over threads (the sum of self times). */
  readonly tracedNs: number;
  readonly functions: readonly ProfileFunction[];
  /** Undefined for a `--json` document written before call paths were recorded in it. */
  readonly callTree: ProfileCallTree | undefined;
  readonly gc: readonly ProfileGcGeneration[];
  readonly imports: readonly ProfileImport[];
  readonly warnings: readonly {
    readonly code: string;
    readonly message: string;
    readonly count: number;
    readonly unit: string;
    readonly lines: readonly number[];
  }[];
}

export interface ProfileFunction {
  /** file, name and (from the second same-named function of a file on) its rank: the identity across runs. */
  readonly key: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly calls: number;
  readonly selfNs: number;
  readonly totalNs: number;
  /** Null when no call was seen whole. */
  readonly p95Ns: number | null;
}

/** Merged call paths as columns; `fn` indexes the profile's functions; parents come first. */
export interface ProfileCallTree {
  readonly parent: readonly number[];
  readonly fn: readonly number[];
  readonly calls: readonly number[];
  readonly selfNs: readonly number[];
  readonly totalNs: readonly number[];
}

export interface ProfileGcGeneration {
  readonly generation: number;
  readonly count: number;
  readonly totalNs: number;
  readonly p95Ns: number;
}

/** A module's imports added up (a module imported by several processes counts each time). */
export interface ProfileImport {
  readonly module: string;
  readonly count: number;
  /** Cumulative: the module and what it imported. */
  readonly durationNs: number;
  readonly selfNs: number;
}

type Json = Record<string, unknown>;

/** Reads the parts of a `pyflame analyze --json` document that a diff compares, checking them. */
export function profileFromJson(document: unknown, path: string): RunProfile {
  const fail = (problem: string): never => {
    throw new TraceInputError(path, undefined, `not a usable pyflame analyze --json document: ${problem}`);
  };
  if (!isObject(document)) return fail('expected a JSON object');
  // 2 added the recording cost's fields; what a diff compares is the same in both.
  if (document.schemaVersion !== 1 && document.schemaVersion !== 2)
    return fail(`expected "schemaVersion": 1 or 2, found ${JSON.stringify(document.schemaVersion) ?? 'none'}`);
  const field = <T>(value: unknown, where: string, check: (v: unknown) => v is T, expected: string): T =>
    check(value) ? value : fail(`${where} should be ${expected}`);
  const source = field(document.source, 'source', isObject, 'an object');
  const trace = field(document.trace, 'trace', isObject, 'an object');
  const threads = field(document.threads, 'threads', isArray, 'an array');
  const rawFunctions = field(document.functions, 'functions', isArray, 'an array');
  const gc = field(document.gc, 'gc', isObject, 'an object');
  const imports = field(document.imports, 'imports', isArray, 'an array');
  const warnings = field(document.warnings, 'warnings', isArray, 'an array');

  const timed = rawFunctions.map((raw, i) => {
    const at = `functions[${i}]`;
    const f = field(raw, at, isObject, 'an object');
    return {
      name: field(f.name, `${at}.name`, isString, 'a string'),
      file: field(f.file, `${at}.file`, isString, 'a string'),
      line: field(f.line, `${at}.line`, isCount, 'a whole number'),
      calls: field(f.calls, `${at}.calls`, isCount, 'a whole number'),
      selfNs: field(f.selfNs, `${at}.selfNs`, isFiniteNumber, 'a number'),
      totalNs: field(f.totalNs, `${at}.totalNs`, isFiniteNumber, 'a number'),
      p95Ns:
        f.p95Ns === null || f.p95Ns === undefined
          ? null
          : field(f.p95Ns, `${at}.p95Ns`, isFiniteNumber, 'a number or null'),
    };
  });
  // A counts-only trace (SystemTap "top") has calls per function and interval, and no times.
  const parsed =
    timed.length === 0 && isObject(document.callCounts) ? countedFunctions(document.callCounts, field) : timed;
  // Same-named functions of one file (<genexpr>, <lambda>, redefinitions) are told apart by
  // their order in the file, which survives lines added above them.
  const byName = new Map<string, number[]>();
  parsed.forEach((f, i) => {
    const group = byName.get(`${f.file}\0${f.name}`);
    if (group === undefined) byName.set(`${f.file}\0${f.name}`, [i]);
    else group.push(i);
  });
  const functions: ProfileFunction[] = new Array(parsed.length);
  for (const [nameKey, group] of byName) {
    group.sort((a, b) => parsed[a].line - parsed[b].line || a - b);
    group.forEach((i, rank) => {
      functions[i] = { key: rank === 0 ? nameKey : `${nameKey}\0${rank}`, ...parsed[i] };
    });
  }

  let tracedNs = 0;
  for (const [i, raw] of threads.entries())
    tracedNs += field(
      field(raw, `threads[${i}]`, isObject, 'an object').rootTotalNs,
      `threads[${i}].rootTotalNs`,
      isFiniteNumber,
      'a number',
    );

  const byGeneration = field(gc.byGeneration, 'gc.byGeneration', isArray, 'an array').map((raw, i) => {
    const g = field(raw, `gc.byGeneration[${i}]`, isObject, 'an object');
    return {
      generation: field(g.generation, `gc.byGeneration[${i}].generation`, isCount, 'a whole number'),
      count: field(g.count, `gc.byGeneration[${i}].count`, isCount, 'a whole number'),
      totalNs: field(g.totalNs, `gc.byGeneration[${i}].totalNs`, isFiniteNumber, 'a number'),
      p95Ns: field(g.p95Ns, `gc.byGeneration[${i}].p95Ns`, isFiniteNumber, 'a number'),
    };
  });

  const importsByModule = new Map<string, { module: string; count: number; durationNs: number; selfNs: number }>();
  for (const [i, raw] of imports.entries()) {
    const record = field(raw, `imports[${i}]`, isObject, 'an object');
    const module = field(record.module, `imports[${i}].module`, isString, 'a string');
    const known = importsByModule.get(module) ?? { module, count: 0, durationNs: 0, selfNs: 0 };
    // What pyflame merge writes adds up several imports of a module in one entry.
    known.count +=
      record.count === undefined ? 1 : field(record.count, `imports[${i}].count`, isCount, 'a whole number');
    known.durationNs += field(record.durationNs, `imports[${i}].durationNs`, isFiniteNumber, 'a number');
    known.selfNs += field(record.selfNs, `imports[${i}].selfNs`, isFiniteNumber, 'a number');
    importsByModule.set(module, known);
  }

  return {
    source: typeof source.path === 'string' ? source.path : path,
    format: typeof source.format === 'string' ? source.format : 'unknown',
    durationNs: field(trace.durationNs, 'trace.durationNs', isFiniteNumber, 'a number'),
    events: field(trace.events, 'trace.events', isCount, 'a whole number'),
    droppedEvents: field(trace.droppedEvents, 'trace.droppedEvents', isCount, 'a whole number'),
    tracedNs,
    functions,
    callTree: document.callTree === undefined ? undefined : callTreeOf(document.callTree, functions.length, fail),
    gc: byGeneration,
    imports: [...importsByModule.values()],
    warnings: warnings.map((raw, i) => {
      const w = field(raw, `warnings[${i}]`, isObject, 'an object');
      return {
        code: String(w.code),
        message: String(w.message),
        count: Number(w.count),
        unit: String(w.unit),
        lines: Array.isArray(w.lines) ? w.lines.filter(isCount) : [],
      };
    }),
  };
}

type FieldCheck = <T>(value: unknown, where: string, check: (v: unknown) => v is T, expected: string) => T;

/** The functions of a counts-only trace: each one's calls over every interval, no times. */
function countedFunctions(callCounts: Json, field: FieldCheck) {
  return field(callCounts.functions, 'callCounts.functions', isArray, 'an array').map((raw, i) => {
    const at = `callCounts.functions[${i}]`;
    const f = field(raw, at, isObject, 'an object');
    const counts = field(f.counts, `${at}.counts`, isArray, 'an array');
    return {
      name: field(f.name, `${at}.name`, isString, 'a string'),
      file: field(f.file, `${at}.file`, isString, 'a string'),
      line: field(f.line, `${at}.line`, isCount, 'a whole number'),
      calls: counts.reduce(
        (sum: number, count, k) => sum + field(count, `${at}.counts[${k}]`, isCount, 'a whole number'),
        0,
      ),
      selfNs: 0,
      totalNs: 0,
      p95Ns: null,
    };
  });
}

function callTreeOf(raw: unknown, functionCount: number, fail: (problem: string) => never): ProfileCallTree {
  if (!isObject(raw)) return fail('callTree should be an object');
  const column = (name: string): number[] => {
    const values = raw[name];
    if (!isArray(values) || !values.every(isFiniteNumber))
      return fail(`callTree.${name} should be an array of numbers`);
    return values as number[];
  };
  const parent = column('parent');
  const fn = column('function');
  const calls = column('calls');
  const selfNs = column('selfNs');
  const totalNs = column('totalNs');
  const size = parent.length;
  if ([fn, calls, selfNs, totalNs].some((c) => c.length !== size))
    return fail('callTree columns should have the same length');
  for (let i = 0; i < size; i++) {
    if (!Number.isInteger(parent[i]) || parent[i] < -1 || parent[i] >= i)
      return fail(`callTree.parent[${i}] should be -1 or an earlier entry`);
    if (!Number.isInteger(fn[i]) || fn[i] < 0 || fn[i] >= functionCount)
      return fail(`callTree.function[${i}] should index functions`);
  }
  return { parent, fn, calls, selfNs, totalNs };
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
