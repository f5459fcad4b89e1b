import { NO_REF, UNKNOWN_ID, type EventBatch } from '../../model/event-batch.js';
import { EVENT_KIND_NAMES, kindHasFrame } from '../../model/event-kind.js';
import type { FrameTable } from '../../model/frame-table.js';
import type { TraceContext } from '../../parse/read-trace.js';
import { MAX_NUMBER_BYTES, writeAbsoluteNs, writeAscii, writeNumber } from './ascii-numbers.js';
import { ByteChunks } from './byte-chunks.js';
import { kindHasValue } from './csv.js';
import { copyBytes, EncodedStrings } from './encoded-strings.js';
import { batchText, type EventLogFormat, type EventLogWriter } from './event-log-format.js';

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text);

const TS_START = bytesOf('{"ts_ns":"');
const PID = bytesOf('","pid":');
const TID = bytesOf(',"tid":');
/** After ts_ns when there is no pid. */
const TS_END = bytesOf('"');
/** Per kind: its "event" member, as bytes. */
const EVENT_MEMBERS = EVENT_KIND_NAMES.map((name) => bytesOf(`,"event":"${name}"`));
const FILE = bytesOf(',"file":');
const FUNCTION = bytesOf(',"function":');
const LINE = bytesOf(',"line":');
const VALUE = bytesOf(',"value":');
const NAME = bytesOf(',"name":');
const SOURCE_LINE = bytesOf(',"source_line":');
const END = bytesOf('}\n');
/** Per kind: 1 when it has a frame (file, function, line), 2 when a value, 3 both. */
const KIND_MEMBERS = Uint8Array.from(
  EVENT_KIND_NAMES,
  (_, kind) => (kindHasFrame(kind) ? 1 : 0) | (kindHasValue(kind) ? 2 : 0),
);
/** An object's bytes besides its names: six numbers and the member names and punctuation. */
const OBJECT_BYTES_BESIDES_NAMES = 6 * MAX_NUMBER_BYTES + 160;
/** Beyond this, room is made for each object by its own size. */
const MAX_ROOM_FOR_ANY_OBJECT = 64 * 1024;

/**
 * One JSON object per event. `ts_ns` is a string: recorded clocks can exceed 2^53 and JSON readers
 * would round the number. Written as bytes in large chunks, like the CSV (csv.ts): each name is
 * JSON-encoded once, numbers are written as digits in place.
 */
class JsonlWriter implements EventLogWriter {
  private readonly json = new EncodedStrings(JSON.stringify);
  private chunks: ByteChunks | undefined;

  begin(_trace: TraceContext | undefined): string {
    return '';
  }

  batch(batch: EventBatch, trace: TraceContext, write: (bytes: Uint8Array) => void): void;
  batch(batch: EventBatch, trace: TraceContext): string;
  batch(batch: EventBatch, trace: TraceContext, write?: (bytes: Uint8Array) => void): string | undefined {
    return batchText((to) => this.writeBatch(batch, trace, to), write);
  }

  private writeBatch(batch: EventBatch, trace: TraceContext, write: (bytes: Uint8Array) => void): void {
    const { frames, time } = trace;
    const json = this.json;
    json.update(frames.strings);
    const bytes = json.bytes;
    const bytesView = json.view;
    const offsets = json.offsets;
    const base = time.parts;
    const baseSeconds = base?.[0] ?? 0;
    const baseNanos = base?.[1] ?? 0;
    const out = (this.chunks ??= new ByteChunks());
    const anyObject = OBJECT_BYTES_BESIDES_NAMES + 3 * json.longest;
    const exact = anyObject > MAX_ROOM_FOR_ANY_OBJECT;
    const { kind: kinds, ts, pid, tid, frame: frameIds, value, name: names, srcLine } = batch;
    let buf = out.buf;
    let view = out.view;
    let pos = out.pos;
    for (let i = 0; i < batch.length; i++) {
      const objectBytes = exact ? objectBytesOf(batch, i, frames, offsets) : anyObject;
      if (pos + objectBytes > buf.length) {
        out.pos = pos;
        out.reserve(objectBytes, write);
        buf = out.buf;
        view = out.view;
        pos = out.pos;
      }
      const kind = kinds[i];
      const members = KIND_MEMBERS[kind];
      pos = put(TS_START, buf, pos);
      const at = base === undefined ? -1 : writeAbsoluteNs(buf, pos, baseSeconds, baseNanos, ts[i]);
      pos = at < 0 ? writeAscii(buf, pos, time.absolute(ts[i])) : at;
      if (pid[i] !== UNKNOWN_ID) {
        pos = put(PID, buf, pos);
        pos = writeNumber(buf, pos, pid[i]);
      } else pos = put(TS_END, buf, pos);
      if (tid[i] !== UNKNOWN_ID) {
        pos = put(TID, buf, pos);
        pos = writeNumber(buf, pos, tid[i]);
      }
      pos = put(EVENT_MEMBERS[kind], buf, pos);
      const frame = frameIds[i];
      if ((members & 1) !== 0 && frame !== NO_REF) {
        const file = frames.fileId(frame);
        pos = put(FILE, buf, pos);
        pos = copyBytes(bytes, bytesView, offsets[file], offsets[file + 1], buf, view, pos);
        const func = frames.funcId(frame);
        pos = put(FUNCTION, buf, pos);
        pos = copyBytes(bytes, bytesView, offsets[func], offsets[func + 1], buf, view, pos);
        pos = put(LINE, buf, pos);
        pos = writeNumber(buf, pos, frames.line(frame));
      }
      if ((members & 2) !== 0) {
        pos = put(VALUE, buf, pos);
        pos = writeNumber(buf, pos, value[i]);
      }
      const name = names[i];
      if (name !== NO_REF) {
        pos = put(NAME, buf, pos);
        pos = copyBytes(bytes, bytesView, offsets[name], offsets[name + 1], buf, view, pos);
      }
      pos = put(SOURCE_LINE, buf, pos);
      pos = writeNumber(buf, pos, srcLine[i]);
      pos = put(END, buf, pos);
    }
    out.pos = pos;
    out.flush(write);
  }
}

/** Copies a short constant piece. */
function put(piece: Uint8Array, buf: Uint8Array, pos: number): number {
  for (let k = 0; k < piece.length; k++) buf[pos + k] = piece[k];
  return pos + piece.length;
}

/** The most bytes event `i` takes as an object (its names' JSON as it is). */
function objectBytesOf(batch: EventBatch, i: number, frames: FrameTable, offsets: Uint32Array): number {
  let bytes = OBJECT_BYTES_BESIDES_NAMES;
  const frame = batch.frame[i];
  if ((KIND_MEMBERS[batch.kind[i]] & 1) !== 0 && frame !== NO_REF) {
    const file = frames.fileId(frame);
    const func = frames.funcId(frame);
    bytes += offsets[file + 1] - offsets[file] + offsets[func + 1] - offsets[func];
  }
  const name = batch.name[i];
  if (name !== NO_REF) bytes += offsets[name + 1] - offsets[name];
  return bytes;
}

export const jsonlEventLog: EventLogFormat = {
  name: 'jsonl',
  extension: 'jsonl',
  description: 'one JSON object per event (ts_ns as a string, exact)',
  create: () => new JsonlWriter(),
};
