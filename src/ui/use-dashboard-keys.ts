// Binds the keymap to Ink's input. Two details matter under a live engine:
// - the handler reads the latest context through a ref, so Ink does not re-subscribe to stdin on
//   every snapshot (useInput re-registers whenever its handler identity changes);
// - settings changed faster than snapshots arrive (key repeat on `+` runs at ~30/s, snapshots at
//   10/s) build on the value last sent, not on the stale snapshot, so no keypress is lost. With
//   several targets that memory is kept per target: `+` on one must not build on another's pool.
import { useLayoutEffect, useMemo, useRef } from 'react';
import { useInput, useStdin } from 'ink';
import type { Key } from 'ink';
import type { EngineSnapshot } from '../engine/types.ts';
import type { DashboardCommands } from './dashboard-commands.ts';
import { dispatchKey } from './keymap.ts';
import type { ActionId, KeyContext } from './keymap.ts';

type Setting = 'concurrency' | 'streamRatio' | 'rate';

interface Pending {
  /** The snapshot's value when we sent `sent`; while the snapshot still shows it, `sent` is newer. */
  base: number | undefined;
  sent: number;
}

export type PendingSettings = Partial<Record<Setting, Pending>>;

/** The snapshot as the user last set it: values sent but not yet published replace stale ones. */
export function withPending(snapshot: EngineSnapshot, pending: PendingSettings): EngineSnapshot {
  let out = snapshot;
  for (const name of ['concurrency', 'streamRatio', 'rate'] as const) {
    const p = pending[name];
    if (p !== undefined && snapshot[name] === p.base && p.sent !== p.base) out = { ...out, [name]: p.sent };
  }
  return out;
}

/** Wraps the setters so each value sent is remembered against the snapshot it was based on. */
export function trackingCommands(
  commands: DashboardCommands,
  snapshot: () => EngineSnapshot,
  pending: PendingSettings,
): DashboardCommands {
  const remember = (name: Setting, value: number): void => {
    const published = snapshot()[name];
    const prev = pending[name];
    // Keep the original base while a run of presses is still unpublished.
    const base = prev !== undefined && published === prev.base ? prev.base : published;
    pending[name] = { base, sent: value };
  };
  // Every method calls through the original object: engine methods may rely on `this`, and a
  // class instance's methods would not survive an object spread anyway.
  return {
    setConcurrency: (n) => {
      remember('concurrency', n);
      commands.setConcurrency(n);
    },
    setStreamRatio: (r) => {
      remember('streamRatio', r);
      commands.setStreamRatio(r);
    },
    setRate: (r) => {
      remember('rate', r);
      commands.setRate(r);
    },
    pause: () => commands.pause(),
    resume: () => commands.resume(),
    newSegment: () => commands.newSegment(),
    toggleEarlyStop: () => commands.toggleEarlyStop(),
    stop: (reason) => commands.stop(reason),
    ...(commands.injectLatencySpike ? { injectLatencySpike: () => commands.injectLatencySpike?.() } : {}),
    ...(commands.injectFaultBurst ? { injectFaultBurst: () => commands.injectFaultBurst?.() } : {}),
    ...(commands.autoTune ? { autoTune: () => commands.autoTune?.() } : {}),
    ...(commands.setEveryConcurrency
      ? {
          setEveryConcurrency: (n: number) => {
            remember('concurrency', n);
            commands.setEveryConcurrency?.(n);
          },
        }
      : {}),
  };
}

const PLAIN: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * Splits one input event into keypresses. Ink delivers a chunk of plain characters as one event
 * (it treats it as a paste), and a chunk is exactly what arrives when a key repeats while the
 * event loop is busy with a run: `+++` must mean three presses, `+s\t` three different keys.
 */
export function splitKeys(input: string, key: Key): Array<[string, Key]> {
  const chars = Array.from(input);
  if (chars.length <= 1) return [[input, key]];
  return chars.map((ch): [string, Key] => {
    if (ch === '\t') return ['', { ...PLAIN, tab: true }];
    if (ch === '\r') return ['', { ...PLAIN, return: true }];
    if (ch === '\u001B') return ['', { ...PLAIN, escape: true, meta: true }];
    const code = ch.codePointAt(0) ?? 0;
    // Ctrl-letter arrives as codes 1..26; Ctrl-C is 3.
    if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...PLAIN, ctrl: true }];
    return [ch, { ...PLAIN, shift: /[A-Z]/.test(ch) }];
  });
}

/**
 * `ctx` may be a function, read at each key: a view whose keys change what later keys act on (the
 * multi-target `t`) answers from its own refs, so `t+` arriving as one chunk moves the new
 * target's pool, not the one selected at the last render.
 */
export function useDashboardKeys(ctx: KeyContext | (() => KeyContext), onAction?: (id: ActionId) => void): void {
  const { isRawModeSupported } = useStdin();
  const ctxRef = useRef(ctx);
  const onActionRef = useRef(onAction);
  useLayoutEffect(() => {
    ctxRef.current = ctx;
    onActionRef.current = onAction;
  });
  // Per selected target (0 without several targets).
  const pendingByTarget = useRef(new Map<number, PendingSettings>()).current;
  const read = useMemo(
    () => (): KeyContext => {
      const c = ctxRef.current;
      return typeof c === 'function' ? c() : c;
    },
    [],
  );
  const handler = useMemo(
    () =>
      (input: string, key: Key): void => {
        for (const [one, k] of splitKeys(input, key)) {
          // Re-read the context per key: an earlier key in the chunk may have opened the help.
          const c = read();
          const selected = c.targets?.selected ?? 0;
          let pending = pendingByTarget.get(selected);
          if (pending === undefined) pendingByTarget.set(selected, (pending = {}));
          const snapshot = withPending(c.snapshot, pending);
          const commands = trackingCommands(c.commands, () => read().snapshot, pending);
          const id = dispatchKey(one, k, { ...c, snapshot, commands });
          // `*` sized every pool: what was sent to the others before is no longer newer.
          if (id === 'poolAll') for (const [t, p] of pendingByTarget) if (t !== selected) delete p.concurrency;
          if (id !== undefined) onActionRef.current?.(id);
        }
      },
    [pendingByTarget, read],
  );
  // Without a TTY stdin (pipes, CI) Ink cannot enter raw mode and useInput would throw; the
  // dashboard then renders without keys. The CLI picks headless mode in that case anyway.
  useInput(handler, { isActive: isRawModeSupported });
}
