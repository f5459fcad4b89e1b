import { UNKNOWN_ID } from '../model/event-batch.js';

/**
 * How outputs name a thread: `pid 12 tid 34`, `tid 34`, or `thread` when the format records
 * neither; with the thread's name first when the recorder wrote it (`MainThread (pid 12 tid 34)`).
 * The name is untrusted text: escape it where it lands.
 */
export function threadLabel(pid: number, tid: number, name?: string): string {
  const ids =
    pid === UNKNOWN_ID && tid === UNKNOWN_ID ? 'thread' : pid === UNKNOWN_ID ? `tid ${tid}` : `pid ${pid} tid ${tid}`;
  return name === undefined || name === '' ? ids : `${name} (${ids})`;
}
