import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, codeOf, enrol, nextPhone, type Caller } from './support.js';

// The console's membership API beside the core one: the member directory search (any identifier,
// filters), coupon statistics, and partner-issued coupons with a partner-scoped API key.

let t: TestApp;
let owner: Caller;
let cashier: Caller;
let storeId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  storeId = t.demo.storeIds[0]!;
});
afterAll(() => t.close());

interface MemberPage {
  items: { id: string; card_number: string; person_id: string | null }[];
  next_cursor: string | null;
}

describe('member search', () => {
  it('finds a member by card number, phone, name, id and a WeChat openid resolved through ID+', async () => {
    const phone = nextPhone();
    const openid = 'o-search-openid-0001';
    const member = await enrol(cashier, { phone, display_name: '林小姐', store_id: storeId, identifiers: [{ kind: 'wechat_openid', value: openid, app_id: 'wx0123456789abcdef' }] });
    expect(member.person_id).toMatch(/^per_/);
    // Scoped channel ids are searched as ID+ shows them: appid:openid.
    for (const q of [member.card_number, phone, '林小', `wx0123456789abcdef:${openid}`, member.id]) {
      const page = await cashier.ok<MemberPage>('GET', `/v1/membership/member-search?q=${encodeURIComponent(q)}`);
      expect(page.items.map((m) => m.id), q).toEqual([member.id]);
    }
    expect((await cashier.ok<MemberPage>('GET', '/v1/membership/member-search?q=o-nobody-has-this')).items).toEqual([]);
  });

  it('filters by store, joining date and tier, and pages', async () => {
    const other = t.demo.storeIds[1]!;
    const a = await enrol(owner, { store_id: other });
    const b = await enrol(owner, { store_id: other });
    const atOther = await owner.ok<MemberPage>('GET', `/v1/membership/member-search?store_id=${other}`);
    expect(atOther.items.map((m) => m.id)).toEqual([b.id, a.id]);
    const first = await owner.ok<MemberPage>('GET', `/v1/membership/member-search?store_id=${other}&limit=1`);
    expect(first.items.map((m) => m.id)).toEqual([b.id]);
    const second = await owner.ok<MemberPage>('GET', `/v1/membership/member-search?store_id=${other}&limit=1&after=${first.next_cursor}`);
    expect(second.items.map((m) => m.id)).toEqual([a.id]);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await owner.ok<MemberPage>('GET', `/v1/membership/member-search?joined_from=${future}`)).items).toEqual([]);
    expect((await owner.ok<MemberPage>('GET', `/v1/membership/member-search?store_id=${other}&joined_to=${future}`)).items).toHaveLength(2);
    expect((await owner.ok<MemberPage>('GET', `/v1/membership/member-search?store_id=${other}&tier_code=-`)).items).toHaveLength(2);
    expect((await owner.ok<MemberPage>('GET', `/v1/membership/member-search?store_id=${other}&tier_code=gold`)).items).toEqual([]);
  });
});

interface Stats {
  issued: number;
  redeemed: number;
  voided: number;
  expired: number;
  open: number;
  redemption_rate_bps: number;
  series: { date: string; issued: number; redeemed: number }[];
}

describe('coupon statistics', () => {
  it('counts issued, redeemed, voided and open coupons, with today in the per-day series', async () => {
    const template = await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '立减5元', kind: 'cash_off', value_fen: 500, validity: { kind: 'relative', days: 7 } });
    const holders = [await enrol(owner), await enrol(owner), await enrol(owner)];
    const issued = [];
    for (const m of holders) issued.push(await owner.ok<{ id: string }>('POST', `/v1/membership/coupon-templates/${template.id}/issues`, { member_id: m.id }));
    await cashier.ok('POST', `/v1/membership/coupons/${issued[0]!.id}/redeem`, { store_id: storeId, amount_fen: 2_000 });
    await owner.ok('POST', `/v1/membership/coupons/${issued[1]!.id}/void`, { reason: 'issued by mistake' });

    const stats = await cashier.ok<Stats>('GET', `/v1/membership/coupon-templates/${template.id}/stats?days=7`);
    expect(stats).toMatchObject({ issued: 3, redeemed: 1, voided: 1, expired: 0, open: 1, redemption_rate_bps: 3333 });
    expect(stats.series).toHaveLength(7);
    expect(stats.series.at(-1)).toMatchObject({ issued: 3, redeemed: 1 });
    expect(stats.series.slice(0, -1).every((d) => d.issued === 0 && d.redeemed === 0)).toBe(true);

    const all = await owner.ok<{ items: (Stats & { template_id: string })[] }>('GET', '/v1/membership/coupon-stats');
    expect(all.items.find((i) => i.template_id === template.id)).toMatchObject({ issued: 3, redeemed: 1, voided: 1, open: 1 });
  });
});

