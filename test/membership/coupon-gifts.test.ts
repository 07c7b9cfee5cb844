import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMembershipWorkers } from '../../src/modules/membership/index.js';
import { shanghaiDate } from '../../src/modules/membership/gift-rule-match.js';
import { dispatchOutbox, publishEvent, runEventConsumers } from '../../src/modules/platform/index.js';
import { outboxEvents } from '../../src/modules/platform/schema.js';
import { startPaymentsApp, type PaymentsTestApp } from '../payments/support.js';
import { caller, codeOf, type Caller, type MemberBody } from './support.js';

// Automatic coupon gifts (入会礼, 消费返券) through the real event path: enrolment and sandbox
// payments publish events, the subscribers issue coupons, and replays give nothing twice.

let t: PaymentsTestApp;
let owner: Caller;
let cashier: Caller;
let storeId: string;

interface Payment {
  id: string;
  person_id: string | null;
  payer_identifiers: { kind: string; value: string; app_id?: string }[];
}
interface Rule {
  id: string;
  trigger: string;
  template_id: string;
  min_amount_fen: number | null;
  enabled: boolean;
}
interface Gift {
  rule_id: string;
  trigger_reference: string;
  coupon_id: string | null;
  skipped_reason: string | null;
}
interface Coupon {
  id: string;
  template_id: string;
  issue_source: string;
}

beforeAll(async () => {
  t = await startPaymentsApp();
  owner = caller(t, { cookie: await t.login('owner') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  storeId = t.demo.storeIds[0]!;
});
afterAll(() => t.close());

async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const now = new Date();
    await dispatchOutbox(t.database.db, { now });
    const run = await runEventConsumers(t.database.db, { now });
    expect(run.retrying + run.failed, 'a subscriber failed').toBe(0);
    if (run.applied === 0) return;
  }
}

async function template(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name, kind: 'cash_off', value_fen: 500, validity: { kind: 'relative', days: 30 }, ...extra })).id;
}

