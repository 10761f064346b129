// asciichart ships no types. Only what the chart component uses is declared.
declare module 'asciichart' {
  export interface PlotConfig {
    min?: number;
    max?: number;
    offset?: number;
    padding?: string;
    height?: number;
    colors?: readonly string[];
    symbols?: readonly string[];
    format?: (value: number, index: number) => string;
  }
  export function plot(series: readonly number[] | readonly (readonly number[])[], config?: PlotConfig): string;
  export const black: string;
  export const red: string;
  export const green: string;
  export const yellow: string;
  export const blue: string;
  export const magenta: string;
  export const cyan: string;
  export const lightgray: string;
  export const darkgray: string;
  export const reset: string;
  const asciichart: {
    plot: typeof plot;
    red: string;
    green: string;
    yellow: string;
    blue: string;
    magenta: string;
    cyan: string;
    reset: string;
  };
  export default asciichart;
}
