import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import { parse as parseYaml } from 'yaml';
import { type ActionStep, evaluate, keepArtifact, runAction } from './helpers/action-runner.js';
import { fetchNode18, NODE18 } from './helpers/node18.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// Issue 14 §2: the GitHub Action at the repository root, checked against the published schemas
// and run as a runner would, on a temporary repository with a base and a head commit.

const Ajv = AjvModule.default;
const schema = (name: string) => JSON.parse(readFileSync(join(FIXTURES, 'schemastore', name), 'utf8')) as object;
const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; steps: ActionStep[] };
};

/** The workflows shown in docs/ci.md (```yaml blocks with `jobs:`). */
function docWorkflows(): { text: string; parsed: Record<string, unknown> }[] {
  const doc = readFileSync(join(ROOT, 'docs/ci.md'), 'utf8');
  return [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((text) => /^jobs:/m.test(text))
    .map((text) => ({ text, parsed: parseYaml(text) as Record<string, unknown> }));
}

/** The first major of each action that runs on Node 24 (GitHub's runners dropped Node 20 in September 2026). */
const NODE24_MAJORS: Record<string, number> = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/setup-python': 6,
  'actions/upload-artifact': 6,
  'actions/download-artifact': 7,
  'actions/github-script': 8,
  'actions/cache': 5,
};

function usesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(usesOf);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) =>
      key === 'uses' && typeof inner === 'string' ? [inner] : usesOf(inner),
    );
  return [];
}

describe('the GitHub Action (action.yml)', () => {
  it("validates against SchemaStore's github-action schema, and docs/ci.md's workflows against the workflow schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validAction = ajv.compile(schema('github-action.json'));
    assert.ok(validAction(action), JSON.stringify(validAction.errors, null, 2));
    const validWorkflow = ajv.compile(schema('github-workflow.json'));
    const workflows = docWorkflows();
    assert.ok(workflows.length >= 2, 'docs/ci.md shows the action workflow and the plain-shell one');
    for (const { parsed, text } of workflows)
      assert.ok(validWorkflow(parsed), `${text.slice(0, 80)}…\n${JSON.stringify(validWorkflow.errors, null, 2)}`);
    // The validator is no formality: a step with both run and uses is refused.
    const broken = structuredClone(action) as typeof action;
    (broken.runs.steps[1] as Record<string, unknown>).uses = 'actions/checkout@v5';
    assert.equal(validAction(broken), false);
  });

  it('pins every action it uses (and the docs use) to a major that runs on Node 24, and declares the permissions it needs', () => {
    const used = [...usesOf(action), ...docWorkflows().flatMap((w) => usesOf(w.parsed))];
    assert.ok(used.length > 0);
    for (const uses of used) {
      if (uses.startsWith('pyflame-dev/pyflame@')) continue; // this action itself
      const match = /^([\w.-]+\/[\w.-]+)@v(\d+)$/.exec(uses);
      assert.ok(match, `${uses}: pinned to a major (owner/name@vN)`);
      const first = NODE24_MAJORS[match[1]];
      assert.ok(first !== undefined, `${uses}: an action we know the Node 24 major of`);
      assert.ok(Number(match[2]) >= first, `${uses}: runs on Node 20; v${first} or later runs on Node 24`);
    }
    for (const { parsed, text } of docWorkflows()) {
      const permissions = JSON.stringify(
        parsed.permissions ?? (parsed.jobs as Record<string, { permissions?: unknown }>),
      );
      if (!text.includes('uses: ./') && !text.includes('pyflame@')) continue;
      assert.match(permissions, /"actions":"read"/, 'the baseline artifact needs actions: read');
      assert.match(permissions, /"pull-requests":"write"/, 'the comment needs pull-requests: write');
    }
  });

  it('evaluates the expressions its conditions use as the runner does', () => {
    const context = {
      github: { event_name: 'push' },
      inputs: { comment: 'true' },
      steps: { a: { outputs: { x: 'found' } } },
      failed: false,
    };
    assert.equal(evaluate("github.event_name == 'pull_request' || github.event_name == 'push'", context), true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
    assert.equal(evaluate("${{ inputs.comment == 'true' && steps.a.outputs.x == 'found' }}", context), true);
    assert.equal(evaluate("steps.a.outputs.y == 'found'", context), false);
    assert.equal(evaluate('always() && !(1 == 2)', context), true);
  });
});

