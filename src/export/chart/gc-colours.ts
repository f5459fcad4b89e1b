/**
 * GC pauses are greys, darker for older generations (the costlier collections): apart from every
 * family of the Python palette. Generations past 2 share the darkest.
 */
const GC_COLOURS = ['#b0b0b0', '#707070', '#303030'];

export function gcColour(generation: number): string {
  return GC_COLOURS[Math.min(Math.max(generation, 0), GC_COLOURS.length - 1)];
}
