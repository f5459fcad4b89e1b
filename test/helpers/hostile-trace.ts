import { writeScratch } from './scratch.js';

/** Names that try to break out of every context a report puts a name in. */
export const HOSTILE = {
  fn: '</script><script>alert(1)</script>',
  file: `/t/"'><img src=x onerror=alert(2)>\u2028\x01.py`,
  other: `q"uo'te&amp;\u2029<!--`,
  module: '<script>alert(3)</script>',
  audit: '</svg><script>alert(4)</script>',
} as const;

/**
 * A pyflame-format trace whose function, file, import and audit names are HOSTILE: calls, a GC
 * pause and an import, so every section of a report shows one.
 */
export function writeHostileTrace(dir: string): string {
  const { fn, file, other, module, audit } = HOSTILE;
  return writeScratch(
    dir,
    [
      `# pyflame-trace v1 clock=boot_ns python=/bin/py</script>`,
      `100\t1\t1\tfunction__entry\t${file}\t${fn}\t1`,
      `110\t1\t1\tfunction__entry\t${file}\t${other}\t5`,
      `120\t1\t1\tgc__start\t2`,
      `130\t1\t1\tgc__done\t5`,
      `140\t1\t1\timport__find__load__start\t${module}`,
      `150\t1\t1\timport__find__load__done\t${module}\t0`,
      `160\t1\t1\taudit\t${audit}`,
      `170\t1\t1\tfunction__return\t${file}\t${other}\t6`,
      `200\t1\t1\tfunction__return\t${file}\t${fn}\t3`,
      '',
    ].join('\n'),
    'hostile.txt',
  );
}
