import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, codeOf, enrol, nextPhone, type Caller, type MemberBody } from './support.js';

let t: TestApp;
let owner: Caller;
let cashier: Caller;
let guide: Caller;

beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  guide = caller(t, { cookie: await t.login('guide') });
});
afterAll(() => t.close());

interface Balance {
  total: number;
  available: number;
  pending: number;
  debt: number;
  cached: number;
}
interface Operation {
  operation_id: string;
  points: number;
  lot_id: string | null;
  shortfall: number;
  entries: { lot_id: string; type: string; delta: number }[];
  balance: Balance;
}

describe('program', () => {
  it('answers the defaults until saved, then the saved program; only owners change it', async () => {
    const defaults = await owner.ok<{ saved: boolean; stored_value_cap_fen: number; points_per_yuan: number }>('GET', '/v1/membership/program');
    expect(defaults).toMatchObject({ saved: false, stored_value_cap_fen: 500_000, points_per_yuan: 1 });
    expect((await cashier.raw('PATCH', '/v1/membership/program', { points_per_yuan: 5 })).statusCode).toBe(403);
    const saved = await owner.ok<{ saved: boolean; points_per_yuan: number; join_rules: { counter: boolean; h5: boolean } }>('PATCH', '/v1/membership/program', {
      points_per_yuan: 2,
      join_rules: { h5: false },
    });
    expect(saved).toMatchObject({ saved: true, points_per_yuan: 2, join_rules: { counter: true, h5: false } });
    expect((await owner.raw('PATCH', '/v1/membership/program', { points_per_yuan: 2, bogus: 1 })).statusCode).toBe(400);
    await owner.ok('PATCH', '/v1/membership/program', { points_per_yuan: 1, join_rules: { h5: true } });
  });
});

describe('enrolment', () => {
  it('enrols at the counter, resolves the person through identity, records consent and a card number', async () => {
    const phone = nextPhone();
    const created = await cashier.raw('POST', '/v1/members', {
      phone,
      display_name: '王小明',
      consent_version: 'v1',
      consent_purposes: ['membership'],
      marketing_opt_in: false,
    });
    expect(created.statusCode, created.body).toBe(201);
    const member = created.json<MemberBody & { consent_purposes: string[]; marketing_opt_in: boolean; join_channel: string; phone: string }>();
    expect(member.id).toMatch(/^mem_/);
    expect(member.person_id).toMatch(/^per_/);
    expect(member.card_number).toMatch(/^8\d{15}$/);
    expect(member).toMatchObject({ consent_purposes: ['membership'], marketing_opt_in: false, join_channel: 'counter', phone });

    // The same phone is the same person: enrolling again is refused with the existing member.
    const again = await guide.raw('POST', '/v1/members', { phone, consent_version: 'v1', consent_purposes: ['membership'] });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'member_already_enrolled', member_id: member.id });

    const found = await cashier.ok<{ items: { id: string }[] }>('GET', `/v1/members?q=${phone}`);
    expect(found.items.map((m) => m.id)).toEqual([member.id]);
    const byCard = await cashier.ok<{ items: { id: string }[] }>('GET', `/v1/members?q=${member.card_number}`);
    expect(byCard.items.map((m) => m.id)).toEqual([member.id]);
  });

  it('needs the membership purpose; marketing is a separate opt-in that can change', async () => {
    const refused = await cashier.raw('POST', '/v1/members', { phone: nextPhone(), consent_version: 'v1', consent_purposes: ['marketing'] });
    expect(codeOf(refused)).toBe('consent_required');
    const member = await enrol(cashier, { marketing_opt_in: false });
    const updated = await cashier.ok<{ marketing_opt_in: boolean; marketing_opt_in_at: string | null }>('PATCH', `/v1/members/${member.id}`, { marketing_opt_in: true });
    expect(updated.marketing_opt_in).toBe(true);
    expect(updated.marketing_opt_in_at).not.toBeNull();
  });

  it('keeps identifiers on the member when no phone or channel id resolves a person', async () => {
    const member = await enrol(cashier, { phone: undefined, display_name: 'Walk-in' });
    expect(member.person_id).toBeNull();
  });

  it('refuses an invalid phone and a taken card number with problem codes, never a 500', async () => {
    expect((await cashier.raw('POST', '/v1/members', { phone: '12345', consent_version: 'v1', consent_purposes: ['membership'] })).statusCode).toBe(400);
    const a = await enrol(cashier, { card_number: '6200001' });
    expect(a.card_number).toBe('6200001');
    const b = await cashier.raw('POST', '/v1/members', { phone: nextPhone(), card_number: '6200001', consent_version: 'v1', consent_purposes: ['membership'] });
    expect(codeOf(b)).toBe('card_number_taken');
  });

  it('honours the join rules', async () => {
    await owner.ok('PATCH', '/v1/membership/program', { join_rules: { counter: false } });
    const closed = await cashier.raw('POST', '/v1/members', { phone: nextPhone(), consent_version: 'v1', consent_purposes: ['membership'] });
    expect(codeOf(closed)).toBe('enrolment_closed');
    await owner.ok('PATCH', '/v1/membership/program', { join_rules: { counter: true, require_phone: true } });
    const noPhone = await cashier.raw('POST', '/v1/members', { consent_version: 'v1', consent_purposes: ['membership'] });
    expect(codeOf(noPhone)).toBe('phone_required');
    await owner.ok('PATCH', '/v1/membership/program', { join_rules: { require_phone: false } });
  });
});

