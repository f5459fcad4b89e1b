import type { ChildProcess } from 'node:child_process';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeTrace } from '../analyze/analyze.js';
import { RecordError } from './record-error.js';

/**
 * What one firing of each recorder hook costs the program (issue 13 §1; design §A): measured by
 * recorder/calibrate.py, run untraced and traced (the same interpreter, recorder and options as
 * the recording), a few times interleaved. Each of its phases is a loop that differs from the
 * empty loop by one kind of firing; traced minus untraced, minus the same for the empty loop,
 * divided by the firings, is one firing's cost. The result is the trace's `# pyflame-cost v1`
 * line (docs/recording.md, "What recording costs").
 */

/**
 * Ctrl-C, SIGTERM or SIGHUP during the calibration: the program has not started, so the
 * recording stops there, its scratch files removed (a RecordError: "nothing was recorded").
 */
export class CalibrationInterrupted extends RecordError {}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Watches for the stop signals while a calibration runs; kills the run under way. */
export class CalibrationStop {
  signal: NodeJS.Signals | undefined;
  private running: ChildProcess | undefined;
  private readonly handler = (signal: NodeJS.Signals) => {
    this.signal ??= signal;
    if (this.running !== undefined && this.running.exitCode === null) this.running.kill('SIGTERM');
  };

  constructor() {
    for (const signal of STOP_SIGNALS) process.on(signal, this.handler);
  }

  /** The child now running (killed on a stop signal). */
  watch(child: ChildProcess | undefined): void {
    this.running = child;
    if (child !== undefined && this.signal !== undefined) child.kill('SIGTERM');
  }

  /** Throws once a stop signal came. */
  check(): void {
    if (this.signal !== undefined) throw this.interrupted();
  }

  interrupted(): CalibrationInterrupted {
    return new CalibrationInterrupted(
      `stopped by ${this.signal ?? 'a signal'} during the calibration, before the program started; nothing was recorded`,
    );
  }

  dispose(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.handler);
  }
}

/** The micro-program, at the package root (this file is dist/src/record/calibrate.js). */
export const CALIBRATE_PROGRAM = resolve(dirname(fileURLToPath(import.meta.url)), '../../../recorder/calibrate.py');

/** calibrate.py's warm-up iterations per phase (they are in the trace too). */
const WARM_UP = 50;

/** Per phase, the ns each repetition took, as calibrate.py writes them. */
export type PhaseTimes = Readonly<Record<string, readonly number[]>>;

/** One untraced and one traced run of calibrate.py, and the traced run's trace (pyflame text). */
export interface CalibrationPair {
  readonly untraced: PhaseTimes;
  readonly traced: PhaseTimes;
  /** Unwritten firings (u=N) in each phase of the traced run, summed over its iterations. */
  readonly unwrittenByPhase: Readonly<Record<string, number>>;
}

export interface CalibrationPlan {
  /** Loop iterations per phase (gc: `gcIterations`). */
  readonly iterations: number;
  readonly gcIterations: number;
  /** Repetitions of every phase inside one run. */
  readonly repetitions: number;
  /** Untraced + traced pairs. */
  readonly runs: number;
  readonly phases: readonly Phase[];
  /** What the `lines` phase's extra firings are: written line events, unwritten ones, or none. */
  readonly lineKind: 'line' | 'unwritten' | undefined;
  /** The `ccalls` phase's C calls are unwritten firings (setprofile on 3.8-3.11). */
  readonly cCallsUnwritten: boolean;
  /** Leaf's body line fires a line hook (written or not): inside the leaf's recorded time. */
  readonly lineInsideLeaf: boolean;
  /** The kinds attached besides entry/return/line/unwritten/gc. */
  readonly imports: boolean;
  readonly audit: boolean;
}

export type Phase = 'empty' | 'calls' | 'lines' | 'ccalls' | 'gc';

/** calibrate.py's command-line arguments after its path. */
export function programArguments(plan: CalibrationPlan, out: string): string[] {
  return [out, String(plan.iterations), String(plan.gcIterations), String(plan.repetitions), plan.phases.join(',')];
}

export interface KindCost {
  readonly cost: number;
  readonly err: number;
  readonly before: number;
}

