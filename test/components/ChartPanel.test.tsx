import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { ChartPanel } from '../../src/components/ChartPanel.tsx';
import { ChartArea } from '../../src/components/ChartArea.tsx';
import { makeSeries, makeSnapshot } from '../../src/ui/fake-snapshot.ts';
import { ThemeContext, createTheme } from '../../src/ui/theme.ts';
import { frameSize, renderSized, stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

// A foreground colour SGR (30-37, 90-97), alone or combined with attributes like bold or dim.
// eslint-disable-next-line no-control-regex
const FG = /\u001B\[(?:\d+;)*(?:3[0-7]|9[0-7])(?:;\d+)*m/;

test('without data: the legend and a placeholder, at the full height', () => {
  const { lastFrame } = render(<ChartPanel chartKey="ttft.stream" points={[]} segmentMarksMs={[]} width={80} height={7} />);
  const frame = stripAnsi(lastFrame() ?? '');
  assert.match(frame, /TTFT stream  ━/);
  assert.match(frame, /waiting for data/);
  assert.equal(frameSize(frame).lines, 7);
});

test('with data: legend with units and latest values, plot, and a marker at the load change', () => {
  const points = makeSeries(180, 200, 100_000);
  const { lastFrame } = render(
    <ChartPanel chartKey="ttft.stream" points={points} segmentMarksMs={[90_000]} width={80} height={8} />,
  );
  const frame = stripAnsi(lastFrame() ?? '');
  const lines = frame.split('\n');
  assert.equal(lines.length, 8);
  assert.match(lines[0] ?? '', /mean .*p50 .*p95 .*p99 /);
  assert.match(lines[1] ?? '', /ms ┤|s ┤/);
  assert.match(lines[7] ?? '', /▲.*load change/);
  assert.ok(frameSize(frame).width <= 80, frame);
});

test('NO_COLOR: no colour codes at all; with colour the series are coloured', () => {
  const points = makeSeries(20, 50, 25_000);
  const plain = render(
    <ThemeContext.Provider value={createTheme(true)}>
      <ChartPanel chartKey="itl.stream" points={points} segmentMarksMs={[]} width={60} height={6} />
    </ThemeContext.Provider>,
  ).lastFrame() ?? '';
  assert.ok(!FG.test(plain), 'no colour codes');
  const colored = render(
    <ThemeContext.Provider value={createTheme(false)}>
      <ChartPanel chartKey="itl.stream" points={points} segmentMarksMs={[]} width={60} height={6} />
    </ThemeContext.Provider>,
  ).lastFrame() ?? '';
  assert.ok(FG.test(colored), 'asciichart and legend colours');
});

test('the chart area shows one chart at 80 columns and two side by side at 120', () => {
  const snap = makeSnapshot();
  const narrow = stripAnsi(render(<ChartArea snapshot={snap} chartKey="ttft.stream" width={80} height={7} />).lastFrame() ?? '');
  assert.match(narrow, /TTFT stream/);
  assert.doesNotMatch(narrow, /TTFT non-stream/);
  const r = renderSized(<ChartArea snapshot={snap} chartKey="ttft.stream" width={120} height={7} />, 120, 40);
  const wide = r.lastFrame();
  r.unmount();
  assert.match(wide, /TTFT stream.*TTFT non-stream/);
  assert.ok(frameSize(wide).width <= 120);
  assert.equal(frameSize(wide).lines, 7);
});

/** The legend (first line) and whether a plot (an axis) is drawn, at `width` columns. */
function legendAndPlot(element: React.JSX.Element, width: number): { legend: string; plotted: boolean; frame: string } {
  const r = renderSized(element, width, 40);
  const frame = r.lastFrame();
  r.unmount();
  return { legend: frame.split('\n')[0] ?? '', plotted: /┤/.test(frame), frame };
}

test('issue 13 item 15: at 120 columns both legends name all four lines, mean included', () => {
  const snap = makeSnapshot();
  const { legend, frame } = legendAndPlot(<ChartArea snapshot={snap} chartKey="ttft.stream" width={120} height={8} />, 120);
  assert.match(frame, /┤/, 'both charts are drawn');
  assert.match(legend, /TTFT stream.*TTFT non-stream/);
  const [left, right] = legend.split('TTFT non-stream');
  for (const half of [left ?? '', right ?? '']) {
    for (const name of ['mean', 'p50', 'p95', 'p99']) assert.match(half, new RegExp(`━ ?${name}\\b`), `${name} in "${half}"`);
  }
});

test('issue 13 item 15: at every width a chart is drawn, every line keeps its name in the legend', () => {
  const snap = makeSnapshot();
  let narrowestDrawn = Infinity;
  for (const key of ['ttft.nonstream', 'itl.stream'] as const) {
    // Around each step of the legend (values dropped one by one, then tighter spacing), and wide.
    for (const width of [8, 20, 30, 35, 36, 37, 43, 44, 45, 50, 51, 56, 57, 59, 62, 63, 68, 69, 80, 130]) {
      const { legend, plotted } = legendAndPlot(
        <ChartPanel chartKey={key} points={snap.charts[key]} segmentMarksMs={snap.segmentMarksMs} width={width} height={8} />,
        width,
      );
      assert.ok(Array.from(legend.trimEnd()).length <= width, `${key} at ${width}: "${legend}"`);
      if (!plotted) continue;
      narrowestDrawn = Math.min(narrowestDrawn, width);
      for (const name of ['mean', 'p50', 'p95', 'p99']) assert.match(legend, new RegExp(`━ ?${name}\\b`), `${key} at ${width}: "${legend}"`);
    }
  }
  // The names fit down to 36 columns for the longest title: narrower, the chart is not drawn.
  assert.ok(narrowestDrawn <= 36, `narrowest drawn chart: ${narrowestDrawn}`);
});
