// q and Ctrl-C may both arrive (or repeat) before the caller unmounts the dashboard: the first
// quits, any later one asks to quit at once (the first is still finishing).
import { useCallback, useLayoutEffect, useRef } from 'react';

export type QuitHow = 'user' | 'interrupt';

export function useQuitOnce(onQuit: (how: QuitHow) => void, onForceQuit: (() => void) | undefined): (how: QuitHow) => void {
  const quitting = useRef(false);
  const onQuitRef = useRef(onQuit);
  useLayoutEffect(() => {
    onQuitRef.current = onQuit;
  });
  const forceRef = useRef(onForceQuit);
  useLayoutEffect(() => {
    forceRef.current = onForceQuit;
  });
  return useCallback((how: QuitHow) => {
    if (quitting.current) {
      forceRef.current?.();
      return;
    }
    quitting.current = true;
    onQuitRef.current(how);
  }, []);
}