export interface Calibration {
  readonly costs: ReadonlyMap<string, KindCost>;
  readonly runs: number;
  readonly ms: number;
  /** The interpreter's version, as it says (3.11.2). */
  readonly python: string;
  /** How kinds were found that no loop measures (imports, audit). */
  readonly method: string;
}

/**
 * The floor of ERR, as a share of COST: a program's firings do not cost what the micro-loop's
 * do (its dictionaries, caches and code objects are bigger), and the machine's load changes
 * between the calibration and the program. The proof benchmark (bench/cost-proof.mjs, on a
 * loaded 2-core machine) saw a program's firings cost from 7% less to 47% more than calibrated
 * moments before, so even a calibration with no spread is not trusted closer than this.
 */
export const ERR_FLOOR = 0.35;
/** gc's callbacks and its bookkeeping depend on the heap: a wider floor. */
const GC_ERR_FLOOR = 0.5;
/**
 * ERR from the runs' spread: the 95% interval of a mean of three draws is about 1.5 times their
 * range (Student's t with 2 degrees of freedom, 4.30 × s / √3, and a range of three draws is
 * about 1.7 s), so half the range alone would understate it.
 */
const RANGE_TO_ERR = 1.5;

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** COST and ERR from per-run estimates: the mean; the runs' spread (RANGE_TO_ERR), widened to the floor. */
function spread(estimates: readonly number[], floor: number): { cost: number; err: number } {
  const average = mean(estimates);
  // A firing costs something: noise below zero is stated as 1 ns, with the whole miss as error.
  const cost = Math.max(average, 1);
  const range = Math.max(...estimates) - Math.min(...estimates);
  return { cost, err: Math.max(RANGE_TO_ERR * range, floor * cost, cost - average) };
}

/** The name of a phase's function in calibrate.py (its entry and return delimit the phase). */
export const phaseFunction = (phase: string) => `pyflame_phase_${phase}`;

/**
 * The unwritten firings (`u=N`) of each phase in a traced run's text, and the text without the
 * `u=` fields (for analyzeTrace until every parser reads them).
 */
export function unwrittenByPhase(text: string): { byPhase: Record<string, number>; stripped: string } {
  const byPhase: Record<string, number> = {};
  let current: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const u = /\tu=(\d+)$/.exec(line);
    const fields = line.split('\t');
    if (fields[3] === 'function__entry' && fields[fields.length - (u ? 3 : 2)]?.startsWith('pyflame_phase_'))
      current = fields[fields.length - (u ? 3 : 2)]!.slice('pyflame_phase_'.length);
    else if (u !== null && current !== undefined) byPhase[current] = (byPhase[current] ?? 0) + Number(u[1]);
    if (fields[3] === 'function__return' && fields[fields.length - (u ? 3 : 2)]?.startsWith('pyflame_phase_'))
      current = undefined;
    if (u !== null) lines[i] = line.slice(0, u.index);
  }
  return { byPhase, stripped: lines.join('\n') };
}

/** The mean recorded duration of calibrate.py's `leaf` in a trace (raw times: overheadNs 0). */
export async function leafRecordedNs(traceText: string, scratch: string): Promise<number | undefined> {
  await writeFile(scratch, traceText, 'latin1');
  try {
    const analysis = await analyzeTrace(scratch, { overheadNs: 0, parseThread: false });
    const leaf = analysis.functions.find((fn) => fn.name === 'leaf' && fn.file.endsWith('calibrate.py'));
    return leaf === undefined || leaf.calls === 0 ? undefined : leaf.totalNs / leaf.calls;
  } finally {
    await unlink(scratch).catch(() => {});
  }
}

/** Reads calibrate.py's JSON output. */
export async function readPhaseTimes(path: string): Promise<{ times: PhaseTimes; version: string }> {
  return JSON.parse(await readFile(path, 'utf8')) as { times: PhaseTimes; version: string };
}

/**
 * One untraced/traced pair as calibrate.py and the recorder left it: `${stem}.untraced.json`,
 * `${stem}.traced.json` and the traced run's trace text. With `leafScratch` (the first pair), also
 * the leaf's mean recorded duration from that trace, analysed at `leafScratch`.
 */