// --- The runner simulation -------------------------------------------------------------------

const PYTHON = ['/usr/bin/python3', '/usr/bin/python3.11'].find((path) => existsSync(path));

const PROGRAM = (extraCall: boolean) => `
def work(n):
    total = 0
    for i in range(n):
        total += i * i
    return total

def helper(x):
    return x + 1

def main():
    s = 0
    for k in range(200):
        s += work(500)
        ${extraCall ? 's += helper(k)' : 'pass'}
    print(s)

main()
`;

/**
 * A fake `gh` on PATH: artifacts and pull-request comments kept in files of `store`, `--jq` run
 * by the real jq, every call logged. What GitHub's API would answer for the calls the action makes.
 */
function fakeGh(store: string): string {
  const bin = join(store, 'bin');
  mkdirSync(bin, { recursive: true });
  const script = `#!/usr/bin/env node
const { readFileSync, writeFileSync, appendFileSync, existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const store = ${JSON.stringify(store)};
const args = process.argv.slice(2);
appendFileSync(store + '/calls.log', JSON.stringify(args) + '\\n');
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const method = flag('--method') ?? 'GET';
const jq = flag('--jq');
const path = args.find((a, i) => i > 0 && !a.startsWith('-') && !['--method', '--jq', '-f'].includes(args[i - 1]));
const load = (name, empty) => existsSync(store + '/' + name) ? JSON.parse(readFileSync(store + '/' + name, 'utf8')) : empty;
const answer = (value) => {
  const text = JSON.stringify(value);
  if (jq === undefined) return process.stdout.write(text);
  const run = spawnSync('jq', ['-r', jq], { input: text, encoding: 'utf8' });
  if (run.status !== 0) { process.stderr.write(run.stderr); process.exit(1); }
  process.stdout.write(run.stdout);
};
if (existsSync(store + '/forbidden')) { process.stderr.write('HTTP 403: Resource not accessible by integration'); process.exit(1); }
let m;
if ((m = /^repos\\/[^/]+\\/[^/]+\\/actions\\/artifacts\\/(\\d+)\\/zip$/.exec(path))) {
  process.stdout.write(readFileSync(store + '/artifact-' + m[1] + '.zip'));
} else if (/\\/actions\\/artifacts\\?/.test(path)) {
  answer({ artifacts: load('artifacts.json', []) });
} else if ((m = /\\/issues\\/(\\d+)\\/comments$/.exec(path)) && method === 'GET') {
  answer(load('comments.json', []).filter((c) => c.pr === Number(m[1])));
} else if ((m = /\\/issues\\/(\\d+)\\/comments$/.exec(path)) && method === 'POST') {
  const comments = load('comments.json', []);
  const body = flag('-f').replace(/^body=/, '');
  comments.push({ id: 1000 + comments.length, pr: Number(m[1]), body });
  writeFileSync(store + '/comments.json', JSON.stringify(comments));
  answer({ id: 1000 + comments.length - 1 });
} else if ((m = /\\/issues\\/comments\\/(\\d+)$/.exec(path)) && method === 'PATCH') {
  const comments = load('comments.json', []);
  const comment = comments.find((c) => c.id === Number(m[1]));
  comment.body = flag('-f').replace(/^body=/, '');
  writeFileSync(store + '/comments.json', JSON.stringify(comments));
  answer(comment);
} else { process.stderr.write('fake gh: no route for ' + path); process.exit(1); }
`;
  writeFileSync(join(bin, 'gh'), script);
  chmodSync(join(bin, 'gh'), 0o755);
  return bin;
}

interface Scenario {
  /** PATH entries before the fake gh's (another Node). */
  readonly pathFirst?: string;
  readonly event: 'push' | 'pull_request';
  readonly extraCall: boolean;
  readonly store: string;
  readonly inputs?: Record<string, string>;
  readonly tag: string;
}

