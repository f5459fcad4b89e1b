/**
 * The <svg> the running script sits in (null when it sits in none). Each graph's script looks only
 * inside its own <svg>, so several graphs inlined in one page stay apart. Call it while the script
 * first runs: document.currentScript is null afterwards (in event handlers).
 */
export function ownSvg(): SVGSVGElement | null {
  const script = document.currentScript;
  return script === null ? null : script.closest('svg');
}
