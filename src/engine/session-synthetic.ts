import { drawLength, type LengthSpec } from './lengths.ts';
import { Prng } from './prng.ts';
import type { SessionScript, SessionTurn } from './session-script.ts';
import { buildSyntheticPrompts, leadWord, type SharedPrefixSpec } from './synthetic.ts';

/**
 * Synthetic conversations for --turns: each session's number of turns drawn from the seeded PRNG,
 * each user turn a synthetic prompt of --input-tokens tokens when given (the first turn opening
 * with the --shared-prefix, as a document a conversation is about), else a short question about
 * the built-in corpus's subjects. Built before the run, like single synthetic prompts.
 *
 * A session's first message opens with a word unique to the session, so two sessions never share
 * a cacheable prefix by accident; a later turn follows a conversation that is unique already.
 */

export interface SyntheticSessionSpec {
  turns: LengthSpec;
  count: number;
  seed: number;
  input?: LengthSpec;
  output?: LengthSpec;
  prefix?: SharedPrefixSpec;
  system?: string;
}

/** Turns a session may have at most (--turns). */
export const MAX_TURNS = 1000;

/** Short questions about the corpus's subjects (src/engine/corpus.ts); a session asks them in a seeded order. */
export const CORPUS_QUESTIONS: readonly string[] = [
  'What does a harbour town look like on a winter morning?',
  'Why should an engineer measure before changing anything?',
  'How do experienced mountain guides prepare for a change in the weather?',
  'Why does the time to the first token depend on the length of the prompt?',
  'Where do the students go when the library closes early?',
  'What does a gardener learn by reading the soil and the sky?',
  'Why does adding a second cashier shorten the queue so much?',
  'What should the town do with the old railway bridge?',
  'What makes written instructions easy to follow?',
  'How do bees tell each other where the flowers are?',
  'Can you say that again in fewer words?',
  'What would you measure first, and why?',
  'Give me one example of that.',
  'What is the most common mistake people make here?',
  'How would you explain this to a child?',
  'What changes when the load doubles?',
  'Which part of that matters most?',
  'What would you do differently next time?',
  'Is there a simpler way to do it?',
  'What is the risk if we skip that step?',
];

/** Draws each session's number of turns (at least 1, at most MAX_TURNS). */
function turnCounts(spec: SyntheticSessionSpec): number[] {
  const prng = new Prng(spec.seed).fork(21);
  return Array.from({ length: spec.count }, () => Math.min(MAX_TURNS, drawLength(spec.turns, prng, 1)));
}

/** The user messages and output targets of every turn, one row per session. */
function userTurns(spec: SyntheticSessionSpec, counts: readonly number[]): SessionTurn[][] {
  const root = new Prng(spec.seed);
  const outputs = root.fork(22);
  const pick = root.fork(23);
  const leads = root.fork(24);
  const outputOf = (): Pick<SessionTurn, 'outputTokens'> => (spec.output !== undefined ? { outputTokens: drawLength(spec.output, outputs, 1) } : {});
  if (spec.input === undefined) {
    return counts.map((n, s) =>
      Array.from({ length: n }, (_, t) => {
        const q = CORPUS_QUESTIONS[pick.int(CORPUS_QUESTIONS.length)] ?? '';
        return { user: t === 0 ? `[${leadWord(s, leads)}] ${q}` : q, ...outputOf() };
      }),
    );
  }
  // First turns carry the shared prefix; later turns are unique prompts of the same length.
  const first = buildSyntheticPrompts({
    input: spec.input,
    ...(spec.output !== undefined ? { output: spec.output } : {}),
    ...(spec.prefix !== undefined ? { prefix: spec.prefix } : {}),
    count: counts.length,
    seed: spec.seed,
  });
  const laterCount = counts.reduce((a, n) => a + n - 1, 0);
  const later =
    laterCount > 0
      ? buildSyntheticPrompts({ input: spec.input, ...(spec.output !== undefined ? { output: spec.output } : {}), count: laterCount, seed: (spec.seed ^ 0x5e55) >>> 0 })
      : [];
  let next = 0;
  return counts.map((n, s) => {
    const turns: SessionTurn[] = [];
    for (let t = 0; t < n; t++) {
      const p = t === 0 ? first[s] : later[next++];
      const user = p?.messages.at(-1)?.content ?? '';
      turns.push({ user, ...(p?.outputTokens !== undefined ? { outputTokens: p.outputTokens } : {}) });
    }
    return turns;
  });
}

export function buildSyntheticSessions(spec: SyntheticSessionSpec): SessionScript[] {
  const counts = turnCounts(spec);
  const system = spec.system !== undefined && spec.system !== '' ? { system: spec.system } : {};
  return userTurns(spec, counts).map((turns) => ({ ...system, turns }));
}
