import { STDLIB_MODULES, THIRD_PARTY_MODULES } from './module-names.js';

/** Where a Python function's file lives, which picks its colour family. */
export type Category = 'user' | 'stdlib' | 'third-party' | 'frozen';

export const CATEGORIES: readonly { readonly category: Category; readonly label: string }[] = [
  { category: 'user', label: 'your code' },
  { category: 'stdlib', label: 'standard library' },
  { category: 'third-party', label: 'third-party' },
  { category: 'frozen', label: '<frozen …>' },
];

/**
 * The family of a file. `shortPaths`: a path relative to sys.path, as py-spy prints them
 * (`json/__init__.py`), is classified by its top-level module name; off for traces, where
 * CPython gives library files absolute paths and a relative path is the program's own.
 */
export function categoryOf(file: string, shortPaths = false): Category {
  const path = file.replace(/\\/g, '/');
  if (path.startsWith('<frozen')) return 'frozen';
  if (/\/(site|dist)-packages\//.test(path)) return 'third-party';
  if (/(^|\/)lib\/python\d+(\.\d+)?t?\//i.test(path)) return 'stdlib';
  return (shortPaths ? shortPathCategory(path) : undefined) ?? 'user';
}

/**
 * A path relative to sys.path (no leading `/`, `.` or drive), as py-spy prints them: its top-level
 * module name says stdlib or a well-known third-party package; anything else is undecided.
 */
function shortPathCategory(path: string): Category | undefined {
  if (/^(?:[/.~]|[A-Za-z]:)/.test(path)) return undefined;
  const top = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.pyw?|\.pyx|\/)/.exec(path)?.[1];
  if (top === undefined) return undefined;
  if (STDLIB_MODULES.has(top)) return 'stdlib';
  if (THIRD_PARTY_MODULES.has(top)) return 'third-party';
  return undefined;
}

/** FNV-1a over the UTF-16 code units: a stable hash, the same on every run. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Hue, saturation and lightness ranges of each family. */
const FAMILIES: Record<Category, { hue: number; hueSpread: number; sat: number; light: number; lightSpread: number }> =
  {
    user: { hue: 18, hueSpread: 36, sat: 85, light: 55, lightSpread: 14 }, // red → orange → yellow
    stdlib: { hue: 205, hueSpread: 30, sat: 65, light: 62, lightSpread: 14 }, // blues
    'third-party': { hue: 110, hueSpread: 40, sat: 50, light: 52, lightSpread: 14 }, // greens
    frozen: { hue: 275, hueSpread: 30, sat: 35, light: 66, lightSpread: 12 }, // muted purples
  };

/** The base colour of a family (the legend's swatch). */
export function familyColour(category: Category): string {
  const f = FAMILIES[category];
  return `hsl(${f.hue + f.hueSpread / 2},${f.sat}%,${f.light + f.lightSpread / 2}%)`;
}

/** A frame's fill: its file's family, the shade from a hash of the function name. */
export function frameColour(name: string, file: string, shortPaths = false): string {
  const f = FAMILIES[categoryOf(file, shortPaths)];
  const hash = fnv1a(name);
  const hue = f.hue + ((hash & 0xffff) / 0xffff) * f.hueSpread;
  const light = f.light + ((hash >>> 16) / 0xffff) * f.lightSpread;
  return `hsl(${hue.toFixed(1)},${f.sat}%,${light.toFixed(1)}%)`;
}

export const ROOT_COLOUR = 'hsl(0,0%,78%)';
