import { LatencyHistogram } from './histogram.ts';
import type { CacheSnapshot, RequestRecord, WorkloadSnapshot } from './types.ts';

/**
 * What the workload turned out to be, as the server counted it: prompt and answer lengths per
 * request, and the prefix cache (share of prompt tokens served from it, and TTFT of requests that
 * hit against those that missed). Measured requests only (warm-up excluded), successful ones.
 *
 * Token counts go into the same HdrHistogram as latencies, one token standing for one
 * millisecond: 3 significant digits keep a 1,000-token prompt within a token, and summaries come
 * out in the shape every report already knows.
 */

/** A request "hit" the cache when at least this share of its prompt was served from it. */
export const CACHE_HIT_SHARE = 0.5;

export class WorkloadStats {
  private readonly input = new LatencyHistogram();
  private readonly output = new LatencyHistogram();
  private readonly ttftHit = new LatencyHistogram();
  private readonly ttftMiss = new LatencyHistogram();
  private readonly late = new LatencyHistogram();
  private promptTokens = 0;
  private cachedTokens = 0;
  private hits = 0;
  private misses = 0;

  record(r: RequestRecord): void {
    // Lateness is the client's own: every measured request it sent counts, whatever the answer.
    if (!r.warmup && r.lateMs !== undefined) this.late.record(r.lateMs);
    if (r.warmup || (r.outcome !== 'ok' && r.outcome !== 'early_stopped')) return;
    if (r.outcome === 'ok') this.output.record(r.outputTokens);
    if (r.inputTokens === undefined) return;
    this.input.record(r.inputTokens);
    this.promptTokens += r.inputTokens;
    const cached = r.cachedTokens ?? 0;
    this.cachedTokens += cached;
    const hit = r.inputTokens > 0 && cached >= CACHE_HIT_SHARE * r.inputTokens;
    if (hit) this.hits++;
    else this.misses++;
    // Non-streaming "TTFT" is the whole answer: only streams say how long prefill took.
    if (r.mode === 'stream' && r.ttftMs !== undefined) (hit ? this.ttftHit : this.ttftMiss).record(r.ttftMs);
  }

  snapshot(): WorkloadSnapshot | undefined {
    if (this.input.count === 0 && this.output.count === 0 && this.late.count === 0) return undefined;
    return {
      inputTokens: this.input.summary(),
      outputTokens: this.output.summary(),
      ...(this.cachedTokens > 0 ? { cache: this.cache() } : {}),
      ...(this.late.count > 0 ? { lateMs: this.late.summary() } : {}),
    };
  }

  private cache(): CacheSnapshot {
    return {
      promptTokens: this.promptTokens,
      cachedTokens: this.cachedTokens,
      hitRatio: this.promptTokens > 0 ? this.cachedTokens / this.promptTokens : 0,
      hits: this.hits,
      misses: this.misses,
      ttftHit: this.ttftHit.summary(),
      ttftMiss: this.ttftMiss.summary(),
    };
  }

  dispose(): void {
    for (const h of [this.input, this.output, this.ttftHit, this.ttftMiss, this.late]) h.dispose();
  }
}


