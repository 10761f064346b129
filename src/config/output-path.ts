import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './usage-error.ts';

/** A file-system error in words a user can act on (never the name of a temporary file). */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/**
 * Checks before a run that `path` can be written, so a typo in an output path fails in a second,
 * not after a long run. Creates and removes a probe file in the directory: permission bits alone
 * say nothing for root or on special file systems (/proc accepts no new files whatever its mode).
 */
export function checkOutputPath(flag: string, path: string): void {
  const fix = 'choose a file in an existing, writable directory';
  const dir = dirname(resolve(path));
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
      throw new UsageError(`${flag} ${path}: that is a directory; give a file name, e.g. ${join(path, EXAMPLE_NAME[flag] ?? 'out.txt')}`);
    }
    const probe = join(dir, `.streamtop-write-check-${process.pid}`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    // A probe left by a killed run with the same pid: the directory did take a new file.
    if (code === 'EEXIST') return;
    const why =
      code === 'ENOENT'
        ? statSync(dir, { throwIfNoEntry: false }) === undefined
          ? `no directory ${dir}`
          : `${dir} accepts no new files`
        : describeFsError(e);
    throw new UsageError(`${flag} ${path}: cannot write there (${why}); ${fix}`);
  }
}

const EXAMPLE_NAME: Record<string, string> = {
  '--json': 'run.json',
  '--markdown': 'run.md',
  '--ndjson': 'requests.ndjson',
  '--output': 'merged.json',
};
