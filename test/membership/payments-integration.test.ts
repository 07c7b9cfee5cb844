import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMembershipWorkers } from '../../src/modules/membership/index.js';
import { runSandboxNotifications } from '../../src/modules/payments/index.js';
import { dispatchOutbox, publishEvent, runEventConsumers } from '../../src/modules/platform/index.js';
import { outboxEvents } from '../../src/modules/platform/schema.js';
import { payInWallet, startPaymentsApp, type PaymentsTestApp } from '../payments/support.js';
import { caller, codeOf, type Caller, type MemberBody } from './support.js';

// Membership through the payments module, against the sandbox channels over HTTP: accrual and
// reversal from payment events, top-ups paid at the counter, checkout remainders paid or failed.

let t: PaymentsTestApp;
let owner: Caller;
let cashier: Caller;
let storeId: string;
let templateId: string;

interface Payment {
  id: string;
  status: string;
  person_id: string | null;
  refunded_fen: number;
  payer_identifiers: { kind: string; value: string; app_id?: string }[];
}
interface Points {
  total: number;
  available: number;
}
interface Card {
  principal_fen: number;
  bonus_fen: number;
  balance_fen: number;
}
interface TopUp {
  id: string;
  status: string;
  principal_fen: number;
  bonus_fen: number;
  refunded_principal_fen: number;
  forfeited_bonus_fen: number;
  payment: { payment_id: string; status: string } | null;
}
interface Checkout {
  id: string;
  status: string;
  amount_fen: number;
  member_discount_fen: number;
  coupons: { coupon_id: string; discount_fen: number }[];
  points: { spent: number; value_fen: number };
  stored_value: { spent_fen: number; principal_fen: number; bonus_fen: number };
  remainder_due_fen: number;
  remainder_payment: { payment_id: string; status: string; code_url: string | null } | null;
  points_earned: number;
  refunded_fen: number;
  refunds: { cash_fen: number; stored_value_fen: number; points_restored: number; points_reversed: number; coupons_restored: boolean; payment_refund_status: string | null }[];
}

beforeAll(async () => {
  t = await startPaymentsApp();
  owner = caller(t, { cookie: await t.login('owner') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  storeId = t.demo.storeIds[0]!;
  await owner.ok('PATCH', '/v1/membership/program', { points_per_yuan: 1, redeem_points_per_yuan: 100 });
  await owner.ok('PUT', '/v1/membership/top-up-plans', { items: [{ pay_fen: 100_000, bonus_fen: 10_000 }] });
  templateId = (await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '满100减20', kind: 'threshold', value_fen: 2_000, min_spend_fen: 10_000, validity: { kind: 'relative', days: 30 } })).id;
});
afterAll(() => t.close());

/** What the workers do every round: outbox → consumptions → subscribers, until nothing is left. */
async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const now = new Date();
    await dispatchOutbox(t.database.db, { now });
    const run = await runEventConsumers(t.database.db, { now });
    expect(run.retrying + run.failed, 'a subscriber failed').toBe(0);
    if (run.applied === 0) return;
  }
}

let buyerSeq = 0;
const nextBuyer = () => `mp-buyer-${++buyerSeq}`;

async function pay(amountFen: number, buyer: string, behaviour: 'pay' | 'insufficient_funds' = 'pay'): Promise<Payment> {
  const code = await t.buyerCode('alipay', behaviour, 1, buyer);
  const response = await t.api('POST', '/v1/payments', { store_id: storeId, amount_fen: amountFen, auth_code: code });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Payment;
}

/** A member whose person is the sandbox buyer's (joined with the identifiers a payment carried). */
async function memberPaying(buyer: string, firstPaymentFen = 100): Promise<{ member: MemberBody; first: Payment }> {
  const first = await pay(firstPaymentFen, buyer);
  const identifiers = first.payer_identifiers.map((i) => ({ kind: i.kind, value: i.value, ...(i.app_id && { app_id: i.app_id }) }));
  const response = await cashier.raw('POST', '/v1/members', { identifiers, consent_version: 'v1', consent_purposes: ['membership'] });
  expect(response.statusCode, response.body).toBe(201);
  const member = response.json<MemberBody>();
  expect(member.person_id).toBe(first.person_id);
  await drain();
  return { member, first };
}

