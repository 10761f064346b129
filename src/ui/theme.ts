// Colours in one place, so NO_COLOR (https://no-color.org) is honoured by construction: components
// ask the theme for a colour and get `undefined` back when colour is off, which makes Ink's <Text>
// emit no colour codes. Bold, dim and inverse are attributes, not colours, and stay available.
import { createContext, useContext } from 'react';
import asciichart from 'asciichart';
import type { Mode, PaneState, RunState } from '../engine/types.ts';

export type Role =
  | 'accent'
  | 'muted'
  | 'ok'
  | 'warn'
  | 'error'
  | 'stream'
  | 'nonstream'
  | 'key';

const PALETTE: Record<Role, string> = {
  accent: 'cyan',
  muted: 'gray',
  ok: 'green',
  warn: 'yellow',
  error: 'red',
  stream: 'magenta',
  nonstream: 'blue',
  key: 'cyan',
};

// asciichart's own colour constants (raw SGR codes), in series order: mean, p50, p95, p99.
const CHART_SGR: readonly string[] = [asciichart.cyan, asciichart.green, asciichart.yellow, asciichart.red];
const CHART_INK: readonly string[] = ['cyan', 'green', 'yellow', 'red'];
/**
 * One colour per target of a multi-target run, the reference first; red is left to errors. A
 * target keeps its colour in the table, the charts, the legend and the panes.
 */
const TARGET_INK: readonly string[] = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'white'];

export interface Theme {
  readonly noColor: boolean;
  /** Ink colour name for a role, or undefined when colour is off. */
  color(role: Role): string | undefined;
  /** SGR codes for asciichart series (empty when colour is off: asciichart then colours nothing). */
  readonly chartSgr: readonly string[];
  /** Ink colour of the legend entry of chart series `i` (matches chartSgr). */
  chartColor(i: number): string | undefined;
  /** Ink colour of target `i` of a multi-target run (undefined when colour is off). */
  targetColor(i: number): string | undefined;
}

export function createTheme(noColor: boolean): Theme {
  return {
    noColor,
    color: (role) => (noColor ? undefined : PALETTE[role]),
    chartSgr: noColor ? [] : CHART_SGR,
    chartColor: (i) => (noColor ? undefined : CHART_INK[i % CHART_INK.length]),
    targetColor: (i) => (noColor ? undefined : TARGET_INK[i % TARGET_INK.length]),
  };
}

/** NO_COLOR disables colour when present and non-empty, per the convention. */
export function noColorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['NO_COLOR'];
  return v !== undefined && v !== '';
}

export const ThemeContext = createContext<Theme>(createTheme(noColorFromEnv()));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

export function modeRole(mode: Mode): Role {
  return mode === 'stream' ? 'stream' : 'nonstream';
}

export function paneStateRole(state: PaneState): Role {
  switch (state) {
    case 'streaming':
    case 'done':
      return 'ok';
    case 'thinking':
      return 'accent';
    case 'failed':
      return 'error';
    case 'waiting':
    case 'connecting':
      return 'warn';
    case 'queued':
      return 'muted';
  }
}

export function runStateRole(state: RunState): Role {
  switch (state) {
    case 'running':
      return 'ok';
    case 'paused':
    case 'starting':
      return 'warn';
    case 'stopping':
    case 'done':
      return 'error';
  }
}
