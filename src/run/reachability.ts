import { Agent, request } from 'undici';
import { UsageError } from '../shared/usage-error.ts';
import { connect as tlsConnect } from 'node:tls';
import { isPlainHttpUnderTls } from '../engine/errors.ts';

/**
 * Fails fast, with a clear message, when --url cannot be reached at all, instead of filling a
 * run with connection errors. Any HTTP answer (even 404) counts as reachable.
 */
export async function checkReachable(baseUrl: string, timeoutMs: number, insecure: boolean): Promise<void> {
  const u = new URL(baseUrl);
  try {
    const agent = new Agent({ connect: { timeout: timeoutMs, rejectUnauthorized: !insecure } });
    try {
      const res = await request(u.origin + '/', {
        method: 'GET',
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
    } finally {
      await agent.close().catch(() => undefined);
    }
  } catch (e) {
    const why = await describeUnreachable(u, e, timeoutMs);
    throw new UsageError(`cannot reach --url ${u.origin}: ${why}`);
  }
}

/**
 * Why --url could not be reached, in words a user can act on. The two scheme mix-ups get their own
 * sentences: https:// to a plain-HTTP server fails inside OpenSSL (and is no certificate problem,
 * so --insecure must not be suggested), and http:// to a TLS server just sees the connection
 * closed, so a TLS handshake is tried to tell that case from a server that hung up.
 */
export async function describeUnreachable(u: URL, err: unknown, timeoutMs: number): Promise<string> {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const message = e.message ?? e.cause?.message ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running, and on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return `no answer within ${timeoutMs} ms`;
  if (u.protocol === 'https:' && isPlainHttpUnderTls(code, message))
    return `the server answered in plain HTTP, not TLS; use http://${u.host} instead of https://`;
  if (/CERT|TLS|SSL|SELF_SIGNED/i.test(code)) return `TLS certificate problem (${code}); use --insecure only if you trust the network`;
  if (u.protocol === 'http:' && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code.startsWith('HPE_'))) {
    if (await speaksTls(u, Math.min(timeoutMs, 5000)))
      return `the server speaks TLS (HTTPS) on port ${portOf(u)}, not plain HTTP; use https://${u.host} instead of http://`;
    return `the server closed the connection without an HTTP answer (${code})`;
  }
  return code || message;
}

function portOf(u: URL): number {
  return u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** True when a TLS handshake with the server completes (its certificate is not judged here). */
export function speaksTls(u: URL, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const socket = tlsConnect({
      host,
      port: portOf(u),
      // Only the protocol is being asked about; nothing is sent over this connection.
      rejectUnauthorized: false,
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
    });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}
