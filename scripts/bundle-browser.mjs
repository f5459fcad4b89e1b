// Bundles the browser scripts (src/browser/*, type-checked by tsconfig.browser.json) into
// self-contained scripts under dist/src/browser/, which the exporters embed in the SVG and HTML
// documents they write (src/export/browser-script.ts). Run by `npm run build`.
//
// Each bundle is one IIFE (no globals), readable (not minified) and the same bytes for the same
// sources, wherever the repository sits. It must be safe to paste inside <![CDATA[ ... ]]> and
// inside an HTML <script> element: the build fails if it is not.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist/src/browser');
/** The entry points: one bundle each, named after its file. */
const ENTRIES = ['flame-graph', 'report-page', 'timeline-chart'];

/** What would end the element the bundle is pasted into (or start an HTML comment in it). */
const FORBIDDEN = [
  [']]>', 'ends the CDATA section around an SVG script'],
  ['</script', 'ends an HTML <script> element'],
  ['<!--', 'starts an HTML comment inside a <script> element'],
];

mkdirSync(OUT, { recursive: true });
for (const name of ENTRIES) {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [`src/browser/${name}.ts`],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    // ASCII only: µ and · are written as escapes, so the bytes do not depend on the page's charset.
    charset: 'ascii',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const text = result.outputFiles[0].text;
  const lower = text.toLowerCase();
  for (const [bad, why] of FORBIDDEN) {
    if (lower.includes(bad))
      throw new Error(
        `src/browser/${name}.ts: the bundle contains "${bad}", which ${why}; write it another way (split the text across two strings)`,
      );
  }
  writeFileSync(join(OUT, `${name}.js`), text);
}
