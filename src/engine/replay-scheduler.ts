import { BaseScheduler, type SchedulerOptions, type Ticket } from './concurrency.ts';
import type { Timer } from './clock.ts';

/**
 * Trace replay (--replay): an open-loop schedule read from a trace instead of drawn from a rate.
 * Request k is due at `atMs[k]` after the start (already scaled by --replay-speed); latency counts
 * from that moment, as in any open-loop run, so a slow server or a late client cannot hide. Due
 * tickets wait in a FIFO for a slot (the -c cap) and are dropped past the queue-delay cap.
 *
 * Pausing shifts what is left of the trace by the pause: every line is still sent, the gaps
 * between them kept. The timer is armed for the next due line only, and fires on the engine clock.
 */

export interface ReplayOptions extends SchedulerOptions {
  /** When each request is due, ms from the start, not decreasing. */
  atMs: readonly number[];
  /** Tickets older than this when a slot frees up are dropped. */
  maxQueueDelayMs: number;
}

export class ReplayScheduler extends BaseScheduler {
  private readonly atMs: readonly number[];
  private readonly maxQueueDelayMs: number;
  private readonly fifo: Ticket[] = [];
  private fifoHead = 0;
  /** The next line of the trace to enqueue. */
  private next = 0;
  /** The start of the trace on the engine clock, moved on by pauses. */
  private originMs = 0;
  private pausedAt: number | undefined;
  private timer: Timer | undefined;
  private pumping = false;

  constructor(opts: ReplayOptions) {
    super(opts);
    this.atMs = opts.atMs;
    this.maxQueueDelayMs = opts.maxQueueDelayMs;
  }

  /** Lines of the trace enqueued so far (sent, waiting, or dropped). */
  get released(): number {
    return this.next;
  }

  get total(): number {
    return this.atMs.length;
  }

  get queued(): number {
    return this.fifo.length - this.fifoHead;
  }

  start(): void {
    this.originMs = this.clock.now();
    this.tick();
  }

  override pause(): void {
    super.pause();
    this.pausedAt = this.clock.now();
    this.clearTimer();
  }

  protected override onResume(): void {
    if (this.pausedAt !== undefined) this.originMs += this.clock.now() - this.pausedAt;
    this.pausedAt = undefined;
    this.tick();
  }

  override stop(): void {
    super.stop();
    this.clearTimer();
    // Waiting tickets never ran; they are neither failures nor drops.
    this.fifo.length = 0;
    this.fifoHead = 0;
  }

  /** Timer body (and test hook): enqueue every line due by now, fill free slots, arm the next. */
  tick(): void {
    if (this.stopped || this.paused) return;
    const now = this.clock.now();
    for (let due = this.dueAt(); due !== undefined && due <= now && this.host.canStart(); due = this.dueAt()) {
      this.fifo.push({ intendedMs: due });
      this.next++;
    }
    this.pump();
    this.schedule();
  }

  private dueAt(): number | undefined {
    const at = this.atMs[this.next];
    return at === undefined ? undefined : this.originMs + at;
  }

  private schedule(): void {
    this.clearTimer();
    const due = this.dueAt();
    if (this.stopped || this.paused || due === undefined) return;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, due - this.clock.now()));
  }

  private clearTimer(): void {
    this.timer?.clear();
    this.timer = undefined;
  }

  protected pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
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
      if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifo.length) {
        this.fifo.splice(0, this.fifoHead);
        this.fifoHead = 0;
      }
    } finally {
      this.pumping = false;
    }
  }
}
