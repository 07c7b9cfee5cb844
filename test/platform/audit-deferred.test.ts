import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, systemContext, verifyAllAuditChains, withDeferredAudit } from '../../src/modules/platform/index.js';
import { auditEntries } from '../../src/modules/platform/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';

// withDeferredAudit: a transaction's audit entries are chained when its work is done (still in the
// same transaction), in the order they were written; a failed transaction leaves none.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const entriesOf = (targetId: string) =>
  t.database.db
    .select({ seq: auditEntries.seq, action: auditEntries.action })
    .from(auditEntries)
    .where(and(eq(auditEntries.chainId, t.demo.merchantId), eq(auditEntries.targetId, targetId)))
    .orderBy(asc(auditEntries.seq));

describe('deferred audit entries', () => {
  it('are appended at the end of the block, in order, with consecutive sequence numbers and a valid chain', async () => {
    const ctx = systemContext(t.demo.operatorId, t.demo.merchantId, 'test');
    let seenInside = -1;
    await t.database.db.transaction((tx) =>
      withDeferredAudit(tx, async () => {
        for (const action of ['deferred.first', 'deferred.second', 'deferred.third']) await appendAudit(tx, ctx, { action, targetType: 'test', targetId: 'deferred-1' });
        seenInside = (await tx.select().from(auditEntries).where(eq(auditEntries.targetId, 'deferred-1'))).length;
      }),
    );
    expect(seenInside).toBe(0);
    const rows = await entriesOf('deferred-1');
    expect(rows.map((r) => r.action)).toEqual(['deferred.first', 'deferred.second', 'deferred.third']);
    expect(rows.map((r) => Number(r.seq) - Number(rows[0]!.seq))).toEqual([0, 1, 2]);
    expect((await verifyAllAuditChains(t.database.db)).every((chain) => chain.ok)).toBe(true);
  });

  it('append nothing when the work fails, and nest without appending twice', async () => {
    const ctx = systemContext(t.demo.operatorId, t.demo.merchantId, 'test');
    await expect(
      t.database.db.transaction((tx) =>
        withDeferredAudit(tx, async () => {
          await appendAudit(tx, ctx, { action: 'deferred.lost', targetType: 'test', targetId: 'deferred-2' });
          throw new Error('the checkout failed');
        }),
      ),
    ).rejects.toThrow('the checkout failed');
    expect(await entriesOf('deferred-2')).toEqual([]);

    await t.database.db.transaction((tx) =>
      withDeferredAudit(tx, () => withDeferredAudit(tx, () => appendAudit(tx, ctx, { action: 'deferred.nested', targetType: 'test', targetId: 'deferred-3' }))),
    );
    expect((await entriesOf('deferred-3')).map((r) => r.action)).toEqual(['deferred.nested']);
  });
});
