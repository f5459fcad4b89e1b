import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ANALYSIS_TABLES } from '../src/export/parquet/analysis-tables.js';
import { ParquetEngine } from '../src/export/parquet/duckdb-engine.js';
import { tableFileName } from '../src/export/parquet/write-tables.js';
import { CLI, ROOT, SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

const DOC = readFileSync(join(ROOT, 'docs/scale.md'), 'utf8');
const BUCKET = 's3://example-bucket/pyflame';

/** A fenced block of docs/scale.md by its first line (`# sh: upload`, `-- duckdb: views`). */
function block(fence: string, marker: string): string {
  for (const [, body] of DOC.matchAll(new RegExp(`\`\`\`${fence}\\n([\\s\\S]*?)\`\`\``, 'g')))
    if (body.startsWith(`${marker}\n`)) return body;
  throw new Error(`docs/scale.md has no ${fence} block starting "${marker}"`);
}

/**
 * Stand-ins for the tools the snippet calls: `pyflame` is this checkout's, `aws s3 cp` copies into
 * a local folder standing for the bucket, `duckdb -c SQL` prints the rows' values through the
 * embedded DuckDB. Nothing else of the snippet is changed.
 */
function stubs(dir: string, bucket: string): string {
  const duckdbApi = createRequire(join(ROOT, 'package.json')).resolve('@duckdb/node-api');
  const files: Record<string, string> = {
    pyflame: `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`,
    aws: [
      '#!/bin/sh',
      '[ "$1 $2" = "s3 cp" ] || { echo "stub aws: only s3 cp" >&2; exit 64; }',
      `case "$4" in ${BUCKET}/*) ;; *) echo "stub aws: outside the bucket: $4" >&2; exit 64;; esac`,
      `dest="${bucket}/\${4#${BUCKET}/}"`,
      'mkdir -p "$(dirname "$dest")" && cp "$3" "$dest"',
      '',
    ].join('\n'),
    duckdb: [
      `#!${process.execPath}`,
      `const { DuckDBInstance } = require(${JSON.stringify(duckdbApi)});`,
      'const args = process.argv.slice(2);',
      "if (args.slice(0, 3).join(' ') !== '-noheader -list -c' || args.length !== 4) {",
      "  console.error('stub duckdb: ' + args.join(' '));",
      '  process.exit(64);',
      '}',
      '(async () => {',
      "  const connection = await (await DuckDBInstance.create(':memory:')).connect();",
      '  const rows = (await connection.runAndReadAll(args[3])).getRows();',
      "  for (const row of rows) console.log(row.join('|'));",
      '})();',
      '',
    ].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe('docs/scale.md: the upload snippet', () => {
  it('files every table of one analysed trace under TABLE/date=D/service=S/RUN_ID.parquet, and the views read it', async () => {
    const scratch = scratchDir('scale-upload');
    const bucket = join(scratch, 'bucket');
    const bin = stubs(scratch, bucket);
    copyFileSync(join(SAMPLES, 'threads.pyflame.txt'), join(scratch, 'trace.txt'));
    const before = new Date().toISOString().slice(0, 10);
    await promisify(execFile)('bash', ['-e', '-c', block('sh', '# sh: upload')], {
      cwd: scratch,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GIT_COMMIT: 'abc123' },
    });
    const after = new Date().toISOString().slice(0, 10);

    const engine = await ParquetEngine.open();
    try {
      for (const statement of block('sql', '-- duckdb: views').replaceAll(BUCKET, bucket).split(/;\s*$/m))
        if (statement.trim() !== '') await engine.run(statement);
      const runs = await engine.rows('SELECT run_id, date, service, source_path FROM runs');
      assert.equal(runs.length, 1);
      const [run] = runs;
      assert.deepEqual([run.service, run.source_path], ['api', 'trace.txt']);
      assert.ok([before, after].includes(run.date as string), `date ${run.date} is the day of the upload (UTC)`);
      for (const table of ANALYSIS_TABLES) {
        const folder = join(bucket, table.name, `date=${run.date}`, 'service=api');
        assert.deepEqual(readdirSync(folder), [`${run.run_id}.parquet`], table.name);
      }
      assert.equal(existsSync(join(bucket, tableFileName('runs'))), false);
      const labels = await engine.rows('SELECT key, value FROM labels ORDER BY key');
      assert.deepEqual(labels, [
        { key: 'commit', value: 'abc123' },
        { key: 'host', value: hostname() },
        { key: 'service', value: 'api' },
      ]);
      const functions = await engine.rows(
        'SELECT count(*) AS n FROM functions WHERE run_id = (SELECT run_id FROM runs)',
      );
      assert.ok((functions[0].n as bigint) > 0n);
    } finally {
      engine.close();
    }
  });
});
