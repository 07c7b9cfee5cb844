import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxNotifications } from '../../src/modules/payments/index.js';
import { dispatchOutbox, publishEvent, runEventConsumers } from '../../src/modules/platform/index.js';
import { outboxEvents } from '../../src/modules/platform/schema.js';
import { payInWallet, startPaymentsApp, type PaymentsTestApp } from '../payments/support.js';
import { caller, enrol, type Caller, type MemberBody } from '../membership/support.js';

// Payments and an ID+ merge: events published before the merge name the absorbed person, and
// identity keeps resolving that person to the survivor. Whatever the payer's id, the value lands on
// the surviving member exactly once — never on the `merged` one — and no subscriber retries.

let t: PaymentsTestApp;
let owner: Caller;
let storeId: string;
let giftTemplateId: string;

beforeAll(async () => {
  t = await startPaymentsApp();
  owner = caller(t, { cookie: await t.login('owner') });
  storeId = t.demo.storeIds[0]!;
  await owner.ok('PATCH', '/v1/membership/program', { points_per_yuan: 1, redeem_points_per_yuan: 100 });
  giftTemplateId = (await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '消费返券', kind: 'cash_off', value_fen: 500, validity: { kind: 'relative', days: 30 } })).id;
  await owner.ok('POST', '/v1/membership/coupon-gift-rules', { trigger: 'payment', template_id: giftTemplateId, min_amount_fen: 10_000 });
});
afterAll(() => t.close());

interface Payment {
  id: string;
  person_id: string | null;
  payer_identifiers: { kind: string; value: string; app_id?: string }[];
}

/** The workers' round: outbox → consumptions → subscribers, until nothing is left; none may retry or fail. */
async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const now = new Date();
    await dispatchOutbox(t.database.db, { now });
    const run = await runEventConsumers(t.database.db, { now });
    expect(run.retrying + run.failed, 'a subscriber failed').toBe(0);
    if (run.applied === 0) return;
  }
}

let buyers = 0;
async function pay(amountFen: number, buyer: string): Promise<Payment> {
  const code = await t.buyerCode('alipay', 'pay', 1, buyer);
  const response = await t.api('POST', '/v1/payments', { store_id: storeId, amount_fen: amountFen, auth_code: code });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Payment;
}

/** A member whose person is a sandbox buyer's (joined with the identifiers its first payment carried). */
async function payingMember(): Promise<{ member: MemberBody; buyer: string }> {
  const buyer = `late-buyer-${++buyers}`;
  const first = await pay(100, buyer);
  const identifiers = first.payer_identifiers.map((i) => ({ kind: i.kind, value: i.value, ...(i.app_id && { app_id: i.app_id }) }));
  const member = await owner.ok<MemberBody>('POST', '/v1/members', { identifiers, consent_version: 'v1', consent_purposes: ['membership'] });
  await drain();
  return { member, buyer };
}

const card = (m: { id: string }) => owner.ok<{ principal_fen: number; bonus_fen: number }>('GET', `/v1/members/${m.id}/stored-value`);
const points = async (m: { id: string }) => (await owner.ok<{ total: number }>('GET', `/v1/members/${m.id}/points`)).total;
const earnsOf = async (m: { id: string }, paymentId: string) =>
  (await owner.ok<{ items: { type: string; reference: string | null }[] }>('GET', `/v1/members/${m.id}/points/entries?limit=200`)).items.filter((e) => e.type === 'earn' && e.reference === paymentId);
const merge = (survivorPersonId: string, absorbedPersonId: string) =>
  owner.ok<{ id: string }>('POST', '/v1/identity/merges', { survivor_id: survivorPersonId, absorbed_id: absorbedPersonId, reason: 'same customer' });
async function ledgersOk() {
  expect((await owner.ok<{ mismatches: unknown[] }>('GET', '/v1/membership/ledger-check')).mismatches).toEqual([]);
}
async function succeededEventOf(paymentId: string) {
  const rows = await t.database.db
    .select()
    .from(outboxEvents)
    .where(and(eq(outboxEvents.merchantId, t.demo.merchantId), eq(outboxEvents.type, 'payment.succeeded')));
  return rows.find((e) => (e.payload as { payment_id: string }).payment_id === paymentId)!;
}

