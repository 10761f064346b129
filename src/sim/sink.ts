// Where a stream's bytes go. For HTTP/1.1 (the hot case) the chunk framing is built with the
// payload (ChunkBuilder) and written straight to the socket: one socket.write per batch instead of
// res.write's four writes, cork and nextTick uncork, roughly halving the per-token cost with 1,000
// paced streams. Anything else (HTTP/2 compatibility responses) goes through res.write.

import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ChunkBuilder } from './chunk-builder.ts';

export interface StreamSink {
  /** Writes what the builder holds (and empties it); false means wait for onDrain. */
  write(from: ChunkBuilder): boolean;
  /** Writes what the builder holds, if anything, and ends the response. */
  end(from: ChunkBuilder): void;
  onDrain(callback: () => void): void;
}

/** Call after the response headers have been flushed. */
export function sinkFor(res: ServerResponse): StreamSink {
  const socket = res.socket;
  if (res instanceof ServerResponse && socket !== null && res.headersSent && res.chunkedEncoding && !res.writableEnded) {
    return rawChunkedSink(res, socket);
  }
  return {
    write: (from) => res.write(from.take('none')),
    end: (from) => {
      if (from.length > 0) res.end(from.take('none'));
      else res.end();
    },
    onDrain: (callback) => {
      res.once('drain', callback);
    },
  };
}

function rawChunkedSink(res: ServerResponse, socket: Socket): StreamSink {
  return {
    write: (from) => socket.write(from.take('chunk')),
    end: (from) => {
      // The last chunk and the terminator leave in one write; Node is told the body is no longer
      // chunked so that res.end() adds nothing and only runs its keep-alive bookkeeping.
      socket.write(from.take('final'));
      res.chunkedEncoding = false;
      res.end();
    },
    onDrain: (callback) => {
      socket.once('drain', callback);
    },
  };
}