export async function readPair(
  stem: string,
  traceText: string,
  leafScratch: string | undefined,
): Promise<{ pair: CalibrationPair; version: string; leafNs: number | undefined }> {
  const { byPhase, stripped } = unwrittenByPhase(traceText);
  const leafNs = leafScratch === undefined ? undefined : await leafRecordedNs(stripped, leafScratch);
  const untraced = await readPhaseTimes(`${stem}.untraced.json`);
  const traced = await readPhaseTimes(`${stem}.traced.json`);
  return {
    pair: { untraced: untraced.times, traced: traced.times, unwrittenByPhase: byPhase },
    version: untraced.version,
    leafNs,
  };
}

/**
 * Each kind's COST, ERR and BEFORE from the pairs. `leafNs`: the leaf's mean recorded duration
 * in a traced run. BEFORE (design §A): the leaf's recorded time minus its untraced time is the
 * part of entry+return spent inside the frame, I = after(entry) + before(return); with P the
 * cost of entry+return: entry BEFORE = (P - I)/2, return BEFORE = I/2, entry = return = P/2.
 */
export function estimate(
  plan: CalibrationPlan,
  pairs: readonly CalibrationPair[],
  leafNs: number | undefined,
  ms: number,
  python: string,
): Calibration {
  const n = plan.iterations;
  const nGc = plan.gcIterations;
  const has = (phase: Phase) => plan.phases.includes(phase);
  const delta = (pair: CalibrationPair, phase: Phase) => mean(pair.traced[phase]!) - mean(pair.untraced[phase]!);
  const untracedPer = (pair: CalibrationPair, phase: Phase) => mean(pair.untraced[phase]!);
  const iterations = (phase: Phase) => WARM_UP + plan.repetitions * (phase === 'gc' ? nGc : n);
  const perPair = pairs.map((pair) => {
    const empty = delta(pair, 'empty');
    // Unwritten firings (u=N) per iteration of a phase beyond the empty loop's (in-process: the C
    // calls the recorder's gc callbacks make, profiled like the program's). They are counted in
    // the trace, so analyze takes them out at the unwritten cost: the kind measured by that
    // phase must not include them twice.
    const extra = (phase: Phase) =>
      Math.max(
        (pair.unwrittenByPhase[phase] ?? 0) / iterations(phase) -
          (pair.unwrittenByPhase.empty ?? 0) / iterations('empty'),
        0,
      );
    // In-process 3.8-3.11 the unwritten kind is the C calls' (2 firings each, as the trace counts
    // them); under bpftrace it is the silent line's, measured by the lines loop.
    const cCallFirings = has('ccalls') ? extra('ccalls') || 2 : 2;
    const cCallPer = has('ccalls') ? (delta(pair, 'ccalls') - empty) / (cCallFirings * n) : 0;
    // Per iteration, what the counted C calls of a phase cost (none are expected in calls and lines).
    const own = (phase: Phase) => (plan.cCallsUnwritten ? extra(phase) * cCallPer : 0);
    const linePer = has('lines') ? (delta(pair, 'lines') - empty - own('lines') * n) / (4 * n) : 0;
    // The leaf's own line fires a line hook too where lines are hooked: not the call's cost.
    const callsPer = (delta(pair, 'calls') - empty - own('calls') * n) / n - (plan.lineInsideLeaf ? linePer : 0);
    const unwrittenPer = plan.cCallsUnwritten ? cCallPer : plan.lineKind === 'unwritten' ? linePer : 0;
    let gcPer = 0;
    if (has('gc')) gcPer = (delta(pair, 'gc') - (empty * nGc) / n - extra('gc') * nGc * unwrittenPer) / (2 * nGc);
    const leafUntraced = (untracedPer(pair, 'calls') - untracedPer(pair, 'empty')) / n;
    return { callsPer, linePer, unwrittenPer, gcPer, leafUntraced };
  });
  const costs = new Map<string, KindCost>();
  const p = spread(
    perPair.map((e) => e.callsPer),
    ERR_FLOOR,
  );
  const lineCost =
    plan.lineKind === undefined
      ? 0
      : spread(
          perPair.map((e) => e.linePer),
          ERR_FLOOR,
        ).cost;
  // The in-frame part, clamped to what entry+return cost (noise, or a leaf slower traced for
  // reasons of its own, must not give a BEFORE outside 0..COST).
  const inside =
    leafNs === undefined
      ? p.cost / 2
      : Math.min(
          Math.max(leafNs - mean(perPair.map((e) => e.leafUntraced)) - (plan.lineInsideLeaf ? lineCost : 0), 0),
          p.cost,
        );
  const half = { cost: p.cost / 2, err: p.err / 2 };
  costs.set('entry', { ...half, before: (p.cost - inside) / 2 });
  costs.set('return', { ...half, before: inside / 2 });
  if (plan.lineKind !== undefined) {
    const line = spread(
      perPair.map((e) => e.linePer),
      ERR_FLOOR,
    );
    // A line's timestamp is taken in the middle of its handler, as an entry's is: the same split.
    // An unwritten firing has no timestamp: it all happened before the event that counts it.
    const before = plan.lineKind === 'unwritten' ? line.cost : line.cost * ((p.cost - inside) / p.cost);
    costs.set(plan.lineKind, { ...line, before });
  }
  if (plan.cCallsUnwritten) {
    const unwritten = spread(
      perPair.map((e) => e.unwrittenPer),
      ERR_FLOOR,
    );
    // Nothing is written: all of it happens at no recorded time; stated as before the next event's.
    costs.set('unwritten', { ...unwritten, before: unwritten.cost });
  }
  if (plan.phases.includes('gc')) {
    const gc = spread(
      perPair.map((e) => e.gcPer),
      GC_ERR_FLOOR,
    );
    costs.set('gc-start', { ...gc, before: gc.cost / 2 });
    costs.set('gc-done', { ...gc, before: gc.cost / 2 });
  }
  // Imports and audit events fire rarely and from code no micro-loop repeats cheaply: stated as
  // an entry's or a return's cost (their hooks do the same work: a clock read, a list extend, a
  // name lookup), with ERR = COST (method=, docs/recording.md).
  const guess = (before: number) => ({ cost: half.cost, err: half.cost, before });
  if (plan.imports) {
    costs.set('import-start', guess(costs.get('entry')!.before));
    costs.set('import-done', guess(costs.get('return')!.before));
  }
  if (plan.audit) costs.set('audit', guess(costs.get('entry')!.before));
  return {
    costs,
    runs: pairs.length,
    ms,
    python,
    method: `loops${plan.imports || plan.audit ? ',import-audit-as-entry-return' : ''}`,
  };
}