describe('points', () => {
  let member: MemberBody;
  beforeAll(async () => {
    member = await enrol(cashier);
  });

  it('earns by rule per yuan of net spend, once per reference', async () => {
    const earned = await cashier.ok<Operation>('POST', `/v1/members/${member.id}/points/earn`, { amount_fen: 12_345, reference: 'order-1' });
    expect(earned.points).toBe(123);
    expect(earned.balance).toMatchObject({ total: 123, available: 123 });
    const again = await cashier.raw('POST', `/v1/members/${member.id}/points/earn`, { amount_fen: 12_345, reference: 'order-1' });
    expect(codeOf(again)).toBe('duplicate_reference');
    // Manual earns need a manager and a reason.
    expect((await cashier.raw('POST', `/v1/members/${member.id}/points/earn`, { points: 50, reason: 'goodwill' })).statusCode).toBe(403);
    for (const body of [{}, { amount_fen: 100 }, { points: 5 }, { points: 5, reason: 'x', amount_fen: 100, reference: 'both' }]) {
      const refused = await owner.raw('POST', `/v1/members/${member.id}/points/earn`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
    }
    const manual = await owner.ok<Operation>('POST', `/v1/members/${member.id}/points/earn`, { points: 50, reason: 'goodwill' });
    expect(manual.balance.total).toBe(173);
  });

  it('spends oldest lots first and refuses to overspend', async () => {
    const spent = await cashier.ok<Operation>('POST', `/v1/members/${member.id}/points/spend`, { points: 130 });
    expect(spent.entries.map((e) => e.delta)).toEqual([-123, -7]);
    expect(spent.balance.total).toBe(43);
    const over = await cashier.raw('POST', `/v1/members/${member.id}/points/spend`, { points: 44 });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'insufficient_points', available_points: 43 });
    const balance = await cashier.ok<Balance>('GET', `/v1/members/${member.id}/points`);
    expect(balance).toMatchObject({ total: 43, available: 43, cached: 43, debt: 0 });
    const ledger = await cashier.ok<{ items: { type: string; delta: number }[] }>('GET', `/v1/members/${member.id}/points/entries`);
    expect(ledger.items.reduce((s, e) => s + e.delta, 0)).toBe(43);
  });

  it('adjusts with a reason; a negative adjustment beyond the balance goes to debt only when allowed', async () => {
    const m = await enrol(cashier);
    await owner.ok('POST', `/v1/members/${m.id}/points/adjust`, { points: 10, reason: 'migration' });
    expect(codeOf(await owner.raw('POST', `/v1/members/${m.id}/points/adjust`, { points: -11, reason: 'correction' }))).toBe('insufficient_points');
    await owner.ok('PATCH', '/v1/membership/program', { allow_negative_points: true });
    const debt = await owner.ok<Operation>('POST', `/v1/members/${m.id}/points/adjust`, { points: -15, reason: 'correction' });
    expect(debt.balance).toMatchObject({ total: -5, available: -5, debt: 5 });
    const repaid = await owner.ok<Operation>('POST', `/v1/members/${m.id}/points/earn`, { points: 8, reason: 'repay' });
    expect(repaid.balance).toMatchObject({ total: 3, available: 3, debt: 0 });
    await owner.ok('PATCH', '/v1/membership/program', { allow_negative_points: false });
    expect((await owner.raw('POST', `/v1/members/${m.id}/points/adjust`, { points: 5 })).statusCode).toBe(400);
  });

  it('keeps earned points pending for the configured days', async () => {
    await owner.ok('PATCH', '/v1/membership/program', { points_pending_days: 7 });
    const m = await enrol(cashier);
    const earned = await cashier.ok<Operation>('POST', `/v1/members/${m.id}/points/earn`, { amount_fen: 5_000, reference: 'pending-order' });
    expect(earned.balance).toMatchObject({ total: 50, available: 0, pending: 50 });
    expect(codeOf(await cashier.raw('POST', `/v1/members/${m.id}/points/spend`, { points: 1 }))).toBe('insufficient_points');
    await owner.ok('PATCH', '/v1/membership/program', { points_pending_days: 0 });
  });

  it('reverses exactly the points of the refunded part, across partial refunds', async () => {
    const m = await enrol(cashier);
    await owner.ok('PATCH', '/v1/membership/program', { earn_config: { product_multipliers: [{ id: 'latte', multiplier_bps: 30_000 }] } });
    const earned = await cashier.ok<Operation>('POST', `/v1/members/${m.id}/points/earn`, {
      lines: [
        { product_sku: 'latte', net_fen: 2_850 },
        { product_sku: 'bagel', net_fen: 1_999 },
      ],
      reference: 'pay-refund-1',
    });
    // 2 850 × 3 + 1 999 = 10 549 weighted fen → 105 points.
    expect(earned.points).toBe(105);
    const first = await owner.ok<Operation>('POST', `/v1/members/${m.id}/points/reversals`, { reference: 'pay-refund-1', refund_reference: 'rfd-1', refund_lines: [950, 0] });
    const second = await owner.ok<Operation>('POST', `/v1/members/${m.id}/points/reversals`, { reference: 'pay-refund-1', refund_reference: 'rfd-2', refund_amount_fen: 1_000 });
    const rest = await owner.ok<Operation>('POST', `/v1/members/${m.id}/points/reversals`, { reference: 'pay-refund-1', refund_reference: 'rfd-3', refund_amount_fen: 2_850 + 1_999 - 950 - 1_000 });
    expect(first.points + second.points + rest.points).toBe(105);
    expect(rest.balance.total).toBe(0);
    expect(codeOf(await owner.raw('POST', `/v1/members/${m.id}/points/reversals`, { reference: 'pay-refund-1', refund_reference: 'rfd-4', refund_amount_fen: 1 }))).toBe('refund_exceeds_purchase');
    expect(codeOf(await owner.raw('POST', `/v1/members/${m.id}/points/reversals`, { reference: 'pay-refund-1', refund_reference: 'rfd-1', refund_amount_fen: 1 }))).toBe('duplicate_reference');
    expect(codeOf(await owner.raw('POST', `/v1/members/${m.id}/points/reversals`, { reference: 'nope', refund_reference: 'rfd-5', refund_amount_fen: 1 }))).toBe('earn_not_found');
    await owner.ok('PATCH', '/v1/membership/program', { earn_config: { product_multipliers: [] } });
  });

  it('reports a shortfall when the refunded points were already spent and debt is not allowed', async () => {
    const m = await enrol(cashier);
    await cashier.ok('POST', `/v1/members/${m.id}/points/earn`, { amount_fen: 10_000, reference: 'pay-spent' });
    await cashier.ok('POST', `/v1/members/${m.id}/points/spend`, { points: 80 });
    const r = await owner.ok<Operation>('POST', `/v1/members/${m.id}/points/reversals`, { reference: 'pay-spent', refund_reference: 'rfd-spent', refund_amount_fen: 10_000 });
    expect(r).toMatchObject({ points: 100, shortfall: 80 });
    expect(r.balance.total).toBe(0);
  });

  it('replays a value-moving POST with the same Idempotency-Key instead of applying it twice', async () => {
    const m = await enrol(cashier);
    const headers = { 'idempotency-key': 'earn-once-1' };
    const a = await cashier.raw('POST', `/v1/members/${m.id}/points/earn`, { amount_fen: 1_000 , reference: 'idem-1' }, headers);
    const b = await cashier.raw('POST', `/v1/members/${m.id}/points/earn`, { amount_fen: 1_000, reference: 'idem-1' }, headers);
    expect(a.statusCode).toBe(200);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json()).toEqual(a.json());
    expect((await cashier.ok<Balance>('GET', `/v1/members/${m.id}/points`)).total).toBe(10);
  });
});

