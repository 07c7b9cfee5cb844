import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** The database handle every service takes; a transaction is one too. */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  readonly url?: string | undefined;
  /** PGlite data folder; when absent, an in-memory database. */
  readonly dataDir?: string | undefined;
  /** An already open PGlite instance (tests share one per worker). */
  readonly pglite?: PGlite;
  readonly poolSize?: number;
  /** Told when the server drops an idle pooled connection; by default a one-line warning on stderr. */
  readonly onIdleConnectionError?: (error: Error) => void;
}

function defaultIdleConnectionError(error: Error): void {
  process.stderr.write(`memberplus: a pooled PostgreSQL connection was closed by the server (${error.message}); it will be replaced\n`);
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle connection the server closes (restart, failover, admin termination) is an 'error' on
    // the pool; unheard, Node would crash the process. The pool replaces the connection on next use.
    pool.on('error', (error) => (options.onIdleConnectionError ?? defaultIdleConnectionError)(error));
    // Fail fast with a clear message instead of on the first request.
    const probe = await pool.connect();
    probe.release();
    const db = drizzlePg({ client: pool }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      migrate: () => migratePg(db as never, { migrationsFolder }),
      close: () => pool.end(),
    };
  }
  let client = options.pglite;
  const owned = !client;
  if (!client) {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    client = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  }
  const db = drizzlePglite({ client }) as unknown as Db;
  const pglite = client;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    close: async () => {
      if (owned) await pglite.close();
    },
  };
}