/** The order of kinds in the line (design §A). */
const KINDS = ['entry', 'return', 'line', 'unwritten', 'gc-start', 'gc-done', 'import-start', 'import-done', 'audit'];

const ns = (value: number) => String(Math.round(value * 10) / 10);

/** `# pyflame-cost v1 recorder=... python=... runs=N calibration-ms=N K=COST,ERR,BEFORE ... method=...` */
export function costLine(calibration: Calibration, recorder: string): string {
  const fields = [
    `recorder=${recorder}`,
    `python=${calibration.python}`,
    `runs=${calibration.runs}`,
    `calibration-ms=${Math.round(calibration.ms)}`,
  ];
  for (const kind of KINDS) {
    const cost = calibration.costs.get(kind);
    if (cost === undefined) continue;
    const before = Math.min(Math.max(cost.before, 0), cost.cost);
    fields.push(`${kind}=${ns(cost.cost)},${ns(cost.err)},${ns(before)}`);
  }
  fields.push(`method=${calibration.method}`);
  return `# pyflame-cost v1 ${fields.join(' ')}`;
}

/** The sentence record prints: what one firing costs. */
export function calibrationSummary(calibration: Calibration): string {
  const entry = calibration.costs.get('entry')!;
  const parts = [`entry+return ${ns(2 * entry.cost)} ns ±${ns(2 * entry.err)}`];
  for (const kind of ['line', 'unwritten', 'gc-start']) {
    const cost = calibration.costs.get(kind);
    if (cost !== undefined)
      parts.push(`${kind === 'gc-start' ? 'gc start/done' : kind} ${ns(cost.cost)} ns ±${ns(cost.err)}`);
  }
  return `calibration (${(calibration.ms / 1000).toFixed(1)} s, ${calibration.runs} runs): one firing costs ${parts.join(', ')}`;
}
