/**
 * A conversation to play as one session: its user turns in order, and what the dataset says the
 * assistant answered to each (used with --history dataset; --history live sends what the server
 * actually returned). Built by the CLI from a ShareGPT dataset, from JSONL lines sharing a
 * `session`, or synthetically (--turns); the engine plays it turn by turn.
 */
export interface SessionTurn {
  /** The user message of this turn. */
  user: string;
  /** The dataset's assistant answer to this turn, if it has one. */
  datasetReply?: string;
  /** This turn's output target (max tokens; with --ignore-eos exactly that many). */
  outputTokens?: number;
  /** Request body fields of this turn (a JSONL line's own fields). */
  body?: Readonly<Record<string, unknown>>;
}

export interface SessionScript {
  /** A system message sent first in every turn's history, if any. */
  system?: string;
  turns: readonly SessionTurn[];
  /** The dataset's name for the session (JSONL `session`), for errors and the report. */
  id?: string;
}
