import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';

// One PGlite per worker, loaded once from the migrated snapshot: starting PGlite costs about a
// second, so each test file gets a fresh database by emptying this one, not by starting another.
let workerPglite: Promise<PGlite> | undefined;

async function pgliteFromSnapshot(snapshotPath: string): Promise<PGlite> {
  workerPglite ??= PGlite.create({ loadDataDir: new Blob([readFileSync(snapshotPath)]) });
  return workerPglite;
}

async function emptyAllTables(client: PGlite): Promise<void> {
  const { rows } = await client.query<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public'`);
  if (!rows.length) return;
  // Replica mode switches triggers off, so the append-only audit table can be emptied between files.
  await client.exec(`set session_replication_role = replica; truncate ${rows.map((r) => `"${r.tablename}"`).join(', ')}; set session_replication_role = origin;`);
}

export interface TestDatabase extends DatabaseHandle {
  /** A connection string for a second, independent process or pool (PostgreSQL only). */
  readonly url: string | null;
  dispose(): Promise<void>;
}

/** A fresh, migrated, empty database for one test file. */
export async function freshDatabase(): Promise<TestDatabase> {
  const source = inject('database');
  if (source.kind === 'pglite') {
    const client = await pgliteFromSnapshot(source.snapshotPath);
    await emptyAllTables(client);
    const handle = await openDatabase({ pglite: client });
    return { ...handle, url: null, dispose: async () => {} };
  }
  const name = `mp_test_${randomBytes(4).toString('hex')}_${process.ppid}`;
  const admin = new pg.Client({ connectionString: source.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${source.template}`);
  await admin.end();
  const url = new URL(source.adminUrl);
  url.pathname = `/${name}`;
  // dispose() drops the database WITH (FORCE): connections still open then are ended on purpose.
  const handle = await openDatabase({ url: url.toString(), poolSize: 20, onIdleConnectionError: () => {} });
  return {
    ...handle,
    url: url.toString(),
    dispose: async () => {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: source.adminUrl });
      await cleanup.connect();
      // pool.end() resolves before its sockets have closed; dropping WITH (FORCE) then would
      // terminate them mid-goodbye (FATAL 57P01 surfacing as an uncaught error). Wait for them.
      for (let i = 0; i < 100; i++) {
        const { rows } = await cleanup.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
        if (Number(rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
