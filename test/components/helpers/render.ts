// Test rendering helpers. ink-testing-library's fake stdout is always 100 columns wide and Ink clips
// the frame to that, so wide-terminal tests render through Ink directly with a sized fake stdout.
import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import type { ReactElement } from 'react';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Polls `fn` until it stops throwing (or returns true) or the timeout passes. */
export async function waitFor(fn: () => unknown, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      if (fn() !== false) return;
      lastError = new Error('condition stayed false');
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - start > timeoutMs) throw lastError;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets Ink's effects (raw mode, input listeners) run after a render or a keypress. */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

class SizedStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = false;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = (): string | undefined => this.frames[this.frames.length - 1];
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  /** Last raw-mode setting Ink asked for; tests check it is off after unmount. */
  rawMode: boolean | undefined;
  private data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(on: boolean): void {
    this.rawMode = on;
  }
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface SizedRender {
  lastFrame: () => string;
  stdin: FakeStdin;
  stdout: SizedStdout;
  rerender: (tree: ReactElement) => void;
  unmount: () => void;
}

/** Renders `tree` as if into a terminal of `columns` x `rows`. Frames are returned ANSI-stripped. */
export function renderSized(tree: ReactElement, columns: number, rows: number): SizedRender {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new SizedStdout(columns, rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    lastFrame: () => stripAnsi(stdout.lastFrame() ?? ''),
    stdin,
    stdout,
    rerender: instance.rerender,
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}

/** Asserts-friendly measure of a frame: line count and the widest line (in code points). */
export function frameSize(frame: string): { lines: number; width: number } {
  const lines = frame.split('\n');
  return { lines: lines.length, width: Math.max(0, ...lines.map((l) => Array.from(stripAnsi(l)).length)) };
}
