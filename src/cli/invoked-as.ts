import { basename, isAbsolute, relative } from 'node:path';

/**
 * How the user started pyflame, to print a next command they can paste: `pyflame` when it was run
 * by that name (a global install, npm link), `npx pyflame` under npx, else `node <script>` as given
 * (`node bin/pyflame.js` in a checkout).
 */
export function invokedAs(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  if (env.npm_command === 'exec') return 'npx pyflame';
  const script = argv[1];
  if (script === undefined || basename(script) === 'pyflame') return 'pyflame';
  const shown = isAbsolute(script) ? relative(cwd, script) : script;
  const path = shown.startsWith('..') || isAbsolute(shown) ? script : shown;
  return `node ${/^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`}`;
}
