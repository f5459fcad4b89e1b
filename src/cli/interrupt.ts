/**
 * What must be undone on the terminal when the process is stopped by a signal (a progress bar's
 * open line, a hidden cursor). Hooks run once, in the order they were added.
 */
const hooks = new Set<() => void>();

/** Adds a hook; the returned function removes it (when the work it guards has ended). */
export function onInterrupt(hook: () => void): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

export function runInterruptHooks(): void {
  for (const hook of [...hooks]) {
    hooks.delete(hook);
    try {
      hook();
    } catch {
      // The process is ending: one hook failing must not keep the others from running.
    }
  }
}
