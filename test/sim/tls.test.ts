// --tls: HTTPS with HTTP/2 (and HTTP/1.1 fallback), self-signed certificate generated at start.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:http2';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { SimServer } from '../../src/sim/server.ts';
import { startSim } from '../helpers/sim-helpers.ts';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('--tls', { skip: hasOpenssl ? false : 'no openssl command' }, () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ tls: true, ttft: '2', itl: '1', 'output-tokens': '5', faults: 'none' });
  });
  after(() => sim.close());

  it('serves a stream over HTTP/2, trusting the generated certificate', async () => {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(sim.ca?.includes('BEGIN CERTIFICATE'));
    const session = connect(sim.url, { ca: sim.ca });
    const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' });
      let status = 0;
      let text = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.setEncoding('utf8');
      req.on('data', (s: string) => (text += s));
      req.on('end', () => resolve({ status, text }));
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'h2' }] }));
    });
    session.close();
    assert.equal(body.status, 200);
    assert.ok(body.text.endsWith('data: [DONE]\n\n'));
    assert.equal(body.text.match(/"content":"[^"]/g)?.length, 5);
  });

  it('falls back to HTTP/1.1 over TLS', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(`${sim.url}/v1/messages`, { method: 'POST', ca: sim.ca, headers: { 'content-type': 'application/json' } }, (res) => {
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (t += s));
        res.on('end', () => resolve(t));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'h1' }] }));
    });
    assert.ok(text.includes('event: message_stop'));
  });
});

describe('spawnSimulator with --tls', { skip: hasOpenssl ? false : 'no openssl command' }, () => {
  it('returns the certificate to trust', async () => {
    const { spawnSimulator } = await import('../../src/sim/spawn.ts');
    const { resolveSimConfig } = await import('../../src/sim/config.ts');
    const sim = await spawnSimulator(resolveSimConfig({ tls: true }));
    try {
      assert.match(sim.url, /^https:/);
      const status = await new Promise<number>((resolve, reject) => {
        request(`${sim.url}/health`, { ca: sim.ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject).end();
      });
      assert.equal(status, 200);
    } finally {
      await sim.close();
    }
  });
});