const points = (memberId: string) => cashier.ok<Points>('GET', `/v1/members/${memberId}/points`);
const card = (memberId: string) => cashier.ok<Card>('GET', `/v1/members/${memberId}/stored-value`);
async function ledgersOk() {
  expect((await owner.ok<{ ok: boolean }>('GET', '/v1/membership/ledger-check')).ok).toBe(true);
}

describe('accrual from payment events', () => {
  it('earns a member’s payment exactly once, however often the event comes', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    const before = (await points(member.id)).total;
    const payment = await pay(12_345, buyer);
    await drain();
    expect((await points(member.id)).total).toBe(before + 123);
    // The outbox delivers at least once: the same event again, and a second copy of it, change nothing.
    const original = (
      await t.database.db
        .select()
        .from(outboxEvents)
        .where(and(eq(outboxEvents.merchantId, t.demo.merchantId), eq(outboxEvents.type, 'payment.succeeded')))
    ).find((e) => (e.payload as { payment_id: string }).payment_id === payment.id);
    expect(original).toBeTruthy();
    await t.database.db.transaction(async (tx) => {
      await publishEvent(tx, t.demo.merchantId, 'payment.succeeded', original!.payload as Record<string, unknown>);
      await publishEvent(tx, t.demo.merchantId, 'payment.succeeded', original!.payload as Record<string, unknown>);
    });
    await drain();
    expect((await points(member.id)).total).toBe(before + 123);
    const entries = await cashier.ok<{ items: { type: string; reference: string | null }[] }>('GET', `/v1/members/${member.id}/points/entries?limit=200`);
    expect(entries.items.filter((e) => e.type === 'earn' && e.reference === payment.id)).toHaveLength(1);
    await ledgersOk();
  });

  it('an event naming a membership purpose that does not exist is consumed as nothing to do', async () => {
    const payload = { payment_id: 'pay_00000000000000000000000000', store_id: storeId, amount_fen: 100, refunded_fen: 0, person_id: null, paid_at: new Date().toISOString(), status: 'succeeded' };
    await t.database.db.transaction(async (tx) => {
      await publishEvent(tx, t.demo.merchantId, 'payment.succeeded', { ...payload, purpose: { module: 'membership', kind: 'checkout', reference: 'chk_00000000000000000000000000' } });
      await publishEvent(tx, t.demo.merchantId, 'payment.failed', { ...payload, status: 'failed', purpose: { module: 'membership', kind: 'top_up', reference: 'mtu_00000000000000000000000000' } });
    });
    await drain(); // asserts no consumption is retrying or failed
  });

  it('a refund of half the payment takes back exactly half the points', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    const before = (await points(member.id)).total;
    const payment = await pay(20_000, buyer);
    await drain();
    expect((await points(member.id)).total).toBe(before + 200);
    const refund = await t.api('POST', `/v1/payments/${payment.id}/refunds`, { amount_fen: 10_000, reason: 'half returned' });
    expect(refund.statusCode, refund.body).toBeLessThan(300);
    await drain();
    expect((await points(member.id)).total).toBe(before + 100);
    const entries = await cashier.ok<{ items: { type: string; delta: number; reference: string | null }[] }>('GET', `/v1/members/${member.id}/points/entries?limit=200`);
    expect(entries.items.filter((e) => e.type === 'refund_reversal').reduce((s, e) => s + e.delta, 0)).toBe(-100);
    await ledgersOk();
  });

  it('a payer who joins within the retro window earns the payment made just before; a non-member earns nothing', async () => {
    const buyer = nextBuyer();
    const { member, first } = await memberPaying(buyer, 30_000);
    // The payment before joining was remembered and earned when member.joined was consumed.
    expect((await points(member.id)).total).toBe(300);
    const entries = await cashier.ok<{ items: { type: string; reference: string | null }[] }>('GET', `/v1/members/${member.id}/points/entries?limit=200`);
    expect(entries.items.filter((e) => e.reference === first.id)).toHaveLength(1);
    // A stranger's payment earns nobody anything.
    const stranger = await pay(5_000, nextBuyer());
    await drain();
    const list = await cashier.ok<{ items: unknown[] }>('GET', `/v1/members?person_id=${stranger.person_id}`);
    expect(list.items).toHaveLength(0);
  });
  it('outside the retro window a payment before joining earns nothing', async () => {
    await owner.ok('PATCH', '/v1/membership/program', { retro_earn_hours: 0 });
    try {
      const { member } = await memberPaying(nextBuyer(), 30_000);
      expect((await points(member.id)).total).toBe(0);
    } finally {
      await owner.ok('PATCH', '/v1/membership/program', { retro_earn_hours: 24 });
    }
  });
});

