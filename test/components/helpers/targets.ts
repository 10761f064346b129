import type { EngineSnapshot } from '../../../src/engine/types.ts';
import { makeSeries, makeSnapshot, makeSummary } from '../../../src/ui/fake-snapshot.ts';

/** A fake target's snapshot whose stream TTFT (table and chart) is `extraMs` above the default's 182 ms. */
export function slower(extraMs: number, over: Partial<EngineSnapshot> = {}): EngineSnapshot {
  const s = makeSnapshot(over);
  return {
    ...s,
    byMode: { stream: { ...s.byMode.stream, ttft: makeSummary(182 + extraMs, 614) }, nonstream: s.byMode.nonstream },
    charts: { ...s.charts, 'ttft.stream': makeSeries(180 + extraMs, 120, s.elapsedMs) },
  };
}
