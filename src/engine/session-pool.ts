import type { Clock } from './clock.ts';
import type { SessionsConfig } from './config.ts';
import { drawLength } from './lengths.ts';
import type { Prng } from './prng.ts';
import { playSession, type SessionEnd, type SessionHost, type TurnRequest, type TurnResult } from './session-player.ts';
import type { SessionScript } from './session-script.ts';

/** Sessions of a multi-turn run: how many started, and how each ended. */
export interface SessionCounts {
  started: number;
  completed: number;
  /** A turn failed, so the conversation could not go on. */
  failed: number;
  /** Ended before their last turn: the run stopped, -n was reached, or the pool shrank. */
  cut: number;
}

/** What the pool needs from the engine that runs it. */
export interface SessionPoolHost {
  readonly clock: Clock;
  /** Sends one turn as a request and records it. Never rejects. */
  send(t: TurnRequest): Promise<TurnResult>;
  /** The run may start a request now: running, with request budget (-n) left. */
  canStart(): boolean;
  paused(): boolean;
  /** The slots sessions may hold now (the pool size, or less while a ramp lasts). */
  limit(): number;
}

export interface SessionPoolOptions {
  config: SessionsConfig;
  /** Draws the think times. */
  prng: Prng;
  /** Mark each request's last user message as a cache breakpoint (Anthropic caches only marked prefixes). */
  markLastUser: boolean;
}

/**
 * The engine's side of multi-turn sessions: which script plays next, the turns that open sessions
 * still owe the request budget, and when a session may send its next turn. A slot (closed loop)
 * or an arrival (open loop) plays one session through session-player.ts, holding the slot through
 * its think times.
 */
export class SessionPool {
  readonly counts: SessionCounts = { started: 0, completed: 0, failed: 0, cut: 0 };
  private readonly scripts: readonly SessionScript[];
  private next = 0;
  /**
   * Turns that open sessions have yet to send, so a new session starts only where the request
   * budget (-n) has room beyond them (see Engine.canStartNew).
   */
  private owed = 0;
  /** Turns sent so far by each open session, by its number. */
  private readonly turnsSent = new Map<number, number>();
  /**
   * Sessions playing now. A session that ended gives its slot back only on the next macrotask
   * (see Engine.launch), so the scheduler's count of held slots still includes it for a while;
   * the pool check of mayContinue counts this instead.
   */
  private open = 0;
  /** Sessions waiting for a paused run to resume (or stop). */
  private resumeWaiters: (() => void)[] = [];
  /** Aborted when the run stops: ends think times at once. */
  private readonly stopSignal = new AbortController();
  private readonly player: SessionHost;

  constructor(
    private readonly options: SessionPoolOptions,
    private readonly host: SessionPoolHost,
  ) {
    if (options.config.scripts.length === 0) throw new Error('no sessions');
    this.scripts = options.config.scripts;
    const spec = options.config.thinkMs;
    this.player = {
      clock: host.clock,
      stopped: this.stopSignal.signal,
      sendTurn: (t) => this.sendTurn(t),
      mayContinue: () => this.mayContinue(),
      thinkMs: () => (spec === undefined ? 0 : drawLength(spec, options.prng, 0)),
    };
  }

  /** Turns the open sessions have yet to send. */
  get owedTurns(): number {
    return this.owed;
  }

  /**
   * An arrival dropped before it got a slot: the session it would have played is numbered (so
   * the k-th arrival always plays the k-th script) and counted as failed at its first turn.
   */
  drop(): number {
    const { n } = this.take();
    this.counts.failed++;
    return n;
  }

  /** Plays the next session from `dueMs` (the slot grant or the arrival) until it ends. Never rejects. */
  async play(dueMs: number): Promise<void> {
    const { n, script } = this.take();
    // Reserved now; each turn sent takes one (sendTurn), and what is left is released at the end.
    this.owed += script.turns.length;
    this.turnsSent.set(n, 0);
    this.open++;
    let end: SessionEnd;
    try {
      ({ end } = await playSession(
        script,
        { session: n, firstDueMs: dueMs, history: this.options.config.history, markLastUser: this.options.markLastUser },
        this.player,
      ));
    } catch {
      // sendTurn never rejects; nothing else in the player can throw but a bug.
      end = 'failed';
    }
    this.open--;
    this.owed -= script.turns.length - (this.turnsSent.get(n) ?? 0);
    this.turnsSent.delete(n);
    this.counts[end]++;
  }

  /** The run resumed: sessions waiting on the pause ask again. */
  resume(): void {
    const waiters = this.resumeWaiters;
    this.resumeWaiters = [];
    for (const w of waiters) w();
  }

  /** The run is stopping: think times end now, and paused sessions hear that they may not go on. */
  stop(): void {
    this.stopSignal.abort();
    this.resume();
  }

  /** The next script, in order, round and round, with the session's number in the run. */
  private take(): { n: number; script: SessionScript } {
    const script = this.scripts[this.next] as SessionScript;
    this.next = (this.next + 1) % this.scripts.length;
    return { n: ++this.counts.started, script };
  }

  private sendTurn(t: TurnRequest): Promise<TurnResult> {
    this.owed--;
    this.turnsSent.set(t.session, (this.turnsSent.get(t.session) ?? 0) + 1);
    return this.host.send(t);
  }

  /**
   * May a session send its next turn? Not when the run is stopping or its request budget (-n)
   * is spent, and not when the pool was lowered below the sessions holding slots: the surplus
   * sessions end at their next turn, so a smaller pool takes effect without waiting for whole
   * conversations. A paused run answers when it resumes.
   */
  private mayContinue(): boolean | Promise<boolean> {
    if (this.host.paused()) return new Promise<void>((r) => this.resumeWaiters.push(r)).then(() => this.mayContinue());
    if (!this.host.canStart()) return false;
    // Not the scheduler's held slots: sessions cut a moment ago still hold theirs until the next
    // macrotask, and sessions whose think times end together would all count them and all stop
    // (then the freed pool starts a new session instead of keeping one going).
    return this.open <= this.host.limit();
  }
}
