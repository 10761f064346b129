import type { WorkloadShape } from '../engine/config.ts';
import { describeLength } from '../engine/lengths.ts';

/** The workload in a few words for the dashboard's header: `in 1000±100 tok · out 200 · prefix 512×4 · turns 5 · think 2000ms`. */

/** Header words, or undefined when the run asked nothing of lengths (the built-in prompts as they are). */
export function workloadWords(shape: WorkloadShape | undefined): string | undefined {
  if (shape === undefined) return undefined;
  const words: string[] = [];
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
  return words.length > 0 ? words.join(' · ') : undefined;
}
