import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestRecord } from '../engine/types.ts';
import { describeFsError } from '../shared/output-path.ts';

/**
 * --ndjson: one line per finished request. Appends through a buffered stream so the engine's
 * hot path only serialises one small object per request; per-gap ITL arrays are summarised
 * (count, max) rather than written out, which keeps files small on long runs.
 */
export class NdjsonSink {
  private readonly out: WriteStream;
  private failed: Error | undefined;

  constructor(private readonly path: string) {
    this.out = createWriteStream(path, { flags: 'w' });
    this.out.on('error', (e) => {
      this.failed = e;
    });
  }

  /** What went wrong, for the run's failures (the run goes on: records are still counted). */
  get failure(): string | undefined {
    // errored: set by destroy(err) before the 'error' event is emitted.
    const err = this.failed ?? this.out.errored ?? undefined;
    return err === undefined ? undefined : `could not write ${this.path}: ${describeFsError(err)}`;
  }

  /** `target`: the target's name in a run of several (--target), written first on the line. */
  write(r: RequestRecord, target?: string): void {
    if (this.failed) return;
    const { itlMs: _gaps, reasoningItlMs: _r, outputItlMs: _o, ...rest } = r;
    const line: Record<string, unknown> = { ...(target !== undefined ? { target } : {}), ...rest, itlCount: r.itlMs.length, itlMaxMs: maxOf(r.itlMs) };
    if (r.reasoningItlMs !== undefined) {
      line.reasoningItlCount = r.reasoningItlMs.length;
      line.reasoningItlMaxMs = maxOf(r.reasoningItlMs);
    }
    if (r.outputItlMs !== undefined) {
      line.outputItlCount = r.outputItlMs.length;
      line.outputItlMaxMs = maxOf(r.outputItlMs);
    }
    this.out.write(`${JSON.stringify(line)}\n`);
  }

  private closing: Promise<void> | undefined;


  /** Flushes and closes the file (once; later calls wait for the same close). */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      if (this.out.closed) return resolve();
      // 'close' comes after any 'error', so the failure (if any) is known when this resolves.
      this.out.once('close', () => resolve());
      if (!this.out.destroyed && !this.out.writableEnded) this.out.end();
    });
    return this.closing;
  }
}

function maxOf(gaps: readonly number[]): number {
  let max = 0;
  for (const g of gaps) if (g > max) max = g;
  return max;
}
