import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    database: { kind: 'pglite'; snapshotPath: string } | { kind: 'postgres'; adminUrl: string; template: string };
  }
}

/**
 * Migrates once per run: a PGlite snapshot file for the embedded engine, or a template database on
 * PostgreSQL. Each test file then gets a fresh copy (test/support/database.ts).
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const template = `mp_test_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${template}`);
    await admin.query(`create database ${template}`);
    const url = new URL(adminUrl);
    url.pathname = `/${template}`;
    const handle = await openDatabase({ url: url.toString(), poolSize: 1 });
    await handle.migrate();
    await handle.close();
    project.provide('database', { kind: 'postgres', adminUrl, template });
    return async () => {
      const leftovers = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'mp_test_%_${process.pid}%' or datname = $1`, [template]);
      for (const { datname } of leftovers.rows) await admin.query(`drop database if exists ${datname} with (force)`);
      await admin.end();
    };
  }
  const dir = path.resolve('.tmp');
  mkdirSync(dir, { recursive: true });
  const snapshotPath = path.join(dir, `pglite-migrated-${process.pid}.tar`);
  const client = await PGlite.create();
  const handle = await openDatabase({ pglite: client });
  await handle.migrate();
  const snapshot = await client.dumpDataDir('none');
  writeFileSync(snapshotPath, Buffer.from(await snapshot.arrayBuffer()));
  await client.close();
  project.provide('database', { kind: 'pglite', snapshotPath });
  return () => rmSync(snapshotPath, { force: true });
}
