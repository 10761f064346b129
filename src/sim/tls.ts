import type { SimConfig } from './config.ts';
import type { SimServer } from './server.ts';

export async function startTlsSimulator(_config: SimConfig): Promise<SimServer> {
  throw new Error('--tls is not implemented yet');
}
