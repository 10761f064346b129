import { performance } from 'node:perf_hooks';
import { MAX_TIMER_MS, setLongTimeout } from './long-timer.ts';

/** A scheduled callback; `clear()` cancels it (harmless after it fired or was cleared). */
export interface Timer {
  clear(): void;
}

export interface TimerOptions {
  /**
   * Keep the process alive while this timer is pending. Off by default: the engine's background
   * timers (sweeps, arrivals, the duration limit) must not hold a finished process open; only a
   * wait the run's result depends on (the end-of-run grace) keeps it alive.
   */
  keepAlive?: boolean;
}

/**
 * Monotonic milliseconds (fractional) and the timers that run on them. Injected everywhere the
 * engine measures or waits, so tests can drive time: with ManualClock, a test moves time by hand
 * and every engine timer (arrivals, ramp, timeout sweep, per-second tick, duration, grace) fires
 * exactly when the test says.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number, opts?: TimerOptions): Timer;
  setInterval(fn: () => void, ms: number, opts?: TimerOptions): Timer;
}

function nodeTimer(t: NodeJS.Timeout, opts: TimerOptions | undefined): Timer {
  if (opts?.keepAlive !== true) t.unref();
  return { clear: () => clearTimeout(t) };
}

// The globals are looked up at call time, so node:test's mock timers apply to the system clock too.
// A delay past Node's 32-bit timer limit (a --duration of weeks) is cut into legal pieces; such a
// wait never needs to keep the process alive.
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms, opts) => (ms > MAX_TIMER_MS ? setLongTimeout(fn, ms) : nodeTimer(setTimeout(fn, ms), opts)),
  setInterval: (fn, ms, opts) => nodeTimer(setInterval(fn, ms), opts),
};

interface ManualTimer {
  due: number;
  /** Insertion order: timers due at the same moment fire in the order they were set. */
  seq: number;
  /** Repeat period for an interval; undefined for a one-shot timer. */
  every: number | undefined;
  fn: () => void;
  live: boolean;
}

/**
 * A clock tests move by hand. Its timers fire only inside advance()/set(), in due order, each
 * with now() equal to its due time; an interval re-arms itself. Nothing happens between calls, so
 * a test decides exactly when arrivals, timeouts and the end of a run happen.
 */
export class ManualClock implements Clock {
  private readonly timers: ManualTimer[] = [];
  private seq = 0;

  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  /** Timers set and not yet fired (intervals count until cleared). */
  get pending(): number {
    return this.timers.filter((x) => x.live).length;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Timer {
    // A period of 0 would fire for ever inside one advance(); real intervals have 1 ms minimum too.
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Moves time forward by `ms`, firing every timer that comes due on the way. */
  advance(ms: number): void {
    this.runUntil(this.t + Math.max(0, ms));
  }

  /** Moves time to `ms` (never backwards for timers: those already due fire at their due time). */
  set(ms: number): void {
    if (ms < this.t) {
      this.t = ms;
      return;
    }
    this.runUntil(ms);
  }

  private add(fn: () => void, ms: number, every: number | undefined): Timer {
    const timer: ManualTimer = { due: this.t + (every ?? Math.max(0, ms)), seq: this.seq++, every, fn, live: true };
    this.timers.push(timer);
    return {
      clear: () => {
        timer.live = false;
      },
    };
  }

  private runUntil(target: number): void {
    for (;;) {
      let next: ManualTimer | undefined;
      for (const x of this.timers) {
        if (x.live && x.due <= target && (next === undefined || x.due < next.due || (x.due === next.due && x.seq < next.seq))) next = x;
      }
      if (next === undefined) break;
      this.t = Math.max(this.t, next.due);
      if (next.every === undefined) next.live = false;
      else {
        next.due += next.every;
        next.seq = this.seq++;
      }
      next.fn();
    }
    // Drop fired and cleared timers so a long test does not scan them for ever.
    for (let i = this.timers.length - 1; i >= 0; i--) if (!(this.timers[i] as ManualTimer).live) this.timers.splice(i, 1);
    this.t = Math.max(this.t, target);
  }
}
