import { UNKNOWN_ID } from '../model/event-batch.js';

/** How outputs name a thread: `pid 12 tid 34`, `tid 34`, or `thread` when the format records neither. */
export function threadLabel(pid: number, tid: number): string {
  if (pid === UNKNOWN_ID && tid === UNKNOWN_ID) return 'thread';
  if (pid === UNKNOWN_ID) return `tid ${tid}`;
  return `pid ${pid} tid ${tid}`;
}
