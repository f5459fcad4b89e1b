import { fnv1a } from './palette.js';

/**
 * Colours for stacks that are not Python (perf, Java, JavaScript, kernel, Rust...), after the
 * conventions flamegraph.pl users know: warm colours for native code, green for Java and JIT
 * code, aqua for inlined (and wakers), orange for the kernel, yellow for C++. The shades are
 * pyflame's own (hue and lightness from a hash of the name: the same name, the same colour).
 */
export type Family = 'hot' | 'mem' | 'io' | 'red' | 'green' | 'blue' | 'yellow' | 'purple' | 'aqua' | 'orange';

/** Hue range, saturation, lightness range of each family. */
const FAMILIES: Record<Family, { hue: number; hueSpread: number; sat: number; light: number; lightSpread: number }> = {
  hot: { hue: 0, hueSpread: 55, sat: 90, light: 50, lightSpread: 12 },
  mem: { hue: 130, hueSpread: 60, sat: 70, light: 42, lightSpread: 14 },
  io: { hue: 215, hueSpread: 25, sat: 45, light: 58, lightSpread: 16 },
  red: { hue: 0, hueSpread: 8, sat: 75, light: 60, lightSpread: 14 },
  green: { hue: 95, hueSpread: 30, sat: 55, light: 50, lightSpread: 14 },
  blue: { hue: 220, hueSpread: 20, sat: 65, light: 62, lightSpread: 12 },
  yellow: { hue: 52, hueSpread: 10, sat: 70, light: 50, lightSpread: 12 },
  purple: { hue: 285, hueSpread: 20, sat: 50, light: 60, lightSpread: 12 },
  aqua: { hue: 175, hueSpread: 15, sat: 55, light: 48, lightSpread: 12 },
  orange: { hue: 28, hueSpread: 14, sat: 90, light: 50, lightSpread: 10 },
};

/** What a family stands for in a language palette's legend. */
const MEANING: Partial<Record<Family, string>> = {
  red: 'native (C, Rust...)',
  green: 'Java / JIT / JS source',
  aqua: 'inlined / builtin / waker',
  orange: 'kernel',
  yellow: 'C++',
};

/** flamegraph.pl's palette names (`python` is pyflame's own: the Python families). */
export const PALETTES = [
  'python',
  'hot',
  'mem',
  'io',
  'java',
  'js',
  'perl',
  'red',
  'green',
  'blue',
  'aqua',
  'yellow',
  'purple',
  'orange',
] as const;
export type PaletteName = (typeof PALETTES)[number];
/** How a non-Python graph is coloured when no palette is asked for: by language. */
export type LanguagePalette = Exclude<PaletteName, 'python'> | 'auto';

/** The annotation some collapsers append to a frame: kernel, inlined, JIT, waker. */
const ANNOTATION = /_\[([kijw])\]$/;

export function annotationOf(label: string): 'k' | 'i' | 'j' | 'w' | undefined {
  return ANNOTATION.exec(label)?.[1] as 'k' | 'i' | 'j' | 'w' | undefined;
}

/** The label without its annotation (shown and searched so, as flamegraph.pl shows it). */
export function withoutAnnotation(label: string): string {
  return label.replace(ANNOTATION, '');
}

const JAVA_PACKAGE = /^L?(?:java|javax|jdk|net|org|com|io|sun)\//;

/** The family of a frame by what its label says it is (annotation first, then its form). */
function languageFamily(palette: 'java' | 'js' | 'perl' | 'auto', label: string): Family {
  const note = annotationOf(label);
  if (palette === 'perl') {
    if (label.includes('::')) return 'yellow';
    if (label.includes('Perl') || label.includes('.pl')) return 'green';
    return note === 'k' ? 'orange' : 'red';
  }
  if (palette === 'js') {
    if (note === 'j') return label.includes('/') ? 'green' : 'aqua';
    if (label.includes('::')) return 'yellow';
    if (/\/.*\.js/.test(label)) return 'green';
    if (label.includes(':')) return 'aqua';
    if (label === ' ') return 'green';
    return note === 'k' ? 'orange' : 'red';
  }
  // java, and auto (any language, annotations and Java/C++ forms recognized).
  if (note === 'j') return 'green';
  if (note === 'i' || note === 'w') return 'aqua';
  if (JAVA_PACKAGE.test(label) || label.includes(':::')) return 'green';
  if (note === 'k') return 'orange';
  if (label.includes('::')) return 'yellow';
  return 'red';
}

/** Whether a label shows anything the language rules go by. */
function hasLanguageMarks(label: string): boolean {
  return annotationOf(label) !== undefined || JAVA_PACKAGE.test(label) || label.includes('::');
}

/** A colour in a family, its shade from a hash of the name. */
export function familyFill(family: Family, name: string): string {
  const f = FAMILIES[family];
  const hash = fnv1a(name);
  const hue = f.hue + ((hash & 0xffff) / 0xffff) * f.hueSpread;
  const light = f.light + ((hash >>> 16) / 0xffff) * f.lightSpread;
  return `hsl(${hue.toFixed(1)},${f.sat}%,${light.toFixed(1)}%)`;
}

function familySwatch(family: Family): string {
  const f = FAMILIES[family];
  return `hsl(${f.hue + f.hueSpread / 2},${f.sat}%,${f.light + f.lightSpread / 2}%)`;
}

/** Separator frames flamegraph.pl draws grey: `-` (user/kernel) and `--` (waker chains). */
const SEPARATORS: Record<string, string> = { '-': 'hsl(0,0%,63%)', '--': 'hsl(0,0%,50%)' };

export interface LanguageColouring {
  /** A frame's fill from its whole label (annotation included). */
  fill(label: string): string;
  /** The families drawn, in a fixed order, with what they mean. */
  readonly legend: readonly { readonly colour: string; readonly label: string }[];
}

/**
 * Colours for these labels: one family for the theme palettes (hot, mem, io, red...), the
 * language rules for java, js, perl; `auto` uses the language rules when some label carries an
 * annotation or a Java/C++ form, else `hot` (flamegraph.pl's default).
 */
export function languageColouring(palette: LanguagePalette, labels: readonly string[]): LanguageColouring {
  const effective = palette === 'auto' ? (labels.some(hasLanguageMarks) ? 'auto' : 'hot') : palette;
  const familyOf = (label: string): Family =>
    effective === 'java' || effective === 'js' || effective === 'perl' || effective === 'auto'
      ? languageFamily(effective, label)
      : effective;
  const used = new Set<Family>();
  for (const label of labels) if (SEPARATORS[label] === undefined) used.add(familyOf(label));
  const order: Family[] = ['red', 'orange', 'yellow', 'green', 'aqua', 'blue', 'purple', 'hot', 'mem', 'io'];
  const multi = effective === 'java' || effective === 'js' || effective === 'perl' || effective === 'auto';
  const legend = multi
    ? order
        .filter((family) => used.has(family))
        .map((family) => ({ colour: familySwatch(family), label: MEANING[family] ?? family }))
    : [{ colour: familySwatch(effective), label: `palette: ${effective}` }];
  return {
    fill: (label) => SEPARATORS[label] ?? familyFill(familyOf(label), withoutAnnotation(label)),
    legend,
  };
}
