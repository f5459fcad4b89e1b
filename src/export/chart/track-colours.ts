/**
 * Colours of the chart's own tracks, apart from every family of the Python palette (reds to
 * yellows, blues, greens, purples). GC pauses are greys, darker for older generations (the
 * costlier collections); generations past 2 share the darkest.
 */
const GC_COLOURS = ['#b0b0b0', '#707070', '#303030'];

export function gcColour(generation: number): string {
  return GC_COLOURS[Math.min(Math.max(generation, 0), GC_COLOURS.length - 1)];
}

/** Imports are teal; one that found no module is paler. */
export function importColour(found: boolean): string {
  return found ? 'hsl(172,42%,60%)' : 'hsl(172,22%,82%)';
}
