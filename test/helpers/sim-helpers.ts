// Shared helpers for the simulator tests: start an in-process simulator from flag values, read an
// SSE response into events with arrival times, post JSON.

import { resolveSimConfig, type SimFlagValues } from '../../src/sim/config.ts';
import { startSimulator, type SimServer } from '../../src/sim/server.ts';

export async function startSim(flags: SimFlagValues = {}): Promise<SimServer> {
  return startSimulator(resolveSimConfig({ jitter: '0', ...flags }));
}

export const userMessage = (content: string): { role: 'user'; content: string }[] => [{ role: 'user', content }];

export interface SseEvent {
  event: string | undefined;
  data: string;
  /** performance.now() when the chunk holding the event's end arrived. */
  at: number;
}

/** Parses an SSE body into events, stamping each with the arrival time of its chunk. */
export async function readSse(res: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  if (res.body === null) return events;
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    const at = performance.now();
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    let sep: number;
    while ((sep = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      events.push({ event, data: data.join('\n'), at });
    }
  }
  return events;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const r = await fetch(url);
  return (await r.json()) as T;
}

/** Polls `check` until it returns true (no fixed sleeps in tests). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A simulator in a child process (as the real client uses it), so test-side work cannot skew its timing. */
export async function spawnSim(flags: SimFlagValues = {}): Promise<{ url: string; close(): Promise<void>; pid: number }> {
  const { spawnSimulator } = await import('../../src/sim/spawn.ts');
  return spawnSimulator(resolveSimConfig({ jitter: '0', ...flags }));
}
