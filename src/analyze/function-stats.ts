import { DurationList } from './duration-store.js';

/** One function's accumulators on one thread. */
export class FunctionAccumulator {
  /** Entries (calls and generator resumes), as cProfile counts them. */
  calls = 0;
  /** Returns seen (also counted where entries are missing: return-only traces). */
  returns = 0;
  /** Inclusive time of outermost activations only (recursion is not counted twice). */
  totalNs = 0;
  selfNs = 0;
  /** Of the self time, how long the thread was off the CPU (only traces with scheduler switches). */
  offCpuNs = 0;
  /** Of that, how long it stayed runnable, waiting for a CPU (preempted). */
  runQueueNs = 0;
  /** Activations not seen whole (began before the trace or the window, or never returned). */
  partial = 0;
  /** Inclusive durations of every complete activation, inner recursive ones included (see DurationStore). */
  readonly durations = new DurationList();
  /** Open activations of this function on the thread's stack (for "outermost"). */
  active = 0;
}