const base = scratchDir('action-runner');
let scenarios = 0;

/** Runs the action in a temporary repository at a base (or head) commit, as a runner would. */
function runScenario(s: Scenario) {
  const workspace = join(base, `${s.tag}-repo`);
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'prog.py'), PROGRAM(s.extraCall));
  const git = (...args: string[]) => spawnSync('git', args, { cwd: workspace, encoding: 'utf8' });
  if (!existsSync(join(workspace, '.git'))) git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', s.extraCall ? 'head' : 'base');
  const runnerTemp = join(base, `${s.tag}-temp-${scenarios++}`);
  mkdirSync(runnerTemp, { recursive: true });
  const inputs: Record<string, string> = {
    ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])),
    'baseline-branch': 'main',
    'github-token': 'token',
    command: `${PYTHON} prog.py`,
    runs: '2',
    'record-options': '--via inprocess',
    ...s.inputs,
  };
  const artifacts = join(s.store, 'uploads');
  return runAction({
    steps: action.runs.steps,
    inputs,
    github: {
      event_name: s.event,
      ref_name: s.event === 'push' ? 'main' : '7/merge',
      repository: 'octo/shop',
      action_path: ROOT,
      run_id: '42',
      run_attempt: '1',
      token: 'token',
      event: s.event === 'pull_request' ? { pull_request: { number: 7 } } : {},
    },
    runnerTemp,
    workspace,
    pathPrefix: s.pathFirst === undefined ? fakeGh(s.store) : `${s.pathFirst}:${fakeGh(s.store)}`,
    env: { PYFLAME_CALIBRATE: '0' },
    uses(uses, withValues) {
      if (uses.startsWith('actions/setup-node@')) return;
      if (uses.startsWith('actions/upload-artifact@')) {
        const into = join(artifacts, withValues.name);
        keepArtifact(withValues.path, into);
        if (withValues.name === inputs.artifact) publishBaseline(s.store, into);
        return;
      }
      throw new Error(`no simulation for ${uses}`);
    },
  });
}

/** What GitHub does with an uploaded artifact: listed by the API, downloadable as a zip. */
function publishBaseline(store: string, dir: string): void {
  const listPath = join(store, 'artifacts.json');
  const list = existsSync(listPath) ? (JSON.parse(readFileSync(listPath, 'utf8')) as unknown[]) : [];
  const id = 500 + list.length;
  const zip = spawnSync('zip', ['-q', '-r', join(store, `artifact-${id}.zip`), '.'], { cwd: dir });
  assert.equal(zip.status, 0);
  list.push({
    id,
    name: 'pyflame-baseline',
    expired: false,
    created_at: `2026-12-0${list.length + 1}T00:00:00Z`,
    workflow_run: { head_branch: 'main' },
  });
  writeFileSync(listPath, JSON.stringify(list));
}

const comments = (store: string) =>
  existsSync(join(store, 'comments.json'))
    ? (JSON.parse(readFileSync(join(store, 'comments.json'), 'utf8')) as { id: number; body: string }[])
    : [];
const outcomes = (run: ReturnType<typeof runAction>) =>
  Object.fromEntries(run.steps.map((step) => [step.name, step.outcome]));
const verdict = (run: ReturnType<typeof runAction>) => run.steps.find((step) => step.name === 'Verdict')!;

const skip =
  PYTHON === undefined
    ? 'no /usr/bin/python3 on this machine'
    : spawnSync('jq', ['--version']).status !== 0
      ? 'jq is not installed'
      : false;

