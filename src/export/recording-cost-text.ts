import type { Analysis, FunctionStats } from '../analyze/analysis.js';
import { timeWithError, type TimeKind } from '../analyze/uncertainty.js';
import { formatDuration } from '../text/units.js';

/** `± 1.2 ms` (or `–` with nothing taken out). */
export function errorText(stats: FunctionStats, kind: TimeKind): string {
  const { errorNs } = timeWithError(stats, kind);
  return stats.error === undefined ? '–' : `±${formatDuration(Math.round(errorNs))}`;
}

/**
 * The summary's line on the recording's cost, or undefined when none was taken out:
 * `29.6 s of 30.2 s taken out (the bpftrace recorder's calibration): the run took 0.6 s ± 1.2 s`.
 */
export function recordingCostLine(analysis: Analysis): string | undefined {
  const cost = analysis.recordingCost;
  if (cost === undefined) return undefined;
  const removed = cost.durationNsRaw - analysis.durationNs;
  const recorder = cost.stated.recorder === undefined ? 'the recorder' : `the ${cost.stated.recorder} recorder`;
  const line = `${formatDuration(removed)} of ${formatDuration(cost.durationNsRaw)} taken out (${recorder}'s calibration of its probes' cost); the run took ${formatDuration(analysis.durationNs)} ± ${formatDuration(Math.round(cost.durationNsError))} (--overhead 0: times as recorded)`;
  return setprofileSlows(cost.stated)
    ? `${line}. On CPython 3.8-3.11 the in-process recorder's profiler hook also slows Python code that fires nothing (loops without calls: +25-45% measured), which no count of firings takes out`
    : line;
}

/** Recorded in-process on 3.8-3.11 (sys.setprofile: every bytecode runs slower while it is set)? */
function setprofileSlows(stated: Readonly<Record<string, string>>): boolean {
  const version = /^3\.(\d+)/.exec(stated.python ?? '');
  return stated.recorder === 'inprocess' && version !== null && Number(version[1]) <= 11;
}

/** The note under a function table with uncertainties: what `~` and ± mean. */
export const UNCERTAINTY_NOTE =
  "± is the uncertainty of the corrected time (the recorder's stated cost per probe firing, over the firings inside). ~ marks a time within its uncertainty: it may be all recording cost, so it is ranked after the measured ones, not as hot.";