describe('tiers', () => {
  it('upgrades at once on points earned, never on the spendable balance, and keeps history', async () => {
    await owner.ok('PUT', '/v1/membership/tiers', {
      tiers: [
        { code: 'silver', name: '银卡', rank: 1, threshold: 0 },
        { code: 'gold', name: '金卡', rank: 2, threshold: 500, points_multiplier_bps: 15_000, discount_bps: 500 },
      ],
    });
    const m = await enrol(cashier);
    expect(m.tier.code).toBe('silver');
    await cashier.ok('POST', `/v1/members/${m.id}/points/earn`, { amount_fen: 50_000, reference: 'tier-order-1' });
    const gold = await cashier.ok<MemberBody>('GET', `/v1/members/${m.id}`);
    expect(gold.tier.code).toBe('gold');
    // Spending every point keeps the tier: it stands on points earned.
    await cashier.ok('POST', `/v1/members/${m.id}/points/spend`, { points: 500 });
    await owner.ok('POST', '/v1/membership/tiers/evaluate', {});
    expect((await cashier.ok<MemberBody>('GET', `/v1/members/${m.id}`)).tier.code).toBe('gold');
    // Gold earns ×1.5.
    const more = await cashier.ok<Operation>('POST', `/v1/members/${m.id}/points/earn`, { amount_fen: 10_000, reference: 'tier-order-2' });
    expect(more.points).toBe(150);
    const history = await cashier.ok<{ items: { from_tier: string | null; to_tier: string; reason: string }[] }>('GET', `/v1/members/${m.id}/tier-history`);
    expect(history.items.map((h) => [h.from_tier, h.to_tier])).toEqual([
      ['silver', 'gold'],
      [null, 'silver'],
    ]);
  });

  it('sets a manual floor with a reason and refuses to drop a tier members hold', async () => {
    const m = await enrol(cashier);
    const floored = await owner.ok<MemberBody & { tier: { code: string; floor: { code: string; reason: string } } }>('PUT', `/v1/members/${m.id}/tier-floor`, {
      tier_code: 'gold',
      expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      reason: 'opening VIP',
    });
    expect(floored.tier).toMatchObject({ code: 'gold', floor: { code: 'gold', reason: 'opening VIP' } });
    expect(codeOf(await owner.raw('PUT', `/v1/members/${m.id}/tier-floor`, { tier_code: 'platinum', reason: 'x' }))).toBe('tier_unknown');
    expect(codeOf(await owner.raw('PUT', '/v1/membership/tiers', { tiers: [{ code: 'silver', name: '银卡', rank: 1, threshold: 0 }] }))).toBe('tiers_invalid');
  });
});
