import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, codeOf, enrol, type Caller } from './support.js';

let t: TestApp;
let owner: Caller;
let cashier: Caller;
let storeId: string;

interface SvResult {
  entry: { id: string; type: string; principal_fen: number; bonus_fen: number };
  account: { principal_fen: number; bonus_fen: number; balance_fen: number };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  storeId = t.demo.storeIds[0]!;
  // 充1000送100, 充500送30.
  await owner.ok('PATCH', '/v1/membership/program', {
    top_up_plans: [
      { pay_fen: 100_000, bonus_fen: 10_000 },
      { pay_fen: 50_000, bonus_fen: 3_000 },
    ],
  });
});
afterAll(() => t.close());

describe('stored value', () => {
  it('tops up with the plan’s bonus, once per payment reference', async () => {
    const m = await enrol(cashier);
    const topped = await cashier.ok<SvResult & { bonus_fen: number }>('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 100_000, payment_reference: 'pay-topup-1', store_id: storeId });
    expect(topped.bonus_fen).toBe(10_000);
    expect(topped.account).toEqual({ principal_fen: 100_000, bonus_fen: 10_000, balance_fen: 110_000 });
    const again = await cashier.raw('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 100_000, payment_reference: 'pay-topup-1' });
    expect(codeOf(again)).toBe('duplicate_reference');
  });

  it('enforces the card cap (¥5,000 for a registered card by default, configurable)', async () => {
    const m = await enrol(cashier);
    // 450 000 + 10 000 bonus fits; another 40 000 (no plan) would pass 500 000.
    await cashier.ok('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 450_000, payment_reference: 'cap-1' });
    const over = await cashier.raw('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 40_001, payment_reference: 'cap-2' });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'stored_value_cap_exceeded', room_fen: 40_000 });
    await cashier.ok('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 40_000, payment_reference: 'cap-3' });
    const card = await cashier.ok<{ balance_fen: number; cap_fen: number }>('GET', `/v1/members/${m.id}/stored-value`);
    expect(card).toMatchObject({ balance_fen: 500_000, cap_fen: 500_000 });
  });

  it('spends principal and bonus in proportion and refunds partial spends exactly', async () => {
    const m = await enrol(cashier);
    await cashier.ok('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 100_000, payment_reference: 'split-1' });
    const spend = await cashier.ok<SvResult>('POST', `/v1/members/${m.id}/stored-value/spends`, { amount_fen: 333, store_id: storeId });
    expect(spend.entry).toMatchObject({ type: 'spend', principal_fen: -302, bonus_fen: -31 });
    expect(codeOf(await cashier.raw('POST', `/v1/members/${m.id}/stored-value/spends`, { amount_fen: 200_000 }))).toBe('insufficient_stored_value');
    // Refunds need a manager.
    expect((await cashier.raw('POST', `/v1/members/${m.id}/stored-value/refunds`, { spend_entry_id: spend.entry.id, amount_fen: 100 })).statusCode).toBe(403);
    let principal = 0;
    let bonus = 0;
    for (const amount of [100, 100, 133]) {
      const back = await owner.ok<SvResult>('POST', `/v1/members/${m.id}/stored-value/refunds`, { spend_entry_id: spend.entry.id, amount_fen: amount });
      principal += back.entry.principal_fen;
      bonus += back.entry.bonus_fen;
    }
    expect({ principal, bonus }).toEqual({ principal: 302, bonus: 31 });
    expect(codeOf(await owner.raw('POST', `/v1/members/${m.id}/stored-value/refunds`, { spend_entry_id: spend.entry.id, amount_fen: 1 }))).toBe('refund_exceeds_spend');
    const card = await cashier.ok<{ principal_fen: number; bonus_fen: number }>('GET', `/v1/members/${m.id}/stored-value`);
    expect(card).toMatchObject({ principal_fen: 100_000, bonus_fen: 10_000 });
  });

  it('refunds the unused principal to the holder; the bonus lapses as its own entry', async () => {
    const m = await enrol(cashier);
    await cashier.ok('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 50_000, payment_reference: 'principal-1' });
    await cashier.ok('POST', `/v1/members/${m.id}/stored-value/spends`, { amount_fen: 5_300 });
    const refund = await owner.ok<SvResult & { forfeited_bonus_fen: number }>('POST', `/v1/members/${m.id}/stored-value/principal-refund`, { reason: 'store closing' });
    expect(refund.entry).toMatchObject({ type: 'refund', principal_fen: -45_000 });
    expect(refund.forfeited_bonus_fen).toBe(2_700);
    expect(refund.account).toEqual({ principal_fen: 0, bonus_fen: 0, balance_fen: 0 });
    expect(codeOf(await owner.raw('POST', `/v1/members/${m.id}/stored-value/principal-refund`, { reason: 'again' }))).toBe('nothing_to_refund');
    const ledger = await cashier.ok<{ items: { type: string; principal_fen: number; bonus_fen: number }[] }>('GET', `/v1/members/${m.id}/stored-value/entries`);
    expect(ledger.items.map((e) => e.type)).toEqual(['expire', 'refund', 'spend', 'top_up']);
    expect(ledger.items.reduce((s, e) => s + e.principal_fen + e.bonus_fen, 0)).toBe(0);
  });

  it('never overspends under concurrent spends', async () => {
    const m = await enrol(cashier);
    await cashier.ok('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: 10_000, payment_reference: 'race-1' });
    const responses = await Promise.all(Array.from({ length: 30 }, () => cashier.raw('POST', `/v1/members/${m.id}/stored-value/spends`, { amount_fen: 700 })));
    const ok = responses.filter((r) => r.statusCode === 200);
    const refused = responses.filter((r) => r.statusCode !== 200);
    // 10 000 fen (no bonus under 50 000) covers 14 spends of 700.
    expect(ok).toHaveLength(14);
    expect(refused.every((r) => r.statusCode === 409 && codeOf(r) === 'insufficient_stored_value')).toBe(true);
    const card = await cashier.ok<{ balance_fen: number }>('GET', `/v1/members/${m.id}/stored-value`);
    expect(card.balance_fen).toBe(10_000 - 14 * 700);
    const check = await owner.ok<{ ok: boolean; mismatches: unknown[] }>('GET', '/v1/membership/ledger-check');
    expect(check).toMatchObject({ ok: true, mismatches: [] });
  });

  it('reports escrow: outstanding principal at the quarter’s end × the ratio', async () => {
    await owner.ok('PATCH', '/v1/membership/program', { escrow_ratio_bps: 3_000 });
    const now = new Date();
    const local = new Date(now.getTime() + 8 * 3_600_000);
    const quarter = `${local.getUTCFullYear()}Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
    const report = await owner.ok<{ outstanding_principal_fen: number; required_escrow_fen: number; ratio_bps: number }>('GET', `/v1/membership/stored-value/escrow-report?quarter=${quarter}`);
    const cards = await owner.ok<{ ok: boolean }>('GET', '/v1/membership/ledger-check');
    expect(cards.ok).toBe(true);
    expect(report.ratio_bps).toBe(3_000);
    expect(report.outstanding_principal_fen).toBeGreaterThan(0);
    expect(report.required_escrow_fen).toBe(Math.ceil((report.outstanding_principal_fen * 3_000) / 10_000));
    // A quarter that ended before any top-up owes nothing; the cashier cannot read the report.
    expect((await owner.ok<{ outstanding_principal_fen: number }>('GET', '/v1/membership/stored-value/escrow-report?quarter=2020Q1')).outstanding_principal_fen).toBe(0);
    expect((await cashier.raw('GET', `/v1/membership/stored-value/escrow-report?quarter=${quarter}`)).statusCode).toBe(403);
  });

  it('the ledger is append-only in the database itself', async () => {
    const refusal = async (statement: ReturnType<typeof sql>) => {
      try {
        await t.database.db.execute(statement);
        return 'accepted';
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause;
        return `${(error as Error).message} ${cause?.message ?? ''}`;
      }
    };
    expect(await refusal(sql`update membership_stored_value_entries set principal_delta = 0`)).toMatch(/append-only/);
    expect(await refusal(sql`delete from membership_stored_value_entries`)).toMatch(/append-only/);
  });
});
