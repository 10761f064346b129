import { promptAt, promptCount, type PromptList } from './packed-prompts.ts';
import type { Prng } from './prng.ts';
import type { Prompt } from './prompts.ts';

/** Draws the prompt of each request: at random from the set, or in order, round and round. */
export class PromptPicker {
  private next = 0;
  private readonly count: number;
  constructor(
    private readonly prompts: PromptList,
    private readonly prng: Prng,
    private readonly order: 'random' | 'sequence' = 'random',
  ) {
    this.count = promptCount(prompts);
    if (this.count === 0) throw new Error('no prompts');
  }
  get size(): number {
    return this.count;
  }
  pick(): Prompt {
    if (this.order === 'sequence') {
      const p = promptAt(this.prompts, this.next);
      this.next = (this.next + 1) % this.count;
      return p;
    }
    return promptAt(this.prompts, this.prng.int(this.count));
  }
}
