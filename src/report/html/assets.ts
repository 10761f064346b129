import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The charting library, inlined into every page so it opens with no network.
 *
 * uPlot (MIT, ~50 kB minified, no dependencies) draws time series on a canvas, fast enough for a
 * 10-minute run's per-second points, with log scales (the HdrHistogram percentile plot), drag to
 * zoom and a cursor legend built in. Chart.js and ECharts do as much at 4-20x the size, and D3
 * would mean writing the charts ourselves.
 *
 * Read from the installed dependency when a page is rendered, not copied in at build time: the
 * page always carries the exact version package-lock.json pins, there is no generated file to keep
 * in step, and the sources and the dist/ bundle find it the same way (dependencies stay external).
 */

export interface InlineAssets {
  script: string;
  style: string;
  version: string;
}

let cached: InlineAssets | undefined;

export function chartLibrary(): InlineAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (spec: string): string => {
    try {
      return readFileSync(require.resolve(spec), 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${spec} for the HTML report (${(e as Error).message}); reinstall streamtop's dependencies (npm ci)`);
    }
  };
  const pkg = JSON.parse(read('uplot/package.json')) as { version?: unknown };
  cached = {
    // A `</script>` inside the library would end the element early; the minified build has none,
    // but the check is cheap and a future version must not break pages silently.
    script: guardScript(read('uplot/dist/uPlot.iife.min.js')),
    style: read('uplot/dist/uPlot.min.css'),
    version: typeof pkg.version === 'string' ? pkg.version : 'unknown',
  };
  return cached;
}

function guardScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}
