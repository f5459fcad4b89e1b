import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundled browser scripts (src/browser/<name>.ts, bundled by scripts/bundle-browser.mjs). */
export type BrowserScriptName = 'flame-graph' | 'report-page' | 'timeline-chart';

const loaded = new Map<BrowserScriptName, string>();

/**
 * A browser script's bundled text, to embed in a document, without its final newline. Read once,
 * on first use, from dist/src/browser/ beside this module (where the build writes it and the
 * package ships it).
 */
export function browserScript(name: BrowserScriptName): string {
  let text = loaded.get(name);
  if (text === undefined) {
    const path = fileURLToPath(new URL(`../browser/${name}.js`, import.meta.url));
    try {
      text = readFileSync(path, 'utf8').replace(/\n$/, '');
    } catch (error) {
      throw new Error(
        `pyflame's browser script ${path} cannot be read (${(error as Error).message}): \`npm run build\` writes it`,
      );
    }
    loaded.set(name, text);
  }
  return text;
}
