// Run-time changes from POST /admin/config. A change with revertAfterMs is temporary: each knob
// it touched goes back to its value from before the first still-pending temporary change, so
// overlapping spikes extend each other instead of reverting to a spiked value.

import { checkTotal, FaultSpecError, FAULT_NAMES, type FaultName } from './faults.ts';
import { PatchError, type LivePatch, type SimConfig } from './config.ts';

type Slot = { kind: 'knob'; key: Exclude<keyof LivePatch, 'faults'> } | { kind: 'fault'; name: FaultName };

export class LiveConfig {
  private readonly pending = new Map<string, { base: unknown; timer: NodeJS.Timeout }>();

  constructor(
    private readonly config: SimConfig,
    /** Called after every change (rebuild rate limiters, admit from the queue on more slots). */
    private readonly onChange: () => void,
  ) {}

  apply(patch: LivePatch, revertAfterMs: number | undefined): void {
    const changes: [Slot, unknown][] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'faults') continue;
      changes.push([{ kind: 'knob', key: key as Exclude<keyof LivePatch, 'faults'> }, value]);
    }
    for (const name of FAULT_NAMES) {
      const rate = patch.faults?.[name];
      if (rate !== undefined) changes.push([{ kind: 'fault', name }, rate]);
    }
    const merged = { ...this.config.faults, ...patch.faults };
    try {
      checkTotal(merged);
    } catch (err) {
      if (err instanceof FaultSpecError) throw new PatchError(`fault rates must add up to at most 1 (one fault per request)`);
      throw err;
    }
    for (const [slot, value] of changes) {
      const id = slotId(slot);
      const pending = this.pending.get(id);
      if (pending !== undefined) clearTimeout(pending.timer);
      if (revertAfterMs !== undefined) {
        const base = pending !== undefined ? pending.base : this.get(slot);
        const timer = setTimeout(() => {
          this.pending.delete(id);
          this.set(slot, base);
          this.onChange();
        }, revertAfterMs);
        timer.unref();
        this.pending.set(id, { base, timer });
      } else {
        this.pending.delete(id);
      }
      this.set(slot, value);
    }
    this.onChange();
  }

  /** Temporary changes still waiting to revert, by knob. */
  pendingReverts(): string[] {
    return [...this.pending.keys()];
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private get(slot: Slot): unknown {
    return slot.kind === 'fault' ? this.config.faults[slot.name] : this.config[slot.key];
  }

  private set(slot: Slot, value: unknown): void {
    if (slot.kind === 'fault') this.config.faults[slot.name] = value as number;
    else (this.config as unknown as Record<string, unknown>)[slot.key] = value;
  }
}

function slotId(slot: Slot): string {
  return slot.kind === 'fault' ? `faults.${slot.name}` : slot.key;
}
