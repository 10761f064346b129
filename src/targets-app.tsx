// The live dashboard of several targets compared in one run (`--target`). It reads every target's
// snapshot from one store (the engine worker publishes them together), shows them side by side
// (a table row per mode and target with Δ columns, overlaid charts, panes labelled by target),
// and binds the same keymap as the single-target App: `t` selects a target, the pool keys act on
// it, `*` sizes every pool like it, and the other keys act on every target.
import { useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Box } from 'ink';
import type { ChartKey, EngineSnapshot, NamedTarget, TargetsSnapshot, TargetsSource } from './engine/types.ts';
import type { DashboardCommands } from './ui/dashboard-commands.ts';
import { ErrorPanel } from './components/ErrorPanel.tsx';
import { Footer, footerLines } from './components/Footer.tsx';
import { HelpOverlay } from './components/HelpOverlay.tsx';
import { StreamPanes } from './components/StreamPanes.tsx';
import { TargetsChartArea } from './components/TargetsChart.tsx';
import { TargetsHeader } from './components/TargetsHeader.tsx';
import { TargetsStatsTable, targetsStatsLines } from './components/TargetsStatsTable.tsx';
import type { KeyContext, TargetSelection, UiActions } from './ui/keymap.ts';
import { TWO_LINE_FOOTER_MIN_ROWS, computeLayout } from './ui/layout.ts';
import { anyReasoning, interleavePanes, mergedErrors, nextTargetsChartKey } from './ui/targets-view.ts';
import { ThemeContext, createTheme, noColorFromEnv } from './ui/theme.ts';
import { useDashboardKeys } from './ui/use-dashboard-keys.ts';
import { useQuitOnce, type QuitHow } from './ui/use-quit-once.ts';
import { useTerminalSize } from './ui/use-terminal-size.ts';

export interface TargetsAppProps {
  /** Every target's snapshot, ten times a second. */
  source: TargetsSource;
  /** The targets, the reference first. */
  targets: readonly NamedTarget[];
  /** Commands for one target (its index) or, with undefined, for every target. */
  commandsFor: (target: number | undefined) => DashboardCommands;
  onQuit: (how: QuitHow) => void;
  onForceQuit?: () => void;
  /** Terminal size override for tests; otherwise read from useStdout() and follow 'resize'. */
  columns?: number;
  rows?: number;
  noColor?: boolean;
  initialChart?: ChartKey;
  /** The target selected first (the reference by default). */
  initialSelected?: number;
}

/**
 * What the keys send: the pool commands (and the simulator's spike and faults) to the selected
 * target, everything else to every target, so a pair keeps one stream/non-stream draw, one
 * arrival plan and one segment numbering.
 */
export function keyCommands(every: DashboardCommands, selected: DashboardCommands): DashboardCommands {
  return {
    setConcurrency: (n) => selected.setConcurrency(n),
    setStreamRatio: (r) => every.setStreamRatio(r),
    setRate: (r) => every.setRate(r),
    pause: () => every.pause(),
    resume: () => every.resume(),
    newSegment: () => every.newSegment(),
    toggleEarlyStop: () => every.toggleEarlyStop(),
    stop: (reason) => every.stop(reason),
    setEveryConcurrency: (n) => every.setConcurrency(n),
    ...(selected.injectLatencySpike ? { injectLatencySpike: () => selected.injectLatencySpike?.() } : {}),
    ...(selected.injectFaultBurst ? { injectFaultBurst: () => selected.injectFaultBurst?.() } : {}),
  };
}

