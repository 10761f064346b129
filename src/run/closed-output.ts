/**
 * A reader that goes away (`streamtop ... | head -1`, `| true`) closes our stdout; the next write
 * fails with EPIPE, emitted as an 'error' event that nobody handles, and Node prints a stack trace
 * and exits 1. The run itself is not at fault: its reports are written and its exit code stands,
 * so output to a closed pipe just ends, quietly.
 */
export function endOutputQuietlyWhenClosed(stream: NodeJS.WritableStream, name: string, report: (line: string) => void): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    // Any other failure of an output stream (EIO from a vanished terminal, say) is said once
    // where it can still be read; it does not change the run's result either.
    report(`streamtop: could not write to ${name} (${e.code ?? e.message}); its output stops here\n`);
  });
}
