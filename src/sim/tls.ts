// --tls: HTTPS with HTTP/2 (ALPN, HTTP/1.1 fallback) and a self-signed certificate generated at
// start with the openssl CLI (no network). The compatibility API of node:http2 mirrors
// IncomingMessage / ServerResponse closely enough for the shared router; the few differences
// (no Connection header, per-stream reset for the disconnect fault) are handled where they matter.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimConfig } from './config.ts';
import { createRouter, formatUrl, listen, type SimServer } from './server.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
}

/** A fresh self-signed certificate for localhost, 127.0.0.1 and ::1, valid for 30 days. */
export async function generateSelfSigned(): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'streamtop-sim-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await new Promise<void>((resolve, reject) => {
      execFile(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath,
          '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'],
        { timeout: 15_000 },
        (err, _stdout, stderr) => {
          if (err === null) return resolve();
          const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
          reject(new Error(missing ? '--tls needs the openssl command, which was not found' : `openssl failed: ${String(stderr).trim() || err.message}`));
        },
      );
    });
    return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function startTlsSimulator(config: SimConfig): Promise<SimServer> {
  const material = config.tlsCert !== undefined && config.tlsKey !== undefined ? { cert: config.tlsCert, key: config.tlsKey } : await generateSelfSigned();
  const { router, core } = createRouter(config);
  // The compatibility request/response objects stand in for node:http's (see the module comment).
  const handler = router.handle as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void;
  const server: Http2SecureServer = createSecureServer({ cert: material.cert, key: material.key, allowHTTP1: true }, handler);
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s: import('node:net').Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    url: formatUrl('https', config.host, port),
    port,
    host: config.host,
    config,
    ca: material.cert,
    stats: () => core.snapshot(),
    close: async () => {
      router.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
