// The live dashboard. It reads engine snapshots through useSyncExternalStore (one React update
// per published snapshot, never per token), lays the sections out from the terminal size, and
// turns keys into engine commands through the keymap.
import { useMemo, useState } from 'react';
import { Box } from 'ink';
import type { ChartKey, SnapshotSource, TargetInfo } from './engine/types.ts';
import type { DashboardCommands } from './ui/dashboard-commands.ts';
import { ChartArea, nextChartKey } from './components/ChartArea.tsx';
import { ErrorPanel } from './components/ErrorPanel.tsx';
import { Footer, footerLines } from './components/Footer.tsx';
import { Header } from './components/Header.tsx';
import { HelpOverlay } from './components/HelpOverlay.tsx';
import { StatsTable } from './components/StatsTable.tsx';
import { StreamPanes } from './components/StreamPanes.tsx';
import type { UiActions } from './ui/keymap.ts';
import { TWO_LINE_FOOTER_MIN_ROWS, computeLayout } from './ui/layout.ts';
import { useEngineSnapshot } from './ui/snapshot-store.ts';
import { ThemeContext, createTheme, noColorFromEnv } from './ui/theme.ts';
import { useDashboardKeys } from './ui/use-dashboard-keys.ts';
import { useTerminalSize } from './ui/use-terminal-size.ts';
import { useQuitOnce, type QuitHow } from './ui/use-quit-once.ts';

export interface AppProps {
  /** Engine store; its snapshot changes ten times a second. */
  source: SnapshotSource;
  commands: DashboardCommands;
  target: TargetInfo;
  /**
   * Called once when the user ends the run: 'user' for q (a normal end), 'interrupt' for Ctrl-C.
   * The caller then stops the engine, unmounts Ink, prints the summary.
   */
  onQuit: (how: QuitHow) => void;
  /** Called when the user quits again while the first quit is still finishing (exit at once). */
  onForceQuit?: () => void;
  /** Terminal size override for tests; otherwise read from useStdout() and follow 'resize'. */
  columns?: number;
  rows?: number;
  /** Colour override; by default colour is off when NO_COLOR is set and non-empty. */
  noColor?: boolean;
  /** The chart shown first. */
  initialChart?: ChartKey;
}

export type { QuitHow };

export function App(props: AppProps): React.JSX.Element {
  const { source, commands, target, onQuit } = props;
  const snapshot = useEngineSnapshot(source);
  const { columns, rows } = useTerminalSize({ columns: props.columns, rows: props.rows });
  const [helpOpen, setHelpOpen] = useState(false);
  const [chartKey, setChartKey] = useState<ChartKey>(props.initialChart ?? 'ttft.stream');
  const theme = useMemo(() => createTheme(props.noColor ?? noColorFromEnv()), [props.noColor]);

  // q and Ctrl-C may both arrive (or repeat) before the caller unmounts us: quit exactly once.
  const quit = useQuitOnce(onQuit, props.onForceQuit);
  const ui = useMemo<UiActions>(
    () => ({
      toggleHelp: () => setHelpOpen((open) => !open),
      closeHelp: () => setHelpOpen(false),
      cycleChart: () => setChartKey(nextChartKey),
      quit: () => quit('user'),
      interrupt: () => quit('interrupt'),
    }),
    [quit],
  );
  useDashboardKeys({ snapshot, commands, target, ui, helpOpen });

  const footerMax = rows >= TWO_LINE_FOOTER_MIN_ROWS ? 2 : 1;
  const footerCount = footerLines({ snapshot, commands, target, helpOpen }, columns, footerMax).length;
  const layout = computeLayout({ rows, errorGroups: snapshot.errors.length, helpOpen, footerLines: footerCount });
  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={columns} height={layout.height}>
        {layout.header > 0 ? <Header snapshot={snapshot} target={target} width={columns} /> : null}
        {helpOpen ? (
          <HelpOverlay snapshot={snapshot} commands={commands} target={target} width={columns} height={layout.help} />
        ) : (
          <>
            {layout.stats > 0 ? <StatsTable snapshot={snapshot} width={columns} /> : null}
            <ChartArea snapshot={snapshot} chartKey={chartKey} width={columns} height={layout.chart} />
            <StreamPanes panes={snapshot.panes} width={columns} height={layout.panes} />
            <ErrorPanel errors={snapshot.errors} width={columns} maxLines={layout.errors} />
          </>
        )}
        {layout.footer > 0 ? (
          <Footer
            snapshot={snapshot}
            commands={commands}
            target={target}
            width={columns}
            maxLines={layout.footer}
            helpOpen={helpOpen}
          />
        ) : null}
      </Box>
    </ThemeContext.Provider>
  );
}
