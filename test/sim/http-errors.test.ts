// Errors in each provider's own JSON shape and status.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { SimServer } from '../../src/sim/server.ts';
import { postJson, startSim, userMessage } from '../helpers/sim-helpers.ts';

const OPENAI = '/v1/chat/completions';
const ANTHROPIC = '/v1/messages';

describe('HTTP errors', () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ ttft: '1', itl: '0', 'output-tokens': '3', 'api-key': 'secret-key-123', 'max-body-bytes': '2048' });
  });
  after(() => sim.close());
  const auth = { authorization: 'Bearer secret-key-123' };

  it('400 on malformed JSON, both shapes', async () => {
    for (const [path, shape] of [[OPENAI, 'openai'], [ANTHROPIC, 'anthropic']] as const) {
      const res = await fetch(sim.url + path, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"model": ' });
      assert.equal(res.status, 400);
      const body = (await res.json()) as Record<string, { type: string; message: string }>;
      if (shape === 'openai') assert.equal(body.error?.type, 'invalid_request_error');
      else assert.deepEqual(Object.keys(body).sort(), ['error', 'type']);
    }
  });

  it('400 on missing fields, naming them', async () => {
    let res = await postJson(sim.url + OPENAI, { messages: userMessage('x') }, auth);
    assert.equal(res.status, 400);
    let body = (await res.json()) as { error: { param: string } };
    assert.equal(body.error.param, 'model');
    res = await postJson(sim.url + OPENAI, { model: 'm' }, auth);
    body = (await res.json()) as { error: { param: string } };
    assert.equal(body.error.param, 'messages');
    res = await postJson(sim.url + ANTHROPIC, { model: 'm', max_tokens: 5 }, auth);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /messages/);
    res = await postJson(sim.url + OPENAI, { model: 'm', messages: userMessage('x'), max_tokens: 0 }, auth);
    assert.equal(res.status, 400);
    res = await postJson(sim.url + OPENAI, { model: 'm', messages: userMessage('x'), stream_options: { include_usage: true } }, auth);
    assert.equal(res.status, 400, 'stream_options without stream');
  });

  it('401 without or with a wrong key; the key never appears in the answer', async () => {
    const headerSets: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { 'x-api-key': 'nope' }];
    for (const headers of headerSets) {
      for (const path of [OPENAI, ANTHROPIC]) {
        const res = await postJson(sim.url + path, { model: 'm', max_tokens: 5, messages: userMessage('x') }, headers);
        assert.equal(res.status, 401);
        const text = await res.text();
        assert.ok(!text.includes('secret-key-123'));
        if (path === ANTHROPIC) assert.equal((JSON.parse(text) as { error: { type: string } }).error.type, 'authentication_error');
        else assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'invalid_api_key');
      }
    }
    const ok = await postJson(sim.url + ANTHROPIC, { model: 'm', max_tokens: 5, messages: userMessage('x') }, { 'x-api-key': 'secret-key-123' });
    assert.equal(ok.status, 200);
    await ok.text();
  });

  it('404 for unknown paths, 405 for wrong methods', async () => {
    let res = await fetch(`${sim.url}/v1/nothing`, { headers: auth });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    res = await fetch(`${sim.url}/v1/nothing`, { headers: { 'anthropic-version': '2023-06-01' } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'not_found_error');
    res = await fetch(sim.url + OPENAI, { headers: auth });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    await res.text();
  });

  it('413 for a body over the limit (declared or streamed)', async () => {
    const big = { model: 'm', messages: userMessage('x'.repeat(4096)) };
    const res = await postJson(sim.url + OPENAI, big, auth);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'request_too_large');
    // Chunked upload without content-length.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${sim.url}${ANTHROPIC}`, { method: 'POST', headers: { ...auth, 'transfer-encoding': 'chunked' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write('x'.repeat(512));
      req.end();
    });
    assert.equal(status, 413);
  });

  it('GET /health and /v1/models', async () => {
    assert.deepEqual(await (await fetch(`${sim.url}/health`)).json(), { status: 'ok' });
    const models = (await (await fetch(`${sim.url}/v1/models`, { headers: auth })).json()) as { object: string };
    assert.equal(models.object, 'list');
    const anthropicModels = (await (await fetch(`${sim.url}/v1/models`, { headers: { 'x-api-key': 'secret-key-123', 'anthropic-version': '2023-06-01' } })).json()) as { has_more: boolean };
    assert.equal(anthropicModels.has_more, false);
    assert.equal((await fetch(`${sim.url}/v1/models`)).status, 401);
  });

  it('counts rejections by reason', () => {
    const s = sim.stats();
    assert.ok(s.rejectedBy.invalid >= 5);
    assert.ok(s.rejectedBy.auth >= 6);
    assert.ok(s.rejectedBy.tooLarge >= 2);
    assert.equal(s.rejected, Object.values(s.rejectedBy).reduce((a, b) => a + b, 0));
  });
});
