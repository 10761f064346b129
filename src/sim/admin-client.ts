import { Agent, request } from 'undici';

/**
 * Talks to our own simulator's admin endpoints (latency spikes, fault bursts, ground truth).
 * Its own dispatcher trusts the simulator's self-signed certificate when it serves TLS; nothing
 * else ever does.
 */
export class SimAdminClient {
  private readonly agent: Agent;

  constructor(
    readonly origin: string,
    ca?: string,
  ) {
    this.agent = new Agent({ connect: ca !== undefined ? { ca } : {} });
  }

  async post(path: string, body: unknown): Promise<unknown> {
    const res = await request(`${this.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      dispatcher: this.agent,
    });
    const json: unknown = await res.body.json().catch(() => undefined);
    if (res.statusCode >= 300) throw new Error(`simulator admin answered HTTP ${res.statusCode}`);
    return json;
  }

  close(): Promise<void> {
    return this.agent.close().catch(() => undefined);
  }
}
