import type { Measurement } from './runner.ts';
import type { PaneSnapshot, RequestRecord, SessionTurnTag } from './types.ts';

/**
 * What the dashboard's stream panes show: the watched in-flight requests (live text tails) and,
 * for a moment after they end, the ones that just finished. Bounded: at most `maxPanes` watched
 * requests keep a text tail, and at most MAX_RECENT finished panes are remembered.
 */
const RECENT_PANE_MS = 1500;
const MAX_RECENT = 64;

interface RecentPane {
  pane: PaneSnapshot;
  endedAt: number;
}

export class PaneBoard {
  private readonly recent: RecentPane[] = [];
  private watched = 0;

  constructor(readonly maxPanes: number) {}

  /** Whether a request starting now gets a live pane (and so a text tail). */
  watch(): boolean {
    if (this.watched >= this.maxPanes) return false;
    this.watched++;
    return true;
  }

  unwatch(): void {
    this.watched--;
  }

  /** A finished request stays visible, with its final text, for a moment. */
  finished(rec: RequestRecord, tail: { text: string; reasoning: string; session?: SessionTurnTag }, now: number, elapsedMs: number): void {
    if (this.maxPanes === 0) return;
    this.recent.push({
      endedAt: now,
      pane: {
        id: rec.id,
        mode: rec.mode,
        state: rec.outcome === 'ok' || rec.outcome === 'early_stopped' ? 'done' : 'failed',
        elapsedMs,
        tokens: rec.outputTokens,
        tokensPerSec: elapsedMs > 0 ? (rec.outputTokens * 1000) / elapsedMs : 0,
        text: tail.text,
        ...(tail.reasoning.length > 0 ? { reasoning: tail.reasoning } : {}),
        ...(rec.errorCode ? { errorCode: rec.errorCode } : {}),
        ...(tail.session !== undefined ? { session: tail.session } : {}),
      },
    });
    if (this.recent.length > MAX_RECENT) this.recent.splice(0, this.recent.length - MAX_RECENT);
  }

  snapshot(inFlight: Iterable<Measurement>, now: number): PaneSnapshot[] {
    const panes: PaneSnapshot[] = [];
    if (this.maxPanes === 0) return panes;
    for (const m of inFlight) {
      if (m.tail === undefined) continue;
      panes.push({
        id: m.id,
        mode: m.mode,
        state: m.state,
        elapsedMs: m.firstT0 !== undefined ? now - m.firstT0 : 0,
        tokens: m.contentEvents,
        tokensPerSec: m.firstContentAt !== undefined && now > m.firstContentAt ? (m.contentEvents * 1000) / (now - m.firstContentAt) : 0,
        text: m.tail.text,
        ...(m.reasoningTail !== undefined && m.reasoningTail.text.length > 0 ? { reasoning: m.reasoningTail.text } : {}),
        ...(m.session !== undefined ? { session: m.session } : {}),
      });
      if (panes.length >= this.maxPanes) break;
    }
    while (this.recent.length > 0 && now - (this.recent[0]?.endedAt ?? now) > RECENT_PANE_MS) this.recent.shift();
    for (let i = this.recent.length - 1; i >= 0 && panes.length < this.maxPanes; i--) {
      const r = this.recent[i];
      if (r) panes.push(r.pane);
    }
    return panes.sort((a, b) => a.id - b.id);
  }
}
