import { MAX_SPAN_NS, MAX_TIMESTAMP_NANOS, MAX_TIMESTAMP_SECONDS } from './limits.js';

const NS_PER_S = 1e9;
const TOO_LARGE = 'is more than 2^63 - 1 ns (9223372036854775807)';
const TOO_LARGE_NUMBER = 'is more than 2^53 - 1 ns (the most this format holds exactly)';
const TOO_FAR = "is more than 2^53 - 1 ns (104 days) from the trace's first event";

/**
 * Exact integer timestamps without BigInt on the hot path.
 *
 * Recorded clocks print integer nanoseconds that may be epoch-sized (~1.7e18, beyond 2^53), where a
 * double would round them to 256 ns. The first timestamp of a trace becomes the exact `base`
 * (a bigint); every event keeps `ts = value - base` as a double, exact while the trace spans less
 * than 2^53 ns (104 days). The decimal digits are split into seconds and nanoseconds so that the
 * subtraction never passes through an inexact double.
 *
 * A timestamp past 2^63 - 1 ns, or more than 2^53 - 1 ns from the base, cannot be held that way:
 * it is refused (NaN, with the reason in `refused`), and the event is skipped by the parser.
 */
export class TimeBase {
  private baseSeconds = 0;
  private baseNanos = 0;
  private baseSet = false;
  /** seconds * 1e9 + nanos as a double, meaningful when baseIsSmall. */
  private baseValue = 0;
  private baseIsSmall = false;

  private baseBigInt = 0n;

  /** Why the last NaN was returned (for the parser's out-of-range warning). */
  refused = '';

  /** The absolute value of ts = 0, once a timestamp has been seen (0n before). */
  get base(): bigint {
    return this.baseBigInt;
  }

  get isSet(): boolean {
    return this.baseSet;
  }

  /** The base as [seconds, nanoseconds], once set (to copy it to another TimeBase). */
  get parts(): [number, number] | undefined {
    return this.baseSet ? [this.baseSeconds, this.baseNanos] : undefined;
  }

  /** Fixes the base explicitly (formats whose timestamps are already relative use 0). */
  setBase(seconds: number, nanos: number): void {
    this.baseSeconds = seconds;
    this.baseNanos = nanos;
    this.baseSet = true;
    this.baseValue = seconds * NS_PER_S + nanos;
    this.baseBigInt = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
    this.baseIsSmall = Number.isSafeInteger(this.baseValue);
  }

  /**
   * The relative ns of the unsigned decimal integer in the ASCII digits bytes[start, end); the
   * caller has checked that they are all digits. The first call sets the base.
   */
  fromDecimal(bytes: Uint8Array, start: number, end: number): number {
    const split = end - 9 > start ? end - 9 : start;
    let seconds = 0;
    for (let i = start; i < split; i++) seconds = seconds * 10 + (bytes[i] - 48);
    let nanos = 0;
    for (let i = split; i < end; i++) nanos = nanos * 10 + (bytes[i] - 48);
    // Rounding keeps order, so a rounded (or Infinite) count of seconds still compares right.
    if (seconds > MAX_TIMESTAMP_SECONDS || (seconds === MAX_TIMESTAMP_SECONDS && nanos > MAX_TIMESTAMP_NANOS))
      return this.refuse(TOO_LARGE);
    if (!this.baseSet) this.setBase(seconds, nanos);
    // Exact whenever within the span: the seconds part is a multiple of 2^9 below 2^63.
    const ts = (seconds - this.baseSeconds) * NS_PER_S + (nanos - this.baseNanos);
    return ts > MAX_SPAN_NS || ts < -MAX_SPAN_NS ? this.refuse(TOO_FAR) : ts;
  }

  /**
   * fromDecimal for a value the caller already parsed as a double from at most 15 digits (so it is
   * exact); the common case of boot-clock timestamps, without a second pass over the digits.
   */
  fromExact(value: number, bytes: Uint8Array, start: number, end: number): number {
    if (this.baseSet && this.baseIsSmall) return value - this.baseValue;
    return this.fromDecimal(bytes, start, end);
  }

  /** The relative ns of a decimal string of ns (formats read as text, such as CSV). */
  fromDecimalString(digits: string): number {
    return this.fromDecimal(Buffer.from(digits, 'latin1'), 0, digits.length);
  }

  /** The relative ns of an absolute ns value given as a safe integer (small clocks, µs formats). */
  fromNumber(absoluteNs: number): number {
    if (!(absoluteNs <= MAX_SPAN_NS && absoluteNs >= -MAX_SPAN_NS)) return this.refuse(TOO_LARGE_NUMBER);
    const seconds = Math.floor(absoluteNs / NS_PER_S);
    const nanos = absoluteNs - seconds * NS_PER_S;
    if (!this.baseSet) this.setBase(seconds, nanos);
    const ts = (seconds - this.baseSeconds) * NS_PER_S + (nanos - this.baseNanos);
    return ts > MAX_SPAN_NS || ts < -MAX_SPAN_NS ? this.refuse(TOO_FAR) : ts;
  }

  private refuse(reason: string): number {
    this.refused = reason;
    return NaN;
  }

  /** The exact absolute timestamp of a relative one, as a decimal string. */
  absolute(relativeNs: number): string {
    const total = this.baseNanos + relativeNs;
    if (Number.isSafeInteger(this.baseSeconds * NS_PER_S + total) && this.baseSeconds < 9007199) {
      return String(this.baseSeconds * NS_PER_S + total);
    }
    return (this.base + BigInt(relativeNs)).toString();
  }
}
