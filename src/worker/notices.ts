import type { EngineSnapshot } from '../engine/types.ts';

/**
 * Short notices from the run layer for the dashboard's status line (the autotuner's progress, the
 * simulator's fault injection). They are laid over the engine's snapshot as it is published, so
 * the engine carries only its own status (early stop toggled, a bail).
 */
export class Notices {
  private current: { text: string; until: number } | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Shows `text` for `ms`; a newer notice replaces an older one. */
  readonly flash = (text: string, ms = 3000): void => {
    this.current = { text, until: this.now() + ms };
  };

  /** The notice in force, if any. */
  text(): string | undefined {
    const c = this.current;
    if (c === undefined) return undefined;
    if (c.until <= this.now()) {
      this.current = undefined;
      return undefined;
    }
    return c.text;
  }

  /** The snapshot with the notice in force, if any, in place of the engine's. */
  apply(snapshot: EngineSnapshot): EngineSnapshot {
    const text = this.text();
    return text === undefined ? snapshot : { ...snapshot, notice: text };
  }
}
