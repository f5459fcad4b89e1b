import type { RunDiff } from '../../diff/compare.js';
import type { Finding, Gate } from '../../diff/rules.js';
import type { OutputTable } from './output-spec.js';

/** What a diff output is made from: the comparison, the gate and what it found, and the flags that shape outputs. */
export interface ComparedRuns {
  readonly diff: RunDiff;
  readonly gate: Gate;
  readonly findings: readonly Finding[];
  readonly top: number;
  readonly minWidthPercent: number;
  readonly inverted: boolean;
}

/** What a diff output may need beyond the comparison: call paths on both sides (a --json result of an older pyflame has none). */
export type DiffNeed = 'call paths';

/**
 * The documents `pyflame diff` writes beside its report, named after HEAD. Adding one is adding an
 * entry here (test/outputs-table.test.ts checks that each is complete and written).
 */
export const DIFF_OUTPUTS: OutputTable<ComparedRuns, DiffNeed> = {
  command: 'diff',
  nameWord: 'head',
  outputs: [
    {
      flag: 'json',
      describe: 'write the diff as JSON',
      suffix: '.diff.json',
      stdout: true,
      needs: [],
      write: {
        text: async ({ diff, gate, findings }) =>
          (await import('../../diff/render/json.js')).diffJsonText(diff, gate, findings),
      },
    },
    {
      flag: 'markdown',
      describe: 'write a Markdown report (job summary, PR comment)',
      suffix: '.diff.md',
      stdout: true,
      needs: [],
      write: {
        text: async ({ diff, gate, findings, top }) =>
          (await import('../../diff/render/markdown.js')).renderDiffMarkdown(diff, gate, findings, { top }),
      },
    },
    {
      flag: 'svg',
      describe: 'write a differential flame graph (width HEAD, colour change)',
      suffix: '.diff.svg',
      stdout: true,
      needs: ['call paths'],
      write: {
        text: async ({ diff, minWidthPercent, inverted }) =>
          (await import('../../diff/render/svg.js')).diffFlameGraphSvg(diff, { minWidthPercent, inverted }),
      },
    },
  ],
};
