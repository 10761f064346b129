import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
 * not after a long run. Report files are replaced atomically (a temporary file beside them, then a
 * rename), so their directory must take new files: a probe file is created and removed there, since
 * permission bits alone say nothing for root or on special file systems (/proc accepts no new
 * files whatever its mode). `inPlace` outputs (--ndjson) are opened as they are, so an existing
 * file, pipe or device (/dev/stdout, a `>(jq ...)` substitution) only needs to be writable.
 */
export function checkOutputPath(flag: string, path: string, opts: { inPlace?: boolean } = {}): void {
  if (path.trim() === '') throw new UsageError(`invalid value "" for ${flag}: expected a file path`);
  const fix = 'choose a file in an existing, writable directory';
  const dir = dirname(resolve(path));
  try {
    const existing = statSync(path, { throwIfNoEntry: false });
    if (existing?.isDirectory() === true) {
      throw new UsageError(`${flag} ${path}: that is a directory; give a file name, e.g. ${join(path, EXAMPLE_NAME[flag] ?? 'out.txt')}`);
    }
    // A pipe or device (/dev/stdout) is written in place whatever the flag (see writeFileAtomic).
    if (existing !== undefined && (opts.inPlace === true || !existing.isFile())) {
      accessSync(path, constants.W_OK);
      return;
    }
    // Random as well as the pid: runs in two containers on one volume may share pid 1.
    const probe = join(dir, `.streamtop-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
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

/**
 * Two outputs on one path would overwrite each other (the last writer wins, silently), so that is
 * refused up front. Paths are compared after resolving, and through symbolic links when the file
 * exists, so `x.json`, `./x.json` and a link to it are one path.
 */
export function refuseSharedOutputPaths(outputs: ReadonlyArray<readonly [flag: string, path: string | undefined]>): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of outputs) {
    if (path === undefined || path.trim() === '') continue;
    const key = canonicalPath(path);
    const other = seen.get(key);
    if (other !== undefined)
      throw new UsageError(`${other} and ${flag} both write ${path}: one would overwrite the other; give each output its own file`);
    seen.set(key, flag);
  }
}

function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Not there yet: its directory may still be a link.
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}
