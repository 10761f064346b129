import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';
import type { Clock } from './clock.ts';

/**
 * Per-request connection costs: TCP connect and TLS handshake times, charged to the request that
 * caused the connection (the first one written on a new socket). Requests that reuse a
 * keep-alive connection pay nothing and get none.
 *
 * How: our own connector wraps undici's to time each new socket ('connect' = TCP done,
 * 'secureConnect' = TLS done), and undici's `undici:client:sendHeaders` diagnostics channel
 * tells which request is written on which socket; the request is recognised by the
 * x-request-id header the engine sets.
 */
export interface ConnTiming {
  connectMs: number;
  tlsMs?: number;
}

interface SocketTiming extends ConnTiming {
  charged: boolean;
}

const MAX_PENDING = 20_000;
const REQUEST_ID = /\r\nx-request-id: ([^\r]+)\r\n/i;

export class ConnectionTimings {
  private readonly bySocket = new WeakMap<Socket, SocketTiming>();
  private readonly byRequest = new Map<string, ConnTiming>();
  newConnections = 0;
  private readonly onSend = (msg: unknown): void => {
    const { headers, socket } = msg as { headers?: unknown; socket?: Socket };
    if (!socket) return;
    const t = this.bySocket.get(socket);
    if (!t || t.charged) return;
    t.charged = true;
    const m = typeof headers === 'string' ? REQUEST_ID.exec(headers) : null;
    const id = m?.[1];
    if (id === undefined) return;
    if (this.byRequest.size >= MAX_PENDING) this.byRequest.clear();
    this.byRequest.set(id, t.tlsMs !== undefined ? { connectMs: t.connectMs, tlsMs: t.tlsMs } : { connectMs: t.connectMs });
  };

  constructor(private readonly clock: Clock) {
    diagnostics.subscribe('undici:client:sendHeaders', this.onSend);
  }

  /** A connector for undici's `connect` option: undici's own, with timing around it. */
  connector(opts: buildConnector.BuildOptions): buildConnector.connector {
    const inner = buildConnector(opts);
    return (options, callback) => {
      const start = this.clock.now();
      let tcpAt: number | undefined;
      const socket = inner(options, (...args) => {
        const [err, sock] = args;
        if (!err && sock) {
          const now = this.clock.now();
          const tls = options.protocol === 'https:';
          const tcp = (tcpAt ?? now) - start;
          this.newConnections++;
          this.bySocket.set(sock as Socket, {
            connectMs: tcp,
            ...(tls ? { tlsMs: now - (tcpAt ?? start) } : {}),
            charged: false,
          });
        }
        callback(...args);
      });
      (socket as Socket | undefined)?.once?.('connect', () => {
        tcpAt = this.clock.now();
      });
      return socket;
    };
  }

  /** The connection cost charged to this request, once. */
  take(requestId: string): ConnTiming | undefined {
    const t = this.byRequest.get(requestId);
    if (t) this.byRequest.delete(requestId);
    return t;
  }

  dispose(): void {
    diagnostics.unsubscribe('undici:client:sendHeaders', this.onSend);
  }
}
