import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAllAuditChains } from '../../src/modules/platform/index.js';
import { json, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login('owner');
  for (const name of ['A', 'B', 'C']) {
    await t.app.inject({ method: 'POST', url: '/v1/stores', headers: { cookie: owner }, payload: { name } });
  }
});
afterAll(() => t.close());

/** An attacker with database access: triggers off, then edit the log behind the application's back. */
async function tamper(statement: ReturnType<typeof sql>) {
  await t.database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(statement);
  });
}

async function verifyViaApi() {
  return json<{ ok: boolean; entries: number; first_break: { kind: string; seq: number } | null }>(
    await t.app.inject({ method: 'GET', url: '/v1/audit-log/verify', headers: { cookie: owner } }),
  );
}

describe('audit hash chain', () => {
  it('verifies an untouched chain', async () => {
    const result = await verifyViaApi();
    expect(result.ok).toBe(true);
    expect(result.entries).toBeGreaterThan(5);
  });

  it('refuses edits and deletions through ordinary SQL', async () => {
    await expect(t.database.db.execute(sql`update platform_audit_entries set action = 'x'`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`delete from platform_audit_entries`)).rejects.toThrow();
  });

  it('reports the first broken link when an entry is edited', async () => {
    await tamper(sql`update platform_audit_entries set after = '{"name":"forged"}' where chain_id = ${t.demo.merchantId} and seq = 4`);
    const result = await verifyViaApi();
    expect(result.ok).toBe(false);
    expect(result.first_break).toMatchObject({ kind: 'hash_mismatch', seq: 4 });
  });

  it('reports a removed entry, through the API and the CLI', async () => {
    await tamper(sql`delete from platform_audit_entries where chain_id = ${t.demo.merchantId} and seq = 2`);
    const result = await verifyViaApi();
    expect(result.first_break).toMatchObject({ kind: 'missing_entry', seq: 2 });
    const all = await verifyAllAuditChains(t.database.db);
    expect(all.find((c) => c.chainId === t.demo.merchantId)?.ok).toBe(false);
    expect(all.find((c) => c.chainId === t.demo.operatorId)?.ok).toBe(true);
  });
});

describe('memberplus audit verify (CLI)', () => {
  it('exits 1 and names the broken chain', async () => {
    if (!t.database.url) {
      // The embedded database is owned by this process; the CLI is exercised on PostgreSQL runs and
      // here through the same function it calls.
      expect((await verifyAllAuditChains(t.database.db)).some((c) => !c.ok)).toBe(true);
      return;
    }
    const run = promisify(execFile);
    const error = await run('node', ['bin/memberplus.mjs', 'audit', 'verify', '--json'], { env: { ...process.env, DATABASE_URL: t.database.url } }).catch((e: { code: number; stdout: string }) => e);
    expect('code' in error && error.code).toBe(1);
    const report = JSON.parse((error as { stdout: string }).stdout) as { ok: boolean; chains: { chainId: string; ok: boolean }[] };
    expect(report.ok).toBe(false);
    expect(report.chains.find((c) => c.chainId === t.demo.merchantId)?.ok).toBe(false);
  });
});