describe('top-ups through payments', () => {
  it('a top-up paid by 付款码 at the counter credits principal and the plan’s bonus once', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    const pointsBefore = (await points(member.id)).total;
    const topUp = await cashier.ok<TopUp>('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 100_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    expect(topUp).toMatchObject({ status: 'credited', principal_fen: 100_000, bonus_fen: 10_000, payment: { status: 'succeeded' } });
    await drain(); // the payment.succeeded consumer finds it credited: nothing twice
    expect(await card(member.id)).toMatchObject({ principal_fen: 100_000, bonus_fen: 10_000, balance_fen: 110_000 });
    // A top-up earns no points unless the program says so; spending the value does.
    expect((await points(member.id)).total).toBe(pointsBefore);
    expect((await cashier.ok<TopUp>('GET', `/v1/membership/top-ups/${topUp.id}`)).status).toBe('credited');
    await ledgersOk();
  });

  it('a QR top-up is credited by the payment.succeeded subscriber, once', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    const topUp = await cashier.ok<TopUp & { payment: { code_url: string } }>('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 100_000, payment: { method: 'qr', channel: 'wechatpay' } });
    expect(topUp.status).toBe('awaiting_payment');
    await payInWallet(t, topUp.payment.code_url, buyer);
    await runSandboxNotifications(t.database.db, new Date());
    await drain();
    await drain();
    expect((await cashier.ok<TopUp>('GET', `/v1/membership/top-ups/${topUp.id}`)).status).toBe('credited');
    expect(await card(member.id)).toMatchObject({ principal_fen: 100_000, bonus_fen: 10_000 });
    // The sweep finds it credited too: nothing twice.
    await runMembershipWorkers(t.database.db, t.config, new Date(Date.now() + 120_000), { force: true });
    expect((await card(member.id)).balance_fen).toBe(110_000);
    await ledgersOk();
  });

  it('refuses a top-up that would pass the cap before charging anything, counting unpaid QR top-ups', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    await cashier.ok('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 100_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    const paymentsBefore = (await t.api('GET', '/v1/payments?limit=200')).json<{ items: unknown[] }>().items.length;
    // 110 000 on the card + 400 000 + 10 000 bonus > 500 000.
    const refused = await cashier.raw('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 400_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    expect(refused.statusCode).toBe(409);
    expect(codeOf(refused)).toBe('stored_value_cap_exceeded');
    expect(refused.json<{ room_fen: number }>().room_fen).toBe(390_000);
    expect((await t.api('GET', '/v1/payments?limit=200')).json<{ items: unknown[] }>().items.length).toBe(paymentsBefore);
    // A QR top-up awaiting payment holds its room: a second one cannot pass the cap with it.
    const open = await cashier.ok<TopUp>('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 300_000, payment: { method: 'qr', channel: 'alipay' } });
    expect(open).toMatchObject({ status: 'awaiting_payment', payment: { status: 'paying' } });
    expect(codeOf(await cashier.raw('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 90_000, payment: { method: 'qr', channel: 'alipay' } }))).toBe('stored_value_cap_exceeded');
    expect((await card(member.id)).balance_fen).toBe(110_000);
  });

  it('refunds unused principal back through the top-up’s payment; the bonus lapses in proportion', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    const topUp = await cashier.ok<TopUp>('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 100_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    const refunded = await owner.ok<TopUp>('POST', `/v1/membership/top-ups/${topUp.id}/refunds`, { amount_fen: 40_000, reason: '退部分储值' });
    expect(refunded).toMatchObject({ refunded_principal_fen: 40_000, forfeited_bonus_fen: 4_000 });
    expect(await card(member.id)).toMatchObject({ principal_fen: 60_000, bonus_fen: 6_000 });
    const payment = (await t.api('GET', `/v1/payments/${topUp.payment!.payment_id}`)).json<Payment>();
    expect(payment.refunded_fen).toBe(40_000);
    await drain();
    expect((await cashier.ok<{ refunds: { status: string }[] }>('GET', `/v1/membership/top-ups/${topUp.id}`)).refunds.map((r) => r.status)).toEqual(['succeeded']);
    expect(codeOf(await owner.raw('POST', `/v1/membership/top-ups/${topUp.id}/refunds`, { amount_fen: 60_001, reason: 'too much' }))).toBe('top_up_refund_exceeds');
    await ledgersOk();
  });
  it('a top-up payment refunded from the payments console takes that principal off the card', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    const topUp = await cashier.ok<TopUp>('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 100_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    const refund = await t.api('POST', `/v1/payments/${topUp.payment!.payment_id}/refunds`, { amount_fen: 50_000, reason: 'console refund' });
    expect(refund.statusCode, refund.body).toBeLessThan(300);
    await drain();
    expect(await card(member.id)).toMatchObject({ principal_fen: 50_000, bonus_fen: 5_000 });
    expect(await cashier.ok<TopUp>('GET', `/v1/membership/top-ups/${topUp.id}`)).toMatchObject({ refunded_principal_fen: 50_000, forfeited_bonus_fen: 5_000 });
    // The refund's event again (at-least-once delivery): the principal leaves the card once.
    const again = (await t.database.db.select().from(outboxEvents).where(and(eq(outboxEvents.merchantId, t.demo.merchantId), eq(outboxEvents.type, 'payment.refunded')))).find(
      (e) => (e.payload as { payment_id: string }).payment_id === topUp.payment!.payment_id,
    );
    await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, 'payment.refunded', again!.payload as Record<string, unknown>));
    await drain();
    expect((await card(member.id)).principal_fen).toBe(50_000);
    await ledgersOk();
  });
});

describe('checkout remainder through payments', () => {
  async function loadedMember(buyer: string) {
    const { member } = await memberPaying(buyer);
    await owner.ok('POST', `/v1/members/${member.id}/points/adjust`, { points: 1_000, reason: 'seed' });
    await cashier.ok('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 100_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    const coupon = await owner.ok<{ id: string }>('POST', `/v1/membership/coupon-templates/${templateId}/issues`, { member_id: member.id });
    return { member, couponId: coupon.id };
  }

  it('coupon + points + stored value + 付款码 remainder: completed in the same request, earning on the money paid', async () => {
    const buyer = nextBuyer();
    const { member, couponId } = await loadedMember(buyer);
    const before = { points: (await points(member.id)).total, card: await card(member.id) };
    const result = await cashier.ok<Checkout>('POST', '/v1/checkouts', {
      member_id: member.id,
      store_id: storeId,
      reference: 'mp-order-1',
      lines: [
        { product_sku: 'latte', unit_price_fen: 3_000, quantity: 3 },
        { product_sku: 'cake', unit_price_fen: 4_000, quantity: 1 },
      ],
      coupon_ids: [couponId],
      points: 500,
      stored_value_fen: 4_400,
      payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) },
    });
    // 13 000 − 2 000 coupon − 500 points (¥5) − 4 400 stored value (4 000 principal, 400 bonus) = 6 100 by 付款码.
    expect(result).toMatchObject({
      status: 'completed',
      coupons: [{ coupon_id: couponId, discount_fen: 2_000 }],
      points: { spent: 500, value_fen: 500 },
      stored_value: { spent_fen: 4_400, principal_fen: 4_000, bonus_fen: 400 },
      remainder_due_fen: 6_100,
      remainder_payment: { status: 'succeeded' },
      // Earned on 6 100 cash + 4 000 principal = ¥101.
      points_earned: 101,
    });
    await drain(); // payment.succeeded for the checkout's purpose: already completed, earns nothing more
    expect((await points(member.id)).total).toBe(before.points - 500 + 101);
    expect((await card(member.id)).balance_fen).toBe(before.card.balance_fen - 4_400);
    const receipt = await cashier.ok<Checkout>('GET', `/v1/checkouts/${result.id}`);
    expect(receipt).toMatchObject({ status: 'completed', points_earned: 101, remainder_payment: { payment_id: result.remainder_payment!.payment_id, status: 'succeeded' } });
    // The plain accrual path does not earn the checkout's payment a second time.
    const entries = await cashier.ok<{ items: { type: string; reference: string | null }[] }>('GET', `/v1/members/${member.id}/points/entries?limit=200`);
    expect(entries.items.filter((e) => e.type === 'earn' && e.reference === result.remainder_payment!.payment_id)).toHaveLength(0);
    await ledgersOk();
  });

  it('a remainder payment that fails releases everything exactly, and the coupon and the order reference are usable again', async () => {
    const buyer = nextBuyer();
    const { member, couponId } = await loadedMember(buyer);
    const before = { points: await points(member.id), card: await card(member.id) };
    const body = { member_id: member.id, store_id: storeId, reference: 'mp-order-2', amount_fen: 20_000, coupon_ids: [couponId], points: 300, stored_value_fen: 5_000 };
    const failed = await cashier.ok<Checkout>('POST', '/v1/checkouts', { ...body, payment: { auth_code: await t.buyerCode('alipay', 'insufficient_funds', 1, buyer) } });
    expect(failed).toMatchObject({ status: 'released', remainder_payment: { status: 'failed' }, points_earned: 0 });
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('issued');
    expect(await points(member.id)).toMatchObject({ total: before.points.total, available: before.points.available });
    expect(await card(member.id)).toMatchObject({ principal_fen: before.card.principal_fen, bonus_fen: before.card.bonus_fen });
    const entries = await cashier.ok<{ items: { type: string }[] }>('GET', `/v1/members/${member.id}/points/entries?limit=200`);
    expect(entries.items.filter((e) => e.type === 'restore').length).toBeGreaterThan(0);
    await drain(); // payment.failed arrives too: released once, nothing restored twice
    expect((await card(member.id)).balance_fen).toBe(before.card.balance_fen);
    // The cashier retries the same order with another code: the coupon works again.
    const retried = await cashier.ok<Checkout>('POST', '/v1/checkouts', { ...body, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    expect(retried).toMatchObject({ status: 'completed', coupons: [{ coupon_id: couponId, discount_fen: 2_000 }] });
    await ledgersOk();
  });

  it('a code that cannot start a payment releases the checkout and answers why', async () => {
    const buyer = nextBuyer();
    const { member, couponId } = await loadedMember(buyer);
    const balance = (await card(member.id)).balance_fen;
    const refused = await cashier.raw('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'mp-order-3', amount_fen: 20_000, coupon_ids: [couponId], stored_value_fen: 1_000, payment: { auth_code: '991234567890123456' } });
    expect(refused.statusCode).toBe(400);
    expect(codeOf(refused)).toBe('barcode_unrecognised');
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('issued');
    expect((await card(member.id)).balance_fen).toBe(balance);
  });

  it('a QR remainder paid by the buyer completes the checkout through the subscriber', async () => {
    const buyer = nextBuyer();
    const { member, couponId } = await loadedMember(buyer);
    const before = (await points(member.id)).total;
    const waiting = await cashier.ok<Checkout>('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'mp-order-qr-paid', amount_fen: 20_000, coupon_ids: [couponId], stored_value_fen: 2_000, payment: { method: 'qr', channel: 'wechatpay' } });
    expect(waiting.status).toBe('awaiting_payment');
    await payInWallet(t, waiting.remainder_payment!.code_url!, buyer);
    await runSandboxNotifications(t.database.db, new Date());
    await drain();
    const done = await cashier.ok<Checkout>('GET', `/v1/checkouts/${waiting.id}`);
    // 20 000 − 2 000 coupon − 2 000 stored value (1 818 principal) = 16 000 cash; earns ¥178.
    expect(done).toMatchObject({ status: 'completed', remainder_due_fen: 16_000, remainder_payment: { status: 'succeeded' }, points_earned: 178 });
    expect((await points(member.id)).total).toBe(before + 178);
    await ledgersOk();
  });

  it('a QR remainder waits; its payment closing releases the checkout', async () => {
    const buyer = nextBuyer();
    const { member, couponId } = await loadedMember(buyer);
    const balance = (await card(member.id)).balance_fen;
    const waiting = await cashier.ok<Checkout>('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'mp-order-4', amount_fen: 20_000, coupon_ids: [couponId], stored_value_fen: 2_000, payment: { method: 'qr', channel: 'alipay' } });
    expect(waiting).toMatchObject({ status: 'awaiting_payment', remainder_payment: { status: 'paying' } });
    expect(waiting.remainder_payment!.code_url).toMatch(/^https?:/);
    expect((await card(member.id)).balance_fen).toBe(balance - 2_000);
    const closed = await t.api('POST', `/v1/payments/${waiting.remainder_payment!.payment_id}/close`, {});
    expect(closed.statusCode, closed.body).toBeLessThan(300);
    await drain();
    expect((await cashier.ok<Checkout>('GET', `/v1/checkouts/${waiting.id}`)).status).toBe('released');
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('issued');
    expect((await card(member.id)).balance_fen).toBe(balance);
    // The worker's sweep finds nothing left to do.
    const round = await runMembershipWorkers(t.database.db, t.config, new Date(), { force: true });
    expect(round.checkouts).toMatchObject({ completed: 0, released: 0 });
  });

  it('the worker settles a checkout whose payment ended unheard, once, and its sweeps are idempotent', async () => {
    const buyer = nextBuyer();
    const { member, couponId } = await loadedMember(buyer);
    const balance = (await card(member.id)).balance_fen;
    const waiting = await cashier.ok<Checkout>('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'mp-order-6', amount_fen: 20_000, coupon_ids: [couponId], stored_value_fen: 2_000, payment: { method: 'qr', channel: 'alipay' } });
    expect((await t.api('POST', `/v1/payments/${waiting.remainder_payment!.payment_id}/close`, {})).statusCode).toBeLessThan(300);
    // No event consumed: the sweep alone finds the payment closed and releases the checkout.
    const later = new Date(Date.now() + 120_000);
    const first = await runMembershipWorkers(t.database.db, t.config, later, { force: true });
    expect(first.checkouts?.released).toBeGreaterThanOrEqual(1);
    expect((await cashier.ok<Checkout>('GET', `/v1/checkouts/${waiting.id}`)).status).toBe('released');
    expect((await card(member.id)).balance_fen).toBe(balance);
    const again = await runMembershipWorkers(t.database.db, t.config, later, { force: true });
    expect(again.checkouts).toMatchObject({ completed: 0, released: 0, orphansRefunded: 0 });
    expect(again.expiry).toMatchObject({ points: 0 });
    expect(again.tiers).toMatchObject({ changed: 0 });
    await drain(); // the late payment.closed event: already released, nothing restored twice
    expect((await card(member.id)).balance_fen).toBe(balance);
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('issued');
    await ledgersOk();
  });

  it('refunds half a checkout: cash through payments, value parts and earned points in proportion, coupon kept', async () => {
    const buyer = nextBuyer();
    const { member, couponId } = await loadedMember(buyer);
    const done = await cashier.ok<Checkout>('POST', '/v1/checkouts', {
      member_id: member.id,
      store_id: storeId,
      reference: 'mp-order-5',
      amount_fen: 22_000,
      coupon_ids: [couponId],
      points: 1_000,
      stored_value_fen: 8_000,
      payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) },
    });
    // 22 000 − 2 000 = 20 000 payable: 1 000 points (¥10), 8 000 stored value, 11 000 cash.
    expect(done).toMatchObject({ status: 'completed', remainder_due_fen: 11_000 });
    const before = { points: (await points(member.id)).total, card: await card(member.id) };
    const half = await owner.ok<Checkout>('POST', `/v1/checkouts/${done.id}/refunds`, { amount_fen: 10_000, reason: '退一半' });
    expect(half.refunds[0]).toMatchObject({ cash_fen: 5_500, stored_value_fen: 4_000, points_restored: 500, coupons_restored: false });
    const payment = (await t.api('GET', `/v1/payments/${done.remainder_payment!.payment_id}`)).json<Payment>();
    expect(payment.refunded_fen).toBe(5_500);
    expect((await card(member.id)).balance_fen).toBe(before.card.balance_fen + 4_000);
    // Earned ¥(11 000 + principal of 8 000) → the refunded half of that base takes back its points exactly.
    const reversed = half.refunds[0]!.points_reversed;
    expect((await points(member.id)).total).toBe(before.points + 500 - reversed);
    // Base: 11 000 cash + 7 272 principal (8 000 of 100 000 + 10 000 bonus) → 182 points; half of it
    // (5 500 cash + 3 636 principal) takes back earned(18 272) − earned(9 136) = 182 − 91.
    expect(done.points_earned).toBe(182);
    expect(reversed).toBe(91);
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('redeemed');
    // The rest: everything is back, the coupon too.
    const rest = await owner.ok<Checkout>('POST', `/v1/checkouts/${done.id}/refunds`, { reason: '全部退' });
    expect(rest.status).toBe('refunded');
    expect(rest.refunds.reduce((s, r) => s + r.points_reversed, 0)).toBe(done.points_earned);
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('issued');
    expect((await card(member.id)).balance_fen).toBe(before.card.balance_fen + 8_000);
    await drain();
    await ledgersOk();
  });

  it('concurrent checkouts on one stored-value card never overspend it', async () => {
    const buyer = nextBuyer();
    const { member } = await memberPaying(buyer);
    await cashier.ok('POST', '/v1/membership/top-ups', { member_id: member.id, store_id: storeId, amount_fen: 10_000, payment: { auth_code: await t.buyerCode('alipay', 'pay', 1, buyer) } });
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_v, i) =>
        cashier.raw('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: `mp-race-${i}`, amount_fen: 5_000, stored_value_fen: 3_000, payment: { method: 'qr', channel: 'alipay' } }),
      ),
    );
    const ok = responses.filter((r) => r.statusCode === 201);
    expect(ok).toHaveLength(3);
    for (const r of responses.filter((x) => x.statusCode !== 201)) expect(codeOf(r)).toBe('insufficient_stored_value');
    expect((await card(member.id)).balance_fen).toBe(1_000);
    await ledgersOk();
  });
});
