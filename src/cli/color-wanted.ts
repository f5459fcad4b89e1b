/** Are colours wanted on this stream? NO_COLOR (non-empty) disables, FORCE_COLOR forces, TERM=dumb disables, else a TTY. */
export function colorWanted(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  // A dumb terminal (Emacs' shell, some CI logs) shows escape codes as text.
  if (env.TERM === 'dumb') return false;
  return (stream as NodeJS.WriteStream).isTTY === true;
}
