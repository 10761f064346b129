import { Agent, request } from 'undici';
import { UsageError } from '../shared/usage-error.ts';

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
    const err = e as { code?: string; message?: string; cause?: { code?: string } };
    const code = err.code ?? err.cause?.code ?? '';
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused (is the server running, and on that port?)'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host name not found'
          : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT'
            ? `no answer within ${timeoutMs} ms`
            : /CERT|TLS|SSL|SELF_SIGNED/i.test(code)
              ? `TLS certificate problem (${code}); use --insecure only if you trust the network`
              : `${code || err.message}`;
    throw new UsageError(`cannot reach --url ${u.origin}: ${why}`);
  }
}
