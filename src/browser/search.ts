// The regular-expression search shared by the flame graph and the flame chart.

/** Asks for a regular expression to search for; null when the dialog is cancelled. */
export function askPattern(ignoreCase: boolean, current: string | null): string | null {
  return window.prompt(
    `Search for a function (regular expression)${ignoreCase ? ', ignoring case' : ''}`,
    current ?? '',
  );
}

/** The pattern as a RegExp (null for none), or why it is not one (shown instead of the match count). */
export function compilePattern(pattern: string | null, ignoreCase: boolean): { re: RegExp | null } | { error: string } {
  if (pattern === null || pattern === '') return { re: null };
  try {
    return { re: new RegExp(pattern, ignoreCase ? 'i' : '') };
  } catch (e) {
    return { error: `Bad regex: ${(e as Error).message}` };
  }
}

/** True for Ctrl-F (Cmd-F on a Mac). */
export function isFindKey(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F');
}