async function rule(body: Record<string, unknown>): Promise<Rule> {
  const response = await owner.raw('POST', '/v1/membership/coupon-gift-rules', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Rule>();
}

const couponsOf = async (memberId: string) => (await cashier.ok<{ items: Coupon[] }>('GET', `/v1/members/${memberId}/coupons`)).items;
const giftsOf = async (memberId: string) => (await cashier.ok<{ items: Gift[] }>('GET', `/v1/members/${memberId}/coupon-gifts`)).items;

let buyerSeq = 0;
async function pay(amountFen: number, buyer: string): Promise<Payment> {
  const code = await t.buyerCode('alipay', 'pay', 1, buyer);
  const response = await t.api('POST', '/v1/payments', { store_id: storeId, amount_fen: amountFen, auth_code: code });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Payment>();
}

async function payingMember(): Promise<{ member: MemberBody; buyer: string }> {
  const buyer = `gift-buyer-${++buyerSeq}`;
  const first = await pay(100, buyer);
  const identifiers = first.payer_identifiers.map((i) => ({ kind: i.kind, value: i.value, ...(i.app_id && { app_id: i.app_id }) }));
  const member = await cashier.ok<MemberBody>('POST', '/v1/members', { identifiers, consent_version: 'v1', consent_purposes: ['membership'] });
  await drain();
  return { member, buyer };
}

describe('coupon gift rules', () => {
  it('are for owners and admins, checked and audited', async () => {
    const templateId = await template('规则校验');
    const refused = await cashier.raw('POST', '/v1/membership/coupon-gift-rules', { trigger: 'join', template_id: templateId });
    expect(refused.statusCode).toBe(403);
    const joinWithMinimum = await owner.raw('POST', '/v1/membership/coupon-gift-rules', { trigger: 'join', template_id: templateId, min_amount_fen: 100 });
    expect(joinWithMinimum.statusCode).toBe(400);
    expect(codeOf(joinWithMinimum)).toBe('coupon_gift_rule_invalid');
    const unknownTemplate = await owner.raw('POST', '/v1/membership/coupon-gift-rules', { trigger: 'join', template_id: 'cpt_00000000000000000000000000' });
    expect(unknownTemplate.statusCode).toBe(404);
    const unknownField = await owner.raw('POST', '/v1/membership/coupon-gift-rules', { trigger: 'join', template_id: templateId, colour: 'red' });
    expect(unknownField.statusCode).toBe(400);

    const created = await rule({ trigger: 'payment', template_id: templateId, min_amount_fen: 1_000_000, enabled: false });
    const changed = await owner.ok<Rule>('PATCH', `/v1/membership/coupon-gift-rules/${created.id}`, { min_amount_fen: 2_000_000 });
    expect(changed).toMatchObject({ min_amount_fen: 2_000_000, enabled: false });
    const audit = await owner.ok<{ items: { action: string; target_id: string }[] }>('GET', `/v1/audit-log?target_id=${created.id}`);
    expect(audit.items.map((e) => e.action).sort()).toEqual(['membership.coupon_gift_rule.create', 'membership.coupon_gift_rule.update']);
  });

  it('give a new member the join gift once, and record why a gift could not be given', async () => {
    const welcome = await rule({ trigger: 'join', template_id: await template('入会礼 ¥5') });
    const scarce = await rule({ trigger: 'join', template_id: await template('限量入会礼', { stock: 1 }) });

    const { member: first } = await payingMember();
    const { member: second } = await payingMember();

    const firstCoupons = await couponsOf(first.id);
    expect(firstCoupons.filter((c) => c.template_id === welcome.template_id)).toHaveLength(1);
    expect(firstCoupons.find((c) => c.template_id === welcome.template_id)!.issue_source).toBe('join');
    expect(firstCoupons.filter((c) => c.template_id === scarce.template_id)).toHaveLength(1);

    const secondGifts = await giftsOf(second.id);
    expect(secondGifts.find((g) => g.rule_id === welcome.id)).toMatchObject({ trigger_reference: second.id, skipped_reason: null });
    expect(secondGifts.find((g) => g.rule_id === scarce.id)).toMatchObject({ coupon_id: null, skipped_reason: 'coupon_out_of_stock' });

    // The join event again: nothing more.
    const [joined] = await t.database.db
      .select()
      .from(outboxEvents)
      .where(and(eq(outboxEvents.merchantId, t.demo.merchantId), eq(outboxEvents.type, 'member.joined')));
    await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, 'member.joined', joined!.payload));
    await drain();
    for (const member of [first, second]) expect((await couponsOf(member.id)).filter((c) => c.template_id === welcome.template_id)).toHaveLength(1);

    await owner.ok('PATCH', `/v1/membership/coupon-gift-rules/${welcome.id}`, { enabled: false });
    await owner.ok('PATCH', `/v1/membership/coupon-gift-rules/${scarce.id}`, { enabled: false });
  });

  it('give a payment gift when a member’s payment reaches the minimum, once per payment', async () => {
    const reward = await rule({ trigger: 'payment', template_id: await template('满100返券'), min_amount_fen: 10_000 });
    const { member, buyer } = await payingMember();
    expect((await couponsOf(member.id)).filter((c) => c.template_id === reward.template_id)).toHaveLength(0);

    await pay(9_999, buyer);
    await drain();
    expect((await couponsOf(member.id)).filter((c) => c.template_id === reward.template_id)).toHaveLength(0);

    const big = await pay(10_000, buyer);
    await drain();
    const gifts = await giftsOf(member.id);
    expect(gifts.filter((g) => g.rule_id === reward.id)).toEqual([expect.objectContaining({ trigger_reference: big.id, skipped_reason: null })]);
    const coupons = (await couponsOf(member.id)).filter((c) => c.template_id === reward.template_id);
    expect(coupons).toHaveLength(1);
    expect(coupons[0]!.issue_source).toBe('payment');

    // A stranger's payment gives nothing: gifts are for members.
    await pay(50_000, `gift-stranger-${buyerSeq}`);
    await drain();
    await owner.ok('PATCH', `/v1/membership/coupon-gift-rules/${reward.id}`, { enabled: false });
  });

  it('give a birthday gift on the member’s birthday (Beijing date), once a year however often the sweep runs', async () => {
    const unknownTier = await owner.raw('POST', '/v1/membership/coupon-gift-rules', { trigger: 'birthday', template_id: await template('无此等级'), tier_codes: ['no-such-tier'] });
    expect(unknownTier.statusCode).toBe(400);
    expect(codeOf(unknownTier)).toBe('coupon_gift_rule_invalid');
    const cake = await rule({ trigger: 'birthday', template_id: await template('生日蛋糕券') });

    const now = new Date();
    const today = shanghaiDate(now);
    const tomorrow = shanghaiDate(new Date(now.getTime() + 86_400_000));
    const { member: celebrating } = await payingMember();
    const { member: notYet } = await payingMember();
    await owner.ok('PATCH', `/v1/members/${celebrating.id}`, { birthday: `1990-${today.slice(5)}` });
    await owner.ok('PATCH', `/v1/members/${notYet.id}`, { birthday: `1990-${tomorrow.slice(5)}` });

    const first = await runMembershipWorkers(t.database.db, t.config, now, { force: true });
    expect(first.birthdays).toMatchObject({ members: 1, coupons: 1 });
    await runMembershipWorkers(t.database.db, t.config, new Date(now.getTime() + 3_600_000), { force: true });
    const cakes = (await couponsOf(celebrating.id)).filter((c) => c.template_id === cake.template_id);
    expect(cakes).toHaveLength(1);
    expect(cakes[0]!.issue_source).toBe('birthday');
    expect((await giftsOf(celebrating.id)).find((g) => g.rule_id === cake.id)?.trigger_reference).toBe(`${celebrating.id}:${today.slice(0, 4)}`);
    expect((await couponsOf(notYet.id)).filter((c) => c.template_id === cake.template_id)).toHaveLength(0);
    await owner.ok('PATCH', `/v1/membership/coupon-gift-rules/${cake.id}`, { enabled: false });
  });
});