export function TargetsApp(props: TargetsAppProps): React.JSX.Element {
  const { source, targets, commandsFor } = props;
  // One React update per published snapshot (every target's at once), never per token.
  const all: TargetsSnapshot = useSyncExternalStore(source.subscribe, source.getSnapshot);
  const { columns, rows } = useTerminalSize({ columns: props.columns, rows: props.rows });
  const [helpOpen, setHelpOpen] = useState(false);
  const [chartKey, setChartKey] = useState<ChartKey>(props.initialChart ?? 'ttft.stream');
  const [selected, setSelected] = useState(props.initialSelected ?? 0);
  // The keys read the selection from here: a `t` and a `+` in one chunk of input must not wait
  // for a render between them (see useDashboardKeys).
  const selectedRef = useRef(selected);
  const theme = useMemo(() => createTheme(props.noColor ?? noColorFromEnv()), [props.noColor]);
  const quit = useQuitOnce(props.onQuit, props.onForceQuit);

  const names = useMemo(() => targets.map((t) => t.name), [targets]);
  const snapshots = all.targets;
  const reasoning = anyReasoning(snapshots);
  const every = useMemo(() => commandsFor(undefined), [commandsFor]);
  const perTarget = useMemo(() => targets.map((_, i) => commandsFor(i)), [commandsFor, targets]);

  const ui = useMemo<UiActions>(
    () => ({
      toggleHelp: () => setHelpOpen((open) => !open),
      closeHelp: () => setHelpOpen(false),
      cycleChart: () => setChartKey((k) => nextTargetsChartKey(k, reasoning)),
      quit: () => quit('user'),
      interrupt: () => quit('interrupt'),
      cycleTarget: () => {
        selectedRef.current = (selectedRef.current + 1) % Math.max(1, targets.length);
        setSelected(selectedRef.current);
      },
    }),
    [quit, reasoning, targets.length],
  );
  // A multi-target run has two targets or more, each with a snapshot from the first one on.
  /** What the keys (and the footer and help) act on with target `sel` selected. */
  const contextOf = (sel: number): KeyContext => {
    // A multi-target run has two targets or more, each with a snapshot from the first one on.
    const own = (snapshots[sel] ?? snapshots[0]) as EngineSnapshot;
    // The selected target's snapshot; a run-level notice (a spike injected) shows over its own.
    const snapshot = all.notice !== undefined ? { ...own, notice: all.notice } : own;
    const target = targets[sel]?.info ?? targets[0]?.info ?? { label: '', api: 'openai', model: '', simulated: false };
    const selection: TargetSelection = { names, selected: sel };
    return { snapshot, commands: keyCommands(every, perTarget[sel] ?? every), target, ui, helpOpen, targets: selection };
  };
  useDashboardKeys(() => contextOf(selectedRef.current));
  const { snapshot, commands, target, targets: selection } = contextOf(selected);

  const errors = mergedErrors(names, snapshots);
  const footerCtx = { snapshot, commands, target, helpOpen, targets: selection };
  const footerMax = rows >= TWO_LINE_FOOTER_MIN_ROWS ? 2 : 1;
  const layout = computeLayout({
    rows,
    errorGroups: errors.length,
    helpOpen,
    footerLines: footerLines(footerCtx, columns, footerMax).length,
    statsLines: targetsStatsLines(targets.length),
  });
  const { panes, targetOf } = interleavePanes(snapshots);
  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={columns} height={layout.height}>
        {layout.header > 0 ? <TargetsHeader targets={targets} snapshots={snapshots} selected={selected} width={columns} /> : null}
        {helpOpen ? (
          <HelpOverlay snapshot={snapshot} commands={commands} target={target} targets={selection} width={columns} height={layout.help} />
        ) : (
          <>
            {layout.stats > 0 ? <TargetsStatsTable names={names} snapshots={snapshots} width={columns} /> : null}
            <TargetsChartArea
              names={names}
              charts={snapshots.map((s) => s.charts)}
              chartKey={chartKey}
              nextKey={nextTargetsChartKey(chartKey, reasoning)}
              width={columns}
              height={layout.chart}
            />
            <StreamPanes panes={panes} targetOf={targetOf} names={names} width={columns} height={layout.panes} />
            <ErrorPanel errors={errors} width={columns} maxLines={layout.errors} />
          </>
        )}
        {layout.footer > 0 ? <Footer {...footerCtx} width={columns} maxLines={layout.footer} /> : null}
      </Box>
    </ThemeContext.Provider>
  );
}
