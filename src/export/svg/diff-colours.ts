/** Colours of a differential flame graph: change in a frame's total time, new and vanished paths. */
export const DIFF_COLOURS = {
  grew: 'rgb(230,60,50)',
  shrank: 'rgb(50,110,230)',
  same: 'rgb(235,232,225)',
  new: 'rgb(170,90,210)',
  vanished: 'rgb(170,180,190)',
} as const;

/**
 * Mixes the unchanged colour towards red (grew) or blue (shrank) by `strength` (0..1): the
 * square root, so a change a quarter the size of the largest still shows at half strength.
 */
export function changeColour(strength: number, grew: boolean): string {
  const [r0, g0, b0] = [235, 232, 225];
  const [r1, g1, b1] = grew ? [230, 60, 50] : [50, 110, 230];
  const t = Math.sqrt(Math.min(1, Math.max(0, strength)));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(r0, r1)},${mix(g0, g1)},${mix(b0, b1)})`;
}