describe('the GitHub Action, run as a runner would', { skip }, () => {
  it('a pull request with no baseline yet passes with a note in the summary and the comment', () => {
    const store = scratchDir('action-store');
    const run = runScenario({ event: 'pull_request', extraCall: true, store, tag: 'nobase' });
    assert.equal(verdict(run).status, 0, verdict(run).stderr);
    assert.equal(run.failed, false);
    assert.match(run.summary, /## pyflame: no baseline yet/);
    assert.equal(outcomes(run)['Compare with the baseline'], 'skipped');
    const [comment] = comments(store);
    assert.match(comment.body, /^<!-- pyflame-diff -->\n## pyflame: no baseline yet/);
  });

  it('main keeps its runs as the baseline; a pull request that calls more fails with the report in the summary and one comment, updated on the next push', () => {
    const store = scratchDir('action-store');
    const main = runScenario({ event: 'push', extraCall: false, store, tag: 'gate' });
    assert.equal(verdict(main).status, 0, verdict(main).stderr);
    assert.match(main.summary, /## pyflame: baseline kept/);
    assert.deepEqual(readdirSync(join(store, 'uploads', 'pyflame-baseline')).sort(), ['run-1.json', 'run-2.json']);
    assert.equal(outcomes(main)['Fetch the baseline'], 'skipped');

    const pr = runScenario({ event: 'pull_request', extraCall: true, store, tag: 'gate' });
    assert.equal(verdict(pr).status, 1, `${verdict(pr).stderr}\n${pr.summary}`);
    assert.equal(pr.failed, true);
    assert.match(pr.summary, /helper/, 'the new calls are named');
    assert.match(pr.summary, /calls>0/);
    assert.equal(
      outcomes(pr)['Keep the runs as the baseline'],
      'skipped',
      'a pull request never replaces the baseline',
    );
    let all = comments(store);
    assert.equal(all.length, 1);
    assert.ok(all[0].body.startsWith('<!-- pyflame-diff -->\n'));
    assert.ok(all[0].body.includes('helper'));
    assert.ok(all[0].body.length < 65_536, 'fits a comment');

    // The next push to the pull request, the regression fixed: the same comment now passes.
    const fixed = runScenario({ event: 'pull_request', extraCall: false, store, tag: 'gate' });
    assert.equal(verdict(fixed).status, 0, `${verdict(fixed).stderr}\n${fixed.summary}`);
    all = comments(store);
    assert.equal(all.length, 1, 'updated, not a second comment');
    assert.doesNotMatch(all[0].body, /helper/);
  });

  it('when the diff cannot run (exit 2), the summary says why and the job fails; a comment that cannot be posted is only a warning', () => {
    const store = scratchDir('action-store');
    runScenario({ event: 'push', extraCall: false, store, tag: 'broken' });
    // A baseline that is not a pyflame result.
    const dir = join(base, 'broken-artifact');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run-1.json'), '{"schemaVersion": 99}');
    publishBaseline(store, dir);
    const pr = runScenario({ event: 'pull_request', extraCall: false, store, tag: 'broken' });
    assert.equal(verdict(pr).status, 2);
    assert.match(pr.summary, /## pyflame: error/);
    assert.match(pr.summary, /schemaVersion/, "the diff's own message is in the summary");

    writeFileSync(join(store, 'forbidden'), '');
    const denied = runScenario({ event: 'pull_request', extraCall: false, store, tag: 'broken' });
    assert.equal(verdict(denied).status, 2, 'listing artifacts without actions: read is an error');
    assert.match(denied.summary, /actions: read/);
    const comment = denied.steps.find((step) => step.name === 'Comment on the pull request')!;
    assert.equal(comment.outcome, 'success');
    assert.match(comment.stdout, /::warning::pyflame could not comment/);
  });

  it('on Node 18 the summary gives the one line naming the Node pyflame needs, and the job fails with exit 2', (t) => {
    const unavailable = fetchNode18();
    if (unavailable !== undefined) return t.skip(unavailable);
    const store = scratchDir('action-store');
    const run = runScenario({
      event: 'pull_request',
      extraCall: false,
      store,
      tag: 'node18',
      pathFirst: dirname(NODE18),
    });
    assert.equal(verdict(run).status, 2);
    assert.match(
      run.summary,
      /pyflame needs Node\.js 20\.19 or newer \(package\.json "engines"\); this is Node\.js 18\./,
    );
    assert.doesNotMatch(run.summary, /SyntaxError/);
    assert.equal(outcomes(run)['Record the program'], 'skipped');
  });
});
