// Control and ground truth: /admin/stats, /admin/config, /admin/requests. Not behind --api-key:
// the key imitates a provider's auth for the API routes; the admin routes are the simulator's own.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PatchError, parseLivePatch, publicConfig } from './config.ts';
import type { SimCore } from './core.ts';
import { readBody, sendJson, tryParseJson } from './http-util.ts';
import type { LiveConfig } from './live-config.ts';
import { recordToJson } from './records.ts';
import { isRecord } from './wire.ts';

/** Most ids one bulk lookup may ask for. */
const MAX_LOOKUP_IDS = 100_000;
const ADMIN_BODY_LIMIT = 16 * 1024 * 1024;

function adminError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, JSON.stringify({ error: { message } }));
}

export async function handleAdmin(
  core: SimCore,
  live: LiveConfig,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/admin/stats') {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return sendJson(res, 200, JSON.stringify(core.snapshot()));
  }
  if (path === '/admin/stats/reset') {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    core.stats.reset();
    return sendJson(res, 200, JSON.stringify(core.snapshot()));
  }
  if (path === '/admin/config') {
    if (method === 'GET') return sendJson(res, 200, JSON.stringify({ config: publicConfig(core.config), pendingReverts: live.pendingReverts() }));
    if (method !== 'POST') return methodNotAllowed(res, 'GET, POST');
    const body = await readJson(req, res);
    if (body === undefined) return;
    const revert = body.revertAfterMs;
    if (revert !== undefined && (typeof revert !== 'number' || !(revert >= 0) || revert > 86_400_000)) {
      return adminError(res, 400, 'revertAfterMs: expected milliseconds between 0 and 86400000');
    }
    try {
      live.apply(parseLivePatch(body), revert);
    } catch (err) {
      if (err instanceof PatchError) return adminError(res, 400, err.message);
      throw err;
    }
    return sendJson(res, 200, JSON.stringify({ config: publicConfig(core.config), pendingReverts: live.pendingReverts() }));
  }
  if (path === '/admin/requests/lookup') {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    const body = await readJson(req, res);
    if (body === undefined) return;
    const ids = body.ids;
    if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string') || ids.length > MAX_LOOKUP_IDS) {
      return adminError(res, 400, `ids: expected an array of at most ${MAX_LOOKUP_IDS} request id strings`);
    }
    return sendLookup(core, res, ids as string[]);
  }
  if (path === '/admin/requests') {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    const ids = new URLSearchParams(query).get('ids');
    if (ids === null) return adminError(res, 400, 'ids: expected ?ids=ID1,ID2,...');
    return sendLookup(core, res, ids.split(',').filter((s) => s !== '').slice(0, MAX_LOOKUP_IDS));
  }
  if (path.startsWith('/admin/requests/')) {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    const id = decodeURIComponent(path.slice('/admin/requests/'.length));
    const record = core.records.get(id);
    if (record === undefined) return adminError(res, 404, `no record for request id ${JSON.stringify(id)} (never seen, or evicted)`);
    return sendJson(res, 200, JSON.stringify({ timeOrigin: performance.timeOrigin, ...recordToJson(record) }));
  }
  return adminError(res, 404, `no admin route ${method} ${path}`);
}

function sendLookup(core: SimCore, res: ServerResponse, ids: readonly string[]): void {
  const records: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const r = core.records.get(id);
    if (r === undefined) missing.push(id);
    else records.push(recordToJson(r));
  }
  sendJson(res, 200, JSON.stringify({ timeOrigin: performance.timeOrigin, records, missing }));
}

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
  const result = await readBody(req, ADMIN_BODY_LIMIT);
  if (!result.ok) {
    if (result.reason === 'tooLarge') adminError(res, 413, `body over ${ADMIN_BODY_LIMIT} bytes`);
    return undefined;
  }
  const parsed = tryParseJson(result.body.toString('utf8'));
  if (parsed === undefined || !isRecord(parsed.value)) {
    adminError(res, 400, 'expected a JSON object body');
    return undefined;
  }
  return parsed.value;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  adminError(res, 405, `method not allowed; allowed: ${allow}`);
}
