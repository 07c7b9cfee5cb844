import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { buildApp, type App } from '../../src/http/app.js';
import { seedDemo, type DemoSeed } from '../../src/seed.js';
import { progress } from './progress.js';

export interface BenchApp {
  readonly app: App;
  readonly url: string;
  readonly demo: DemoSeed;
  readonly db: DatabaseHandle['db'];
  readonly secretKey: string;
  /** `pglite` or `postgres`, for the report. */
  readonly database: DatabaseHandle['kind'];
  stop(): Promise<void>;
}

/**
 * A throwaway database: in-memory PGlite by default, or a fresh database created next to the one
 * DATABASE_URL names (and dropped afterwards), so a bench never writes into real data.
 */
async function benchDatabase(): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    progress('database: embedded PGlite (in memory)');
    return { handle: await openDatabase({}), drop: async () => {} };
  }
  const name = `mp_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  progress(`database: PostgreSQL ${url.host}/${name} (temporary)`);
  const handle = await openDatabase({ url: url.toString(), poolSize: 20 });
  return {
    handle,
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Migrates, seeds the demo tenant and listens on a free local port; no background workers, no logs. */
export async function startBenchApp(): Promise<BenchApp> {
  const { handle, drop } = await benchDatabase();
  try {
    progress('migrating');
    await handle.migrate();
    // The port is chosen before start so PUBLIC_URL (channel callbacks, sandbox base URL) names it.
    const port = await freePort();
    const config = loadConfig(
      { ...process.env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, HOST: '127.0.0.1', LOG_LEVEL: 'silent', MEMBERPLUS_CONFIG: '', MEMBERPLUS_DATA_DIR: '.tmp/bench', MEMBERPLUS_SECRET_KEY: randomBytes(32).toString('hex') },
      process.cwd(),
    );
    progress('seeding the demo tenant (with sandbox payment channels)');
    const demo = await seedDemo(handle.db, { secretKey: config.secretKey });
    const app = await buildApp({ config, database: handle, logger: false });
    const url = await app.listen({ port, host: '127.0.0.1' });
    progress(`MemberPlus listening on ${url}`);
    return {
      app,
      url,
      demo,
      db: handle.db,
      secretKey: config.secretKey,
      database: handle.kind,
      async stop() {
        await app.close();
        await handle.close();
        await drop();
      },
    };
  } catch (error) {
    await handle.close();
    await drop();
    throw error;
  }
}
