import type { Clock, Timer } from './clock.ts';
import { Prng } from './prng.ts';

/**
 * The concurrency engine: a live-resizable limiter and the two load models that feed it.
 *
 * Closed loop: at most `limit` requests in flight; a finished request immediately makes room for
 * the next. Latency is service time.
 * Open loop: arrivals follow a plan (constant or Poisson, seeded) independent of how fast the
 * server answers; tickets wait in a FIFO for a slot, and latency is counted from each ticket's
 * intended start so a slow server cannot hide its slowness by slowing the client
 * (coordinated omission).
 *
 * Timers run on the injected clock (a test moves time by hand) and never keep the process alive:
 * the engine's own lifecycle decides when the process may exit.
 */

/** A live-resizable counting limiter. Lowering the limit never aborts: holders drain naturally. */
export class Limiter {
  private held = 0;

  constructor(private max: number) {
    if (!(max >= 1)) throw new RangeError('limit must be >= 1');
  }

  get limit(): number {
    return this.max;
  }
  get inFlight(): number {
    return this.held;
  }
  get available(): number {
    return Math.max(0, this.max - this.held);
  }

  setLimit(n: number): void {
    this.max = Math.max(1, Math.floor(n));
  }

  tryAcquire(): boolean {
    if (this.held >= this.max) return false;
    this.held++;
    return true;
  }

  release(): void {
    if (this.held === 0) throw new Error('Limiter.release without acquire');
    this.held--;
  }
}

export type Arrival = 'constant' | 'poisson';

/** What the scheduler asks its owner to do. */
export interface LoadHost {
  /** Launch one request; call `done()` exactly once when it has finished (any outcome). */
  launch(ticket: Ticket, done: () => void): void;
  /** A ticket waited longer than the drop cap; it never ran. */
  drop(ticket: Ticket): void;
  /** May another request start (stop conditions not yet met)? */
  canStart(): boolean;
}

export interface Ticket {
  /** Intended start, ms on the engine clock. Closed loop: the moment the slot was granted. */
  intendedMs: number;
}

export interface SchedulerOptions {
  clock: Clock;
  host: LoadHost;
  concurrency: number;
  /** Seconds to reach `concurrency` from 1 (closed loop only); 0 = at once. */
  rampSeconds?: number;
}

interface OpenLoopOptions extends SchedulerOptions {
  rate: number;
  arrival: Arrival;
  seed: number;
  /** Tickets older than this when a slot frees up are dropped. */
  maxQueueDelayMs: number;
  /** Hard bound on waiting tickets; arrivals beyond it are dropped at once. */
  maxQueueLength?: number;
}

/** Shared behaviour: pause, resume, live resize, ramp. */
export abstract class BaseScheduler {
  protected readonly limiter: Limiter;
  protected readonly clock: Clock;
  protected readonly host: LoadHost;
  protected paused = false;
  protected stopped = false;
  private target: number;
  private rampTimer: Timer | undefined;

  constructor(opts: SchedulerOptions) {
    this.clock = opts.clock;
    this.host = opts.host;
    this.target = Math.max(1, Math.floor(opts.concurrency));
    const ramp = opts.rampSeconds ?? 0;
    this.limiter = new Limiter(ramp > 0 ? 1 : this.target);
    if (ramp > 0) this.startRamp(ramp);
  }

  get concurrency(): number {
    return this.target;
  }
  /** The limit in force right now (below `concurrency` while ramping). */
  get effectiveLimit(): number {
    return this.limiter.limit;
  }
  get inFlight(): number {
    return this.limiter.inFlight;
  }
  get isPaused(): boolean {
    return this.paused;
  }

  /** Raising starts requests at once; lowering lets in-flight requests finish. */
  setConcurrency(n: number): void {
    this.target = Math.max(1, Math.floor(n));
    this.stopRamp();
    this.limiter.setLimit(this.target);
    this.pump();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.onResume();
    this.pump();
  }

  /** Stops scheduling new work. In-flight requests are the owner's to abort. */
  stop(): void {
    this.stopped = true;
    this.stopRamp();
  }

  abstract start(): void;
  abstract get queued(): number;
  protected abstract pump(): void;
  protected onResume(): void {}

  protected run(ticket: Ticket): void {
    let finished = false;
    this.host.launch(ticket, () => {
      if (finished) return;
      finished = true;
      this.limiter.release();
      this.pump();
    });
  }

