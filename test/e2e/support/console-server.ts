import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildApp, type App } from '../../../src/http/app.js';
import { seedDemo, type DemoSeed } from '../../../src/seed.js';
import { testConfig } from '../../support/app.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';

export interface ConsoleServer {
  readonly app: App;
  readonly baseUrl: string;
  readonly demo: DemoSeed;
  close(): Promise<void>;
}

/**
 * Builds the console if its dist is missing or stale (`npm test` has usually done it already), by
 * the same script `npm start` uses; the server only serves /console/ when the dist exists at boot.
 */
export function ensureConsoleBuilt(): void {
  const root = process.cwd();
  execFileSync(process.execPath, [path.join(root, 'scripts/ensure-console.mjs')], { cwd: root, stdio: 'inherit' });
  if (!existsSync(path.join(root, 'web/console/dist/index.html'))) throw new Error('web/console/dist/index.html is missing after scripts/ensure-console.mjs');
}

/** The real app over HTTP on 127.0.0.1 (a random port), on a fresh database with the demo tenant. */
export async function startConsoleServer(): Promise<ConsoleServer> {
  ensureConsoleBuilt();
  const database: TestDatabase = await freshDatabase();
  const demo = await seedDemo(database.db);
  const app = await buildApp({ config: testConfig(), database, logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    baseUrl: address,
    demo,
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}
