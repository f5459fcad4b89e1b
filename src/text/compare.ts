// Comparators for sorting: the orders every output uses, so ties break the same way everywhere
// and output stays deterministic. Text is compared by UTF-16 code units (not localeCompare,
// whose order depends on the machine's locale).

/** Text in code-unit order. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A function's identity, for breaking ties between rows that rank equal. */
export interface FunctionKey {
  readonly file: string;
  readonly name: string;
  readonly line: number;
}

/** Functions by file, then name, then line: the tie-break of every function table. */
export function compareFunctionKeys(a: FunctionKey, b: FunctionKey): number {
  return compareText(a.file, b.file) || compareText(a.name, b.name) || a.line - b.line;
}