describe('payments around an ID+ merge', () => {
  it('credits the surviving member for a late event of the absorbed person’s payment and for its new payments, once', async () => {
    const { member: a, buyer } = await payingMember();
    const b = await enrol(owner);
    await owner.ok('POST', `/v1/members/${b.id}/points/earn`, { points: 1_000, reason: 'welcome' });
    const paidBefore = await pay(12_300, buyer);
    await drain();
    expect(await points(a)).toBe(124);

    // Paid as A; its payment.succeeded is still in the outbox (person A) when A is merged into B.
    const late = await pay(20_000, buyer);
    expect(late.person_id).toBe(a.person_id);
    await merge(b.person_id!, a.person_id!);
    expect(await points(b)).toBe(1_124);
    await drain();
    expect(await points(b)).toBe(1_324);
    expect(await earnsOf(b, late.id)).toHaveLength(1);
    expect((await owner.ok<{ status: string }>('GET', `/v1/identity/persons/${a.person_id}`)).status).toBe('active'); // followed to B
    // The payment gift went to B as well.
    const gifts = await owner.ok<{ items: { trigger_reference: string; coupon_id: string | null }[] }>('GET', `/v1/members/${b.id}/coupon-gifts`);
    expect(gifts.items.find((g) => g.trigger_reference === late.id)?.coupon_id).toMatch(/^cpn_/);

    // Replays of both events — from before and after the merge — change nothing.
    for (const payment of [paidBefore, late]) {
      const event = await succeededEventOf(payment.id);
      await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, 'payment.succeeded', event.payload as Record<string, unknown>));
    }
    await drain();
    expect(await points(b)).toBe(1_324);

    // A new payment with A's identifiers resolves to B (the identifiers moved with the merge).
    const after = await pay(5_000, buyer);
    expect(after.person_id).toBe(b.person_id);
    await drain();
    expect(await points(b)).toBe(1_374);
    expect(await earnsOf(b, after.id)).toHaveLength(1);
    // The merged member got nothing of it; its ledger holds only its own history, emptied by the merge.
    const merged = await t.database.db.execute(`select status, (select coalesce(sum(delta), 0) from membership_points_entries where member_id = '${a.id}') as total from membership_members where id = '${a.id}'`);
    const row = (merged as unknown as { rows: { status: string; total: string | number }[] }).rows[0]!;
    expect([row.status, Number(row.total)]).toEqual(['merged', 0]);
    await ledgersOk();
  });

  it('credits the re-pointed member when only the absorbed person was one', async () => {
    const { member: a, buyer } = await payingMember();
    const resolved = await owner.ok<{ person_id: string }>('POST', '/v1/identity/resolve', { identifiers: [{ kind: 'email', value: `late-${Date.now()}@example.com` }], create: true, context: 'manual' });
    const late = await pay(10_000, buyer);
    await merge(resolved.person_id, a.person_id!);
    await drain();
    expect(await points(a)).toBe(101);
    expect(await earnsOf(a, late.id)).toHaveLength(1);
    expect((await owner.ok<MemberBody>('GET', `/v1/members/${a.id}`)).person_id).toBe(resolved.person_id);
  });

  it('lets the survivor’s member earn what the absorbed person paid before it was a member, once', async () => {
    const buyer = `late-buyer-${++buyers}`;
    const b = await enrol(owner);
    const unknownPayer = await pay(15_000, buyer);
    await drain();
    expect(unknownPayer.person_id).toBeTruthy();
    const m = await merge(b.person_id!, unknownPayer.person_id!);
    expect((await owner.ok<{ moves: { module: string; counts: Record<string, number> }[] }>('GET', `/v1/identity/merges/${m.id}`)).moves.find((x) => x.module === 'membership')!.counts).toEqual({ retro_payments: 1 });
    await drain();
    expect(await points(b)).toBe(150);
    expect(await earnsOf(b, unknownPayer.id)).toHaveLength(1);
    // Replayed, the merge event earns nothing twice; undone, the merge leaves what was earned meanwhile.
    const merged = (await t.database.db.select().from(outboxEvents).where(eq(outboxEvents.type, 'identity.persons.merged'))).find((e) => (e.payload as { merge_id: string }).merge_id === m.id)!;
    await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, 'identity.persons.merged', merged.payload as Record<string, unknown>));
    await drain();
    expect(await points(b)).toBe(150);
    await owner.ok('POST', `/v1/identity/merges/${m.id}/unmerge`, { reason: 'two people' });
    expect(await points(b)).toBe(150);
    await ledgersOk();
  });

  it('a checkout released after its member was merged gives the value back to the survivor; an unmerge returns it to the absorbed member', async () => {
    const a = await enrol(owner);
    const s = await enrol(owner);
    await owner.ok('POST', `/v1/members/${a.id}/points/earn`, { points: 500, reason: 'welcome' });
    await owner.ok('POST', `/v1/members/${a.id}/stored-value/top-ups`, { amount_fen: 10_000, payment_reference: `late-top-${a.id}` });
    const waiting = await owner.ok<{ id: string; remainder_payment: { payment_id: string } }>('POST', '/v1/checkouts', {
      member_id: a.id,
      store_id: storeId,
      reference: `late-checkout-${a.id}`,
      amount_fen: 20_000,
      points: 100,
      stored_value_fen: 2_000,
      payment: { method: 'qr', channel: 'alipay' },
    });
    const m = await merge(s.person_id!, a.person_id!);
    expect([await points(s), (await card(s)).principal_fen]).toEqual([400, 8_000]);
    expect((await t.api('POST', `/v1/payments/${waiting.remainder_payment.payment_id}/close`, {})).statusCode).toBeLessThan(300);
    await drain();
    expect((await owner.ok<{ status: string }>('GET', `/v1/checkouts/${waiting.id}`)).status).toBe('released');
    // Back on the survivor, in full, its lots and balance agreeing; nothing on the merged member.
    expect(await owner.ok('GET', `/v1/members/${s.id}/points`)).toMatchObject({ total: 500, available: 500 });
    expect((await card(s)).principal_fen).toBe(10_000);
    const held = await t.database.db.execute(
      `select (select balance from membership_points_accounts where member_id = '${a.id}') as points, (select principal_fen from membership_stored_value_accounts where member_id = '${a.id}') as principal`,
    );
    const heldRow = (held as unknown as { rows: { points: string | number; principal: string | number }[] }).rows[0]!;
    expect([Number(heldRow.points), Number(heldRow.principal)]).toEqual([0, 0]);
    await ledgersOk();

    await owner.ok('POST', `/v1/identity/merges/${m.id}/unmerge`, { reason: 'two people' });
    expect([await points(a), (await card(a)).principal_fen]).toEqual([500, 10_000]);
    expect([await points(s), (await card(s)).principal_fen]).toEqual([0, 0]);
    expect((await owner.ok<{ items: unknown[] }>('GET', `/v1/membership/merge-shortfalls?merge_id=${m.id}`)).items).toEqual([]);
    await ledgersOk();
  });

  it('refunds a checkout and a top-up of the absorbed member after the merge on the survivor, where the value is now', async () => {
    const buyer = `late-buyer-${++buyers}`;
    const a = await enrol(owner);
    const s = await enrol(owner);
    await owner.ok('POST', `/v1/members/${a.id}/points/earn`, { points: 1_000, reason: 'welcome' });
    const topUp = await owner.ok<{ id: string; status: string }>('POST', '/v1/membership/top-ups', { member_id: a.id, store_id: storeId, amount_fen: 20_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    expect(topUp.status).toBe('credited');
    const done = await owner.ok<{ id: string; status: string; points_earned: number }>('POST', '/v1/checkouts', {
      member_id: a.id,
      store_id: storeId,
      reference: `late-refund-${a.id}`,
      amount_fen: 20_000,
      points: 500,
      stored_value_fen: 5_000,
      payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) },
    });
    expect(done.status).toBe('completed');
    await drain();
    const m = await merge(s.person_id!, a.person_id!);
    const before = { points: await points(s), principal: (await card(s)).principal_fen };

    // Refunded in full by staff: the points and stored value spent come back to the survivor, and the points the checkout earned leave it.
    const refunded = await owner.ok<{ status: string }>('POST', `/v1/checkouts/${done.id}/refunds`, { reason: '整单退' });
    expect(refunded.status).toBe('refunded');
    expect(await points(s)).toBe(before.points + 500 - done.points_earned);
    expect((await card(s)).principal_fen).toBe(before.principal + 5_000);
    // The top-up's unused principal comes off the survivor's card.
    await owner.ok('POST', `/v1/membership/top-ups/${topUp.id}/refunds`, { amount_fen: 10_000, reason: '退储值' });
    expect((await card(s)).principal_fen).toBe(before.principal + 5_000 - 10_000);
    await drain();
    await ledgersOk();

    // Undone, the absorbed member gets back what it held at the merge plus what the checkout refund returned, less the top-up refund.
    await owner.ok('POST', `/v1/identity/merges/${m.id}/unmerge`, { reason: 'two people' });
    expect(await points(a)).toBe(before.points + 500 - done.points_earned);
    expect((await card(a)).principal_fen).toBe(before.principal + 5_000 - 10_000);
    expect([await points(s), (await card(s)).principal_fen]).toEqual([0, 0]);
    // Refunded money was not used by the survivor: no shortfall.
    expect((await owner.ok<{ items: unknown[] }>('GET', `/v1/membership/merge-shortfalls?merge_id=${m.id}`)).items).toEqual([]);
    await ledgersOk();
  });

  it('credits a top-up paid after its member was merged to the surviving member’s card', async () => {
    const a = await enrol(owner);
    const b = await enrol(owner);
    const topUp = await owner.ok<{ id: string; payment: { code_url: string } }>('POST', '/v1/membership/top-ups', { member_id: a.id, store_id: storeId, amount_fen: 30_000, payment: { method: 'qr', channel: 'alipay' } });
    await merge(b.person_id!, a.person_id!);
    await payInWallet(t, topUp.payment.code_url, `late-buyer-${++buyers}`);
    await runSandboxNotifications(t.database.db, new Date());
    await drain();
    expect((await owner.ok<{ principal_fen: number }>('GET', `/v1/members/${b.id}/stored-value`)).principal_fen).toBe(30_000);
    const row = await owner.ok<{ status: string; member_id: string }>('GET', `/v1/membership/top-ups/${topUp.id}`);
    expect(row).toMatchObject({ status: 'credited', member_id: b.id });
    await ledgersOk();
  });
});
