import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/client.js';
import { buildApp, type App } from './http/app.js';

export interface RunningServer {
  readonly app: App;
  readonly database: DatabaseHandle;
  readonly url: string;
  stop(): Promise<void>;
}

export async function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : `${config.dataDir}/pglite` });
}

/** Starts the API, docs and console; stops gracefully on SIGINT/SIGTERM (in-flight requests finish). */
export async function startServer(config: Config, database: DatabaseHandle): Promise<RunningServer> {
  const app = await buildApp({ config, database });
  const workers = (await import('./workers.js')).startWorkers(config, database, app.log);
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await workers.stop();
      await app.close();
      await database.close();
    })();
    return stopping;
  };
  return { app, database, url, stop };
}