describe('partner-issued coupons', () => {
  it('a partner key issues only templates enabled for partners, once per reference, and can do nothing else', async () => {
    const enabled = await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '银行联名券', kind: 'cash_off', value_fen: 1_000, validity: { kind: 'relative', days: 30 }, stock: 2 });
    const closed = await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '内部券', kind: 'cash_off', value_fen: 1_000, validity: { kind: 'relative', days: 30 } });
    // Only owners decide which templates partners may issue.
    const denied = await cashier.raw('PUT', `/v1/membership/coupon-templates/${enabled.id}/partner-issuing`, { enabled: true });
    expect(denied.statusCode).toBe(403);
    expect(await owner.ok('PUT', `/v1/membership/coupon-templates/${enabled.id}/partner-issuing`, { enabled: true })).toMatchObject({ enabled: true });

    const key = await owner.ok<{ secret: string; scopes: string[] }>('POST', '/v1/api-keys', { name: '招商银行', scopes: ['membership:coupons.issue'] });
    expect(key.scopes).toEqual(['membership:coupons.issue']);
    const partner = caller(t, { apiKey: key.secret });

    const listed = await partner.ok<{ items: { id: string }[] }>('GET', '/v1/membership/partner/coupon-templates');
    expect(listed.items.map((i) => i.id)).toEqual([enabled.id]);

    const phone = nextPhone();
    const member = await enrol(owner, { phone });
    const coupon = await partner.ok<{ id: string; member_id: string; issue_source: string; status: string }>('POST', `/v1/membership/partner/coupon-templates/${enabled.id}/issues`, { phone, reference: 'cmb-0001' });
    expect(coupon).toMatchObject({ member_id: member.id, issue_source: 'partner', status: 'issued' });
    const byCard = await partner.ok<{ member_id: string }>('POST', `/v1/membership/partner/coupon-templates/${enabled.id}/issues`, { card_number: member.card_number, reference: 'cmb-0002' });
    expect(byCard.member_id).toBe(member.id);

    // The same reference twice is one issue; stock still holds; closed templates do not exist for it.
    const again = await partner.raw('POST', `/v1/membership/partner/coupon-templates/${enabled.id}/issues`, { member_id: member.id, reference: 'cmb-0001' });
    expect([again.statusCode, codeOf(again)]).toEqual([409, 'duplicate_reference']);
    const soldOut = await partner.raw('POST', `/v1/membership/partner/coupon-templates/${enabled.id}/issues`, { member_id: member.id, reference: 'cmb-0003' });
    expect([soldOut.statusCode, codeOf(soldOut)]).toEqual([409, 'coupon_out_of_stock']);
    const notEnabled = await partner.raw('POST', `/v1/membership/partner/coupon-templates/${closed.id}/issues`, { member_id: member.id, reference: 'cmb-0004' });
    expect([notEnabled.statusCode, codeOf(notEnabled)]).toEqual([404, 'coupon_template_not_found']);
    const twoNames = await partner.raw('POST', `/v1/membership/partner/coupon-templates/${enabled.id}/issues`, { member_id: member.id, phone, reference: 'cmb-0005' });
    expect(twoNames.statusCode).toBe(400);

    // Nothing else: not the staff issue route, not the members, not the coupons.
    for (const [method, url, body] of [
      ['POST', `/v1/membership/coupon-templates/${closed.id}/issues`, { member_id: member.id }],
      ['GET', `/v1/members/${member.id}`, undefined],
      ['GET', '/v1/membership/member-search?q=1', undefined],
      ['GET', `/v1/membership/coupons/${coupon.id}`, undefined],
    ] as const) {
      const r = await partner.raw(method, url, body);
      expect(r.statusCode, `${method} ${url}`).toBe(403);
    }

    // Switched off, the template is gone for the partner.
    await owner.ok('PUT', `/v1/membership/coupon-templates/${enabled.id}/partner-issuing`, { enabled: false });
    expect((await partner.ok<{ items: unknown[] }>('GET', '/v1/membership/partner/coupon-templates')).items).toEqual([]);
    const off = await partner.raw('POST', `/v1/membership/partner/coupon-templates/${enabled.id}/issues`, { member_id: member.id, reference: 'cmb-0006' });
    expect(off.statusCode).toBe(404);

    const audit = await owner.ok<{ items: { action: string; actor_kind: string }[] }>('GET', '/v1/audit-log?limit=200');
    expect(audit.items.filter((e) => e.action === 'membership.coupon.issue' && e.actor_kind === 'api_key')).toHaveLength(2);
    expect(audit.items.filter((e) => e.action === 'membership.coupon_template.partner_issuing')).toHaveLength(2);
  });
});

describe('a member’s payments', () => {
  async function payAtCounter(buyer: string): Promise<{ id: string; person_id: string | null }> {
    const code = await t.app.inject({ method: 'POST', url: '/sandbox/buyer-codes', payload: { channel: 'alipay', behaviour: 'pay', buyer } });
    expect(code.statusCode, code.body).toBeLessThan(300);
    const payment = await owner.ok<{ id: string }>('POST', '/v1/payments', { store_id: storeId, amount_fen: 1_500, auth_code: code.json<{ auth_code: string }>().auth_code });
    return owner.ok('GET', `/v1/payments/${payment.id}`);
  }

  it('the payments list filters by the ID+ person who paid, which the member drawer uses', async () => {
    const first = await payAtCounter('member-pays-1');
    const second = await payAtCounter('member-pays-2');
    const again = await payAtCounter('member-pays-1');
    expect(first.person_id).toMatch(/^per_/);
    expect(second.person_id).not.toBe(first.person_id);
    const page = await cashier.ok<{ items: { id: string }[] }>('GET', `/v1/payments?person_id=${first.person_id}`);
    expect(page.items.map((p) => p.id)).toEqual([again.id, first.id]);
    const bad = await owner.raw('GET', '/v1/payments?person_id=nope');
    expect(bad.statusCode).toBe(400);
  });
});
