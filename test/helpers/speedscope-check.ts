import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { analyzeTrace } from '../../src/analyze/analyze.js';
import {
  type SpeedscopeOptions,
  type SpeedscopeWritten,
  writeSpeedscope,
} from '../../src/export/speedscope/speedscope.js';
import { TimelineRecorder } from '../../src/export/speedscope/timeline-recorder.js';
import { ROOT } from './paths.js';

export interface EventedProfile {
  type: 'evented';
  name: string;
  startValue: number;
  endValue: number;
  events: Array<{ type: 'O' | 'C'; frame: number; at: number }>;
}

export interface SampledProfile {
  type: 'sampled';
  name: string;
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  name: string;
  exporter: string;
  shared: { frames: Array<{ name: string; file: string; line: number }> };
  profiles: Array<EventedProfile | SampledProfile>;
}

const Ajv = AjvModule.default;
const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(
    readFileSync(join(ROOT, 'node_modules/speedscope/dist/release/file-format-schema.json'), 'utf8'),
  ) as object,
);

/** Valid against the speedscope package's schema. */
export function assertSchemaValid(file: unknown): void {
  assert.ok(validateSchema(file), JSON.stringify(validateSchema.errors?.slice(0, 3)));
}

/** What speedscope's importer refuses (../shared/reference/speedscope.md): checked per evented profile. */
export function assertImportable(file: SpeedscopeFile, label: string): void {
  for (const profile of file.profiles) {
    if (profile.type !== 'evented') continue;
    const stack: number[] = [];
    let last = profile.startValue;
    for (const event of profile.events) {
      assert.ok(event.frame >= 0 && event.frame < file.shared.frames.length, `${label}: frame index`);
      assert.ok(event.at >= last, `${label} ${profile.name}: events in increasing order`);
      last = event.at;
      if (event.type === 'O') stack.push(event.frame);
      else assert.equal(stack.pop(), event.frame, `${label} ${profile.name}: closes the frame on top`);
    }
    assert.deepEqual(stack, [], `${label} ${profile.name}: balanced`);
    assert.ok(last <= profile.endValue, `${label}: within the profile`);
    assert.ok(profile.endValue < 2 ** 53 && Number.isInteger(profile.endValue), 'rebased integer times');
  }
}

/** A call of an evented profile: its frame and when it opened and closed. */
export interface Call {
  frame: number;
  open: number;
  close: number;
}

/** The calls of an evented profile, in the order they opened (a balanced profile). */
export function callsOf(profile: EventedProfile): Call[] {
  const calls: Call[] = [];
  const open: number[] = [];
  for (const event of profile.events) {
    if (event.type === 'O') {
      open.push(calls.length);
      calls.push({ frame: event.frame, open: event.at, close: Number.NaN });
    } else calls[open.pop()!].close = event.at;
  }
  return calls;
}

/** A written speedscope file and what writeSpeedscope says it did. */
export interface WrittenFile {
  text: string;
  written: SpeedscopeWritten;
}

/** A trace analysed once, whose speedscope file can then be written with any options. */
export async function speedscopeWriter(path: string): Promise<(options?: SpeedscopeOptions) => Promise<WrittenFile>> {
  const timeline = new TimelineRecorder();
  const analysis = await analyzeTrace(path, { timeline });
  return async (options = {}) => {
    const parts: Buffer[] = [];
    const written = await writeSpeedscope(
      analysis,
      timeline,
      (chunk) => void parts.push(Buffer.from(chunk)),
      'pyflame test',
      options,
    );
    return { text: Buffer.concat(parts).toString(), written };
  };
}
