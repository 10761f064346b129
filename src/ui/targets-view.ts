// Pure helpers of the multi-target dashboard: what it shows from every target's snapshot.
import type { ChartKey, EngineSnapshot, ErrorGroup, PaneSnapshot } from '../engine/types.ts';
import { CHART_KEYS } from '../engine/types.ts';

/**
 * Every target's panes in one list, the k-th request of each target next to each other (by
 * request number, then target), so a row of panes shows one prompt answered by each target.
 */
export function interleavePanes(snapshots: readonly EngineSnapshot[]): { panes: PaneSnapshot[]; targetOf: number[] } {
  const all = snapshots.flatMap((s, t) => s.panes.map((pane) => ({ pane, t })));
  all.sort((x, y) => x.pane.id - y.pane.id || x.t - y.t);
  return { panes: all.map((x) => x.pane), targetOf: all.map((x) => x.t) };
}

/** Every target's error groups, each message led by its target's name. */
export function mergedErrors(names: readonly string[], snapshots: readonly EngineSnapshot[]): ErrorGroup[] {
  return snapshots.flatMap((s, t) => s.errors.map((e) => ({ ...e, lastMessage: `${names[t] ?? t}: ${e.lastMessage}` })));
}

/** Whether any target's responses reasoned (TTFO then joins the table and the chart cycle). */
export function anyReasoning(snapshots: readonly EngineSnapshot[]): boolean {
  return snapshots.some((s) => s.byMode.stream.reasoningRequests + s.byMode.nonstream.reasoningRequests > 0);
}

/** The next metric of the chart cycle (`tab`); TTFO only when a response reasoned. */
export function nextTargetsChartKey(key: ChartKey, ttfo: boolean): ChartKey {
  const cycle = ttfo ? CHART_KEYS : CHART_KEYS.filter((k) => k !== 'ttfo.stream');
  const i = cycle.indexOf(key);
  return cycle[(i + 1) % cycle.length] ?? key;
}
