/**
 * Why a recording cannot be made (not root, no bpftrace, no markers...): the command prints the
 * message and exits 2. Messages say what to do, not only what is wrong.
 */
export class RecordError extends Error {
  override name = 'RecordError';
}