  private startRamp(seconds: number): void {
    const startedAt = this.clock.now();
    this.rampTimer = this.clock.setInterval(() => {
      const frac = (this.clock.now() - startedAt) / (seconds * 1000);
      const n = Math.min(this.target, Math.max(1, Math.ceil(this.target * frac)));
      this.limiter.setLimit(n);
      if (n >= this.target) this.stopRamp();
      this.pump();
    }, 20);
  }

  private stopRamp(): void {
    this.rampTimer?.clear();
    this.rampTimer = undefined;
  }
}

/** At most N in flight; each completion starts the next request. */
export class ClosedLoopScheduler extends BaseScheduler {
  private pumping = false;

  start(): void {
    this.pump();
  }

  get queued(): number {
    return 0;
  }

  protected pump(): void {
    // Re-entrancy guard: a request that fails synchronously calls done() inside launch().
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopped && !this.paused && this.host.canStart() && this.limiter.tryAcquire()) {
        this.run({ intendedMs: this.clock.now() });
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** Arrivals on a plan; a FIFO of tickets waits for slots. */
export class OpenLoopScheduler extends BaseScheduler {
  private readonly fifo: Ticket[] = [];
  private fifoHead = 0;
  private rateRps: number;
  private readonly arrival: Arrival;
  private readonly prng: Prng;
  private readonly maxQueueDelayMs: number;
  private readonly maxQueueLength: number;
  private nextArrivalMs = 0;
  private timer: Timer | undefined;
  private pumping = false;

  constructor(opts: OpenLoopOptions) {
    super(opts);
    if (!(opts.rate > 0)) throw new RangeError('rate must be > 0');
    this.rateRps = opts.rate;
    this.arrival = opts.arrival;
    this.prng = new Prng(opts.seed).fork(0xa11);
    this.maxQueueDelayMs = opts.maxQueueDelayMs;
    this.maxQueueLength = opts.maxQueueLength ?? 100_000;
  }

  get rate(): number {
    return this.rateRps;
  }

  get queued(): number {
    return this.fifo.length - this.fifoHead;
  }

  start(): void {
    this.nextArrivalMs = this.clock.now();
    this.schedule();
  }

  /** Re-anchors the plan at the change: the next arrival is one new gap from now. */
  setRate(r: number): void {
    if (!(r > 0)) return;
    this.rateRps = r;
    this.nextArrivalMs = this.clock.now() + this.gapMs();
    this.schedule();
  }

  override pause(): void {
    super.pause();
    this.clearTimer();
  }

  protected override onResume(): void {
    // Arrivals that "would have happened" while paused are not owed: the plan restarts now.
    this.nextArrivalMs = this.clock.now();
    this.schedule();
  }

  override stop(): void {
    super.stop();
    this.clearTimer();
    // Waiting tickets never ran; they are neither failures nor drops.
    this.fifo.length = 0;
    this.fifoHead = 0;
  }

  /** Test hook and timer body: enqueue every arrival due by now, then fill free slots. */
  tick(): void {
    if (this.stopped || this.paused) return;
    const now = this.clock.now();
    while (this.nextArrivalMs <= now && this.host.canStart()) {
      if (this.queued >= this.maxQueueLength) this.host.drop({ intendedMs: this.nextArrivalMs });
      else this.fifo.push({ intendedMs: this.nextArrivalMs });
      this.nextArrivalMs += this.gapMs();
    }
    this.pump();
    this.schedule();
  }

  private gapMs(): number {
    const mean = 1000 / this.rateRps;
    return this.arrival === 'poisson' ? this.prng.exponential(mean) : mean;
  }

  private schedule(): void {
    this.clearTimer();
    if (this.stopped || this.paused) return;
    const delay = Math.max(0, this.nextArrivalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.tick(), delay);
  }

  private clearTimer(): void {
    this.timer?.clear();
    this.timer = undefined;
  }

  protected pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // canStart(): tickets that arrived before the budget (--requests) was used up must not run after it.
      while (!this.stopped && !this.paused && this.queued > 0 && this.limiter.available > 0 && this.host.canStart()) {
        const ticket = this.fifo[this.fifoHead++];
        if (!ticket) break;
        if (this.clock.now() - ticket.intendedMs > this.maxQueueDelayMs) {
          this.host.drop(ticket);
          continue;
        }
        this.limiter.tryAcquire();
        this.run(ticket);
      }
      // Compact the FIFO now and then instead of shifting on every dequeue.
      if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifo.length) {
        this.fifo.splice(0, this.fifoHead);
        this.fifoHead = 0;
      }
    } finally {
      this.pumping = false;
    }
  }
}
