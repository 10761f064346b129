import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { describeFsError } from './output-path.ts';

/** A report file that could not be written; the message says which and why. */
export class OutputWriteError extends Error {
  override readonly name = 'OutputWriteError';
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never
 * half a file: write a temporary file beside it, fsync, rename over the target.
 */
export function writeFileAtomic(path: string, data: string): void {
  // A pipe or device (--json /dev/stdout) is written in place: renaming over it would replace
  // the device node with a plain file.
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) {
    try {
      writeFileSync(path, data);
      return;
    } catch (e) {
      throw new OutputWriteError(`could not write ${path}: ${describeFsError(e)}`);
    }
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file may not exist; nothing to clean up.
    }
    // The message names the file asked for, never the temporary one beside it.
    throw new OutputWriteError(`could not write ${path}: ${describeFsError(e)}`);
  }
}
