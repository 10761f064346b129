import type { WorkloadShape } from '../engine/config.ts';
import { describeLength } from '../engine/lengths.ts';

/**
 * The workload in a few words for the dashboard's header: `in 1000±100 tok · out 200 · prefix 512×4`,
 * `dataset mooncake 20 lines · trace 1.0x`, `turns 5 · think 2000ms`.
 */

/** Header words, or undefined when the run asked nothing of lengths (the built-in prompts as they are). */
export function workloadWords(shape: WorkloadShape | undefined): string | undefined {
  if (shape === undefined) return undefined;
  const words: string[] = [];
  if (shape.dataset !== undefined) words.push(`dataset ${shape.dataset.format} ${shape.dataset.lines} ${datasetUnit(shape.dataset.format, shape.dataset.lines)}`);
  if (shape.inputTokens !== undefined) words.push(`in ${describeLength(shape.inputTokens)} tok`);
  if (shape.outputTokens !== undefined) words.push(`out ${describeLength(shape.outputTokens)}`);
  if (shape.prefix !== undefined) {
    const share = shape.prefix.ratio < 1 ? ` @${Math.round(shape.prefix.ratio * 100)}%` : '';
    words.push(`prefix ${shape.prefix.tokens}×${shape.prefix.groups}${share}`);
  }
  const sessions = shape.sessions;
  if (sessions !== undefined) {
    words.push(sessions.turns !== undefined ? `turns ${describeLength(sessions.turns)}` : 'dataset turns');
    if (sessions.history === 'dataset') words.push('history dataset');
    if (sessions.thinkMs !== undefined) words.push(`think ${describeLength(sessions.thinkMs)}ms`);
  }
  if (shape.replaySpeed !== undefined) words.push(`trace ${replaySpeedText(shape.replaySpeed)}`);
  return words.length > 0 ? words.join(' · ') : undefined;
}

/** What a dataset's entries are called: a ShareGPT file holds conversations, the others lines. */
export function datasetUnit(format: string, n: number): string {
  const unit = format === 'sharegpt' ? 'conversation' : 'line';
  return n === 1 ? unit : `${unit}s`;
}

/** `1.0x`, `2.5x`, `0.25x`. */
export function replaySpeedText(speed: number): string {
  return `${Number.isInteger(speed) ? speed.toFixed(1) : String(speed)}x`;
}
