import { browserScript, type BrowserScriptName } from '../../src/export/browser-script.js';

// Goldens leave the embedded browser scripts out: each script body is replaced by a short
// placeholder naming its bundle, so a change to a script does not churn every golden. Only the
// exact current bundle is replaced; anything else embedded stays in the golden and shows up in
// its diff. test/attack-browser-code.test.ts checks the embedded scripts are the bundles.

export const BROWSER_SCRIPTS: readonly BrowserScriptName[] = ['flame-graph', 'report-page', 'timeline-chart'];

/** What stands for a bundle in a golden. */
export function scriptPlaceholder(name: BrowserScriptName): string {
  return `/* script: ${name}.js */`;
}

/** The document with each embedded bundle replaced by its placeholder. */
export function withoutScripts(document: string): string {
  return BROWSER_SCRIPTS.reduce(
    (text, name) => text.split(browserScript(name)).join(scriptPlaceholder(name)),
    document,
  );
}

/** A golden with its placeholders replaced by the current bundles again (to open it in a browser). */
export function withScripts(document: string): string {
  return BROWSER_SCRIPTS.reduce(
    (text, name) => text.split(scriptPlaceholder(name)).join(browserScript(name)),
    document,
  );
}
