import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs a composite action's steps the way GitHub's runner does, on this machine: each step's
 * `if:` is evaluated (a subset of the expression language: ==, !=, &&, ||, !, parentheses,
 * strings, always(), success(), failure(), and the github/inputs/steps/runner contexts), its
 * `env:` and `with:` expanded, its `run:` script run by bash with the runner's files
 * (GITHUB_OUTPUT per step, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH, RUNNER_TEMP). `uses:` steps are
 * simulated by the caller (`uses` callback): setup-node does nothing here, upload-artifact copies.
 */
export interface ActionStep {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string>;
  readonly 'working-directory'?: string;
}

export interface RunnerSetup {
  readonly steps: readonly ActionStep[];
  readonly inputs: Record<string, string>;
  readonly github: Record<string, unknown>;
  readonly runnerTemp: string;
  readonly workspace: string;
  /** PATH entries put first (a fake `gh`). */
  readonly pathPrefix: string;
  readonly env?: Record<string, string>;
  /** A `uses:` step: what it does here (its `with:` already expanded). */
  uses(action: string, withValues: Record<string, string>): void;
}

export interface StepResult {
  readonly name: string;
  readonly outcome: 'success' | 'failure' | 'skipped';
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunResult {
  readonly steps: StepResult[];
  readonly summary: string;
  /** The job's result: failed when any step failed. */
  readonly failed: boolean;
}

export function runAction(setup: RunnerSetup): RunResult {
  const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
  const summaryPath = join(setup.runnerTemp, 'step-summary.md');
  writeFileSync(summaryPath, '');
  const eventPath = join(setup.runnerTemp, 'event.json');
  writeFileSync(eventPath, JSON.stringify(setup.github.event ?? {}));
  const results: StepResult[] = [];
  let failed = false;
  setup.steps.forEach((step, index) => {
    const name = step.name ?? step.id ?? `step ${index}`;
    const context = {
      github: setup.github,
      inputs: setup.inputs,
      steps: stepsContext,
      runner: { temp: setup.runnerTemp },
      failed,
    };
    // As the runner does: a condition without a status function means `success() && (it)`.
    const condition =
      step.if === undefined
        ? 'success()'
        : /\b(always|success|failure|cancelled)\(\)/.test(step.if)
          ? step.if
          : `success() && (${step.if.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1')})`;
    if (!truthy(evaluate(condition, context))) {
      results.push({ name, outcome: 'skipped', status: null, stdout: '', stderr: '' });
      if (step.id !== undefined) stepsContext[step.id] = { outputs: {}, outcome: 'skipped' };
      return;
    }
    const expand = (record: Record<string, string> | undefined) =>
      Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, interpolate(String(v), context)]));
    let outcome: 'success' | 'failure' = 'success';
    let status: number | null = 0;
    let stdout = '';
    let stderr = '';
    const outputs: Record<string, string> = {};
    if (step.uses !== undefined) {
      try {
        setup.uses(step.uses, expand(step.with));
      } catch (error) {
        outcome = 'failure';
        stderr = String(error);
      }
    } else {
      const outputPath = join(setup.runnerTemp, `output-${index}.txt`);
      writeFileSync(outputPath, '');
      const cwd =
        step['working-directory'] === undefined
          ? setup.workspace
          : join(setup.workspace, interpolate(step['working-directory'], context));
      const run = spawnSync('bash', ['-e', '-c', interpolate(step.run ?? '', context)], {
        cwd,
        encoding: 'utf8',
        env: {
          ...process.env,
          ...setup.env,
          ...expand(step.env),
          PATH: `${setup.pathPrefix}:${process.env.PATH}`,
          GITHUB_OUTPUT: outputPath,
          GITHUB_STEP_SUMMARY: summaryPath,
          GITHUB_EVENT_PATH: eventPath,
          GITHUB_EVENT_NAME: String(setup.github.event_name),
          GITHUB_REF_NAME: String(setup.github.ref_name ?? ''),
          GITHUB_REPOSITORY: String(setup.github.repository ?? ''),
          RUNNER_TEMP: setup.runnerTemp,
        },
      });
      status = run.status;
      stdout = run.stdout;
      stderr = run.stderr;
      if (run.status !== 0) outcome = 'failure';
      for (const line of readFileSync(outputPath, 'utf8').split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
      }
    }
    if (outcome === 'failure') failed = true;
    if (step.id !== undefined) stepsContext[step.id] = { outputs, outcome };
    results.push({ name, outcome, status, stdout, stderr });
  });
  return { steps: results, summary: readFileSync(summaryPath, 'utf8'), failed };
}

/** Copies a directory or file into `into` (what upload-artifact keeps). */
export function keepArtifact(path: string, into: string): void {
  mkdirSync(into, { recursive: true });
  if (existsSync(path)) cpSync(path, into, { recursive: true });
}

type Context = Record<string, unknown> & { failed: boolean };

/** `text` with every `${{ expression }}` replaced by its value. */
export function interpolate(text: string, context: Context): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => stringOf(evaluate(expression, context)));
}

function stringOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
}

/** Evaluates an expression (with or without its `${{ }}`) in the subset described above. */
export function evaluate(source: string, context: Context): unknown {
  const text = source.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const tokens = text.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[()!]|[A-Za-z_][\w.-]*(?:\(\))?|\d+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const primary = (): unknown => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`expression ends early: ${text}`);
    if (token === '(') {
      const value = or();
      if (tokens[at++] !== ')') throw new Error(`missing ) in ${text}`);
      return value;
    }
    if (token === '!') return !truthy(primary());
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (/^\d+$/.test(token)) return Number(token);
    if (token === 'true' || token === 'false') return token === 'true';
    if (token === 'always()') return true;
    if (token === 'success()') return !context.failed;
    if (token === 'failure()') return context.failed;
    if (token === 'cancelled()') return false;
    let value: unknown = context;
    for (const part of token.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return value;
  };
  const equality = (): unknown => {
    let left = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = tokens[at++];
      const right = primary();
      const same = stringOf(left).toLowerCase() === stringOf(right).toLowerCase();
      left = op === '==' ? same : !same;
    }
    return left;
  };
  const and = (): unknown => {
    let left = equality();
    while (peek() === '&&') {
      at++;
      const right = equality();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): unknown => {
    let left = and();
    while (peek() === '||') {
      at++;
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]} in ${text}`);
  return value;
}
