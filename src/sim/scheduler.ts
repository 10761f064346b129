// One scheduler for every stream. A binary min-heap keyed by each task's next due time and a
// single timer armed for the earliest one: per tick it runs every due task, so 1,000 paced streams
// cost one wake-up per millisecond instead of 50,000 timers per second. Tasks that are due "now"
// (itl 0) run back to back within a time budget, then yield to I/O with setImmediate.

export interface ScheduledTask {
  /** performance.now() ms at which the task wants to run. */
  due: number;
  /** Insertion order, to keep ties FIFO (fair between streams with equal due times). */
  seq: number;
  /** Runs the task; returns true to be scheduled again at its (updated) `due`. */
  run(now: number): boolean;
}

/** How long one tick may run before yielding to the event loop, ms. */
const TICK_BUDGET_MS = 6;

export class Scheduler {
  private heap: ScheduledTask[] = [];
  private nextSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;

  get size(): number {
    return this.heap.length;
  }

  add(task: ScheduledTask): void {
    task.seq = this.nextSeq++;
    this.push(task);
    if (this.heap[0] === task) this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    this.heap = [];
  }

  private readonly tick = (): void => {
    this.timer = this.immediate = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    let now = performance.now();
    const deadline = now + TICK_BUDGET_MS;
    let n = 0;
    for (;;) {
      const top = this.heap[0];
      if (top === undefined) break;
      if (top.due > now) {
        // Tokens may have come due while we were writing: look at the clock before sleeping.
        now = performance.now();
        if (top.due > now) break;
      }
      this.pop();
      if (top.run(now)) {
        top.seq = this.nextSeq++;
        this.push(top);
      }
      if ((++n & 31) === 0) {
        now = performance.now();
        if (now > deadline) {
          this.immediate = setImmediate(this.tick);
          return;
        }
      }
    }
    this.arm();
  };

  private arm(): void {
    if (this.stopped || this.immediate !== undefined) return;
    const top = this.heap[0];
    if (top === undefined) return;
    if (this.timer !== undefined && this.timerDue <= top.due) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const delay = top.due - performance.now();
    if (delay <= 0) {
      this.immediate = setImmediate(this.tick);
      return;
    }
    // Node timers have 1 ms resolution and never fire early by more than that, so sleeping the
    // rounded-down delay then re-checking keeps tokens at most about a millisecond late.
    this.timerDue = top.due;
    this.timer = setTimeout(this.tick, Math.max(1, Math.floor(delay)));
  }

  private less(a: ScheduledTask, b: ScheduledTask): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(task: ScheduledTask): void {
    const h = this.heap;
    let i = h.length;
    h.push(task);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as ScheduledTask;
      if (!this.less(task, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = task;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(h[r] as ScheduledTask, h[l] as ScheduledTask)) c = r;
      const child = h[c] as ScheduledTask;
      if (!this.less(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
  }
}
