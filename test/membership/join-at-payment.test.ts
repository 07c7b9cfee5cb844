import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberIdFromCode } from '../../src/modules/membership/index.js';
import { runSandboxNotifications } from '../../src/modules/payments/index.js';
import { getPayment, startPaymentsApp, weChatUserAgent, type PaymentsTestApp } from '../payments/support.js';
import { caller, nextPhone, type Caller } from './support.js';

// 支付即会员 end to end over the sandbox: the buyer pays at the store QR in WeChat, the result page's
// slot offers to join, and only the browser that paid (its payer ticket cookie) can join.

let t: PaymentsTestApp;
let owner: Caller;
let qrPath: string;

interface Paid {
  paymentId: string;
  /** Cookie header of the paying browser: sandbox buyer and payer ticket. */
  cookies: string;
}

const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;
function cookiesFrom(response: LightMyRequestResponse, jar: Map<string, string>): void {
  for (const c of response.cookies) {
    if (c.maxAge === 0 || c.value === '') jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
}
const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Pays at the store QR in WeChat as the browser holding `jar`; returns the paid payment. */
async function payAtStoreQr(jar: Map<string, string>, amount = '88.00'): Promise<Paid> {
  const submitted = await t.app.inject({
    method: 'POST',
    url: qrPath,
    headers: { 'user-agent': weChatUserAgent, 'content-type': 'application/x-www-form-urlencoded', cookie: header(jar) },
    payload: `amount=${amount}`,
  });
  expect(submitted.statusCode, submitted.body.slice(-500)).toBe(303);
  cookiesFrom(submitted, jar);
  const wallet = new URL(submitted.headers.location as string);
  const paid = await t.app.inject({ method: 'POST', url: `${wallet.pathname}/pay${wallet.search}` });
  expect(paid.statusCode).toBe(303);
  await runSandboxNotifications(t.database.db, new Date());
  const result = new URL(paid.headers.location as string, t.baseUrl).pathname;
  return { paymentId: result.split('/').at(-1)!, cookies: header(jar) };
}

const h5 = (method: 'GET' | 'POST', url: string, cookie = '', form?: Record<string, string>) =>
  t.app.inject({
    method,
    url,
    headers: { 'user-agent': weChatUserAgent, ...(cookie && { cookie }), ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
    ...(form && { payload: new URLSearchParams(form).toString() }),
  });

interface ConsentJson {
  action: string;
  purposes: string[];
  text_version: string;
  text_sha256: string;
  channel: string;
  payment_id: string | null;
  actor_kind: string;
  actor_id: string | null;
  evidence: Record<string, unknown>;
}

beforeAll(async () => {
  t = await startPaymentsApp();
  owner = caller(t, { cookie: await t.login('owner') });
  const qr = await owner.ok<{ url: string }>('POST', `/v1/stores/${t.demo.storeIds[0]}/qr-codes`, { desk: '1号台' });
  qrPath = pathOf(qr.url);
});
afterAll(() => t.close());

describe('支付即会员', () => {
  let buyer: Map<string, string>;
  let first: Paid;
  let memberId: string;

  it('the result page loads the membership slot; only the paying browser is offered to join', async () => {
    buyer = new Map();
    first = await payAtStoreQr(buyer);
    expect(buyer.has('mp_payer')).toBe(true);
    const result = await h5('GET', `/h5/pay/result/${first.paymentId}`, first.cookies);
    expect(result.body).toContain(`data-src="/h5/members/after-payment/${first.paymentId}"`);

    // Knowing the payment id is not enough: no ticket, no offer.
    const stranger = await h5('GET', `/h5/members/after-payment/${first.paymentId}`);
    expect(stranger.statusCode).toBe(200);
    expect(stranger.body).toBe('');

    const slot = await h5('GET', `/h5/members/after-payment/${first.paymentId}`, first.cookies);
    expect(slot.statusCode).toBe(200);
    expect(slot.body).toContain('data-testid="join-form"');
    expect(slot.body).toContain('会员服务');
    // Membership must be ticked by the buyer; marketing is separate and not pre-ticked.
    expect(slot.body).toMatch(/name="accept_membership" value="on" required/);
    expect(slot.body).toMatch(/name="accept_marketing" value="on" data-testid/);
    expect(slot.body).not.toMatch(/checked/);
    expect(slot.body).toContain('name="consent_version" value="v1"');
  });

  it('refuses to join without the payer ticket, with another payment’s ticket, or without consent', async () => {
    const form = { consent_version: 'v1', accept_membership: 'on' };
    const noCookie = await h5('POST', `/h5/members/join/${first.paymentId}`, '', form);
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.headers['set-cookie']).toBeUndefined();

    const other = new Map<string, string>();
    const otherPaid = await payAtStoreQr(other, '1.00');
    const crossed = await h5('POST', `/h5/members/join/${first.paymentId}`, otherPaid.cookies, form);
    expect(crossed.statusCode).toBe(403);

    const forged = await h5('POST', `/h5/members/join/${first.paymentId}`, `mp_payer=${buyer.get('mp_payer')!.slice(0, -3)}abc`, form);
    expect(forged.statusCode).toBe(403);

    const noConsent = await h5('POST', `/h5/members/join/${first.paymentId}`, first.cookies, { consent_version: 'v1' });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.body).toContain('role="alert"');
    const staleText = await h5('POST', `/h5/members/join/${first.paymentId}`, first.cookies, { consent_version: 'v0', accept_membership: 'on' });
    expect(staleText.statusCode).toBe(400);
    const members = await owner.ok<{ items: unknown[] }>('GET', '/v1/members');
    expect(members.items).toHaveLength(0);
  });

  it('joins with one tap: member bound to the payer’s person, consent recorded, lands on the card', async () => {
    const phone = nextPhone();
    const joined = await h5('POST', `/h5/members/join/${first.paymentId}`, first.cookies, { consent_version: 'v1', accept_membership: 'on', phone });
    expect(joined.statusCode, joined.body).toBe(303);
    expect(joined.headers.location).toBe('/h5/members/card');
    const session = joined.cookies.find((c) => c.name === 'mp_member')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/h5' });
    cookiesFrom(joined, buyer);

    const payment = await getPayment(t, first.paymentId);
    const list = await owner.ok<{ items: { id: string; person_id: string | null; join_channel: string; phone: string | null; marketing_opt_in: boolean }[] }>('GET', '/v1/members');
    expect(list.items).toHaveLength(1);
    const member = list.items[0]!;
    memberId = member.id;
    const personId = (payment as unknown as { person_id: string | null }).person_id;
    expect(personId).toMatch(/^per_/);
    expect(member).toMatchObject({ person_id: personId, join_channel: 'payment', phone, marketing_opt_in: false });

    const consents = await owner.ok<{ items: ConsentJson[] }>('GET', `/v1/members/${memberId}/consents`);
    expect(consents.items).toHaveLength(1);
    expect(consents.items[0]).toMatchObject({
      action: 'grant',
      purposes: ['membership'],
      text_version: 'v1',
      channel: 'payment',
      payment_id: first.paymentId,
      actor_kind: 'member',
      evidence: { phone, phone_verified: false },
    });
    expect(consents.items[0]!.text_sha256).toMatch(/^[0-9a-f]{64}$/);

    // A second tap answers the same member; nothing new is recorded.
    const again = await h5('POST', `/h5/members/join/${first.paymentId}`, first.cookies, { consent_version: 'v1', accept_membership: 'on' });
    expect(again.statusCode).toBe(303);
    expect((await owner.ok<{ items: unknown[] }>('GET', '/v1/members')).items).toHaveLength(1);
    expect((await owner.ok<{ items: unknown[] }>('GET', `/v1/members/${memberId}/consents`)).items).toHaveLength(1);

    const card = await h5('GET', '/h5/members/card', header(buyer));
    expect(card.statusCode).toBe(200);
    expect(card.body).toContain('data-testid="card-number"');
    expect(card.body).toMatch(/data-testid="code-digits" data-code="[0-9]{22}"/);
    expect(card.body).toContain('<svg');
    expect(await h5('GET', '/h5/members/card')).toMatchObject({ statusCode: 401 });
  });

  it('the slot shows the card summary to a payer who is already a member', async () => {
    const second = await payAtStoreQr(buyer, '12.00');
    const slot = await h5('GET', `/h5/members/after-payment/${second.paymentId}`, second.cookies);
    expect(slot.body).toContain('data-testid="summary-points"');
    expect(slot.body).not.toContain('join-form');
    const sessionless = new Map(buyer);
    sessionless.delete('mp_member');
    const entered = await h5('POST', `/h5/members/enter/${second.paymentId}`, header(sessionless));
    expect(entered.statusCode).toBe(303);
    expect(entered.cookies.find((c) => c.name === 'mp_member')).toBeDefined();
  });

  it('marketing opt-in and withdrawal are new consent rows; the database refuses edits', async () => {
    const on = await h5('POST', '/h5/members/marketing', header(buyer), { opt_in: 'on' });
    expect(on.statusCode).toBe(303);
    const off = await h5('POST', '/h5/members/marketing', header(buyer), { opt_in: 'off' });
    expect(off.statusCode).toBe(303);
    const consents = await owner.ok<{ items: ConsentJson[] }>('GET', `/v1/members/${memberId}/consents`);
    expect(consents.items.map((c) => [c.action, c.purposes.join(',')])).toEqual([
      ['withdraw', 'marketing'],
      ['grant', 'marketing'],
      ['grant', 'membership'],
    ]);
    const refusal = async (statement: ReturnType<typeof sql>) => {
      try {
        await t.database.db.execute(statement);
        return 'accepted';
      } catch (error) {
        return `${(error as Error).message} ${(error as { cause?: { message?: string } }).cause?.message ?? ''}`;
      }
    };
    expect(await refusal(sql`update membership_consents set action = 'grant'`)).toMatch(/append-only/);
    expect(await refusal(sql`delete from membership_consents`)).toMatch(/append-only/);
  });

  it('logout ends the session', async () => {
    const out = await h5('POST', '/h5/members/logout', header(buyer));
    expect(out.statusCode).toBe(200);
    cookiesFrom(out, buyer);
    expect(buyer.has('mp_member')).toBe(false);
    expect((await h5('GET', '/h5/members/card', header(buyer))).statusCode).toBe(401);
  });

  describe('the dynamic member code', () => {
    let code: string;
    let madeAt: Date;
    beforeAll(async () => {
      const entered = await h5('POST', `/h5/members/enter/${first.paymentId}`, first.cookies);
      cookiesFrom(entered, buyer);
      madeAt = new Date();
      const response = await h5('GET', '/h5/members/card/code', header(buyer));
      expect(response.statusCode).toBe(200);
      code = response.json<{ code: string }>().code;
    });

    it('is valid now and in the next step, not two steps later, and never at another merchant', async () => {
      expect(await memberIdFromCode(t.database.db, t.demo.merchantId, code, madeAt)).toBe(memberId);
      expect(await memberIdFromCode(t.database.db, t.demo.merchantId, code, new Date(madeAt.getTime() + 30_000))).toBe(memberId);
      expect(await memberIdFromCode(t.database.db, t.demo.merchantId, code, new Date(madeAt.getTime() + 61_000))).toBeNull();
      const operator = caller(t, { cookie: await t.login('operator') });
      const b = await operator.ok<{ id: string }>('POST', '/v1/merchants', { name: 'Merchant B', owner: { login: 'code-b-owner', display_name: 'B', password: 'code-b-owner-2026' } });
      expect(await memberIdFromCode(t.database.db, b.id, code, madeAt)).toBeNull();
      const bOwner = caller(t, { cookie: await t.login('code-b-owner', 'code-b-owner-2026') });
      expect((await bOwner.raw('POST', '/v1/members/by-code', { code })).statusCode).toBe(404);
    });

    it('finds the member for the cashier and pays a checkout by member_code', async () => {
      const cashier = caller(t, { cookie: await t.login('owner') });
      const found = await cashier.ok<{ member: { id: string }; stored_value_fen: number }>('POST', '/v1/members/by-code', { code });
      expect(found.member.id).toBe(memberId);
      await owner.ok('POST', `/v1/members/${memberId}/stored-value/top-ups`, { amount_fen: 5_000, payment_reference: 'join-test-top-up' });
      const fresh = (await h5('GET', '/h5/members/card/code', header(buyer))).json<{ code: string }>().code;
      const paid = await cashier.ok<{ member_id: string; stored_value: { spent_fen: number }; remainder_due_fen: number }>('POST', '/v1/checkouts', {
        member_code: fresh,
        store_id: t.demo.storeIds[0],
        reference: 'join-test-order-1',
        amount_fen: 3_000,
        stored_value_fen: 3_000,
      });
      expect(paid).toMatchObject({ member_id: memberId, stored_value: { spent_fen: 3_000 }, remainder_due_fen: 0 });

      const both = await cashier.raw('POST', '/v1/checkouts', { member_id: memberId, member_code: fresh, store_id: t.demo.storeIds[0], reference: 'join-test-order-2', amount_fen: 100 });
      expect(both.statusCode).toBe(400);
      const otp = fresh.slice(-6);
      const wrongCode = `${fresh.slice(0, -6)}${String((Number(otp) + 1) % 1_000_000).padStart(6, '0')}`;
      const wrong = await cashier.raw('POST', '/v1/checkouts', { member_code: wrongCode, store_id: t.demo.storeIds[0], reference: 'join-test-order-3', amount_fen: 100 });
      expect(wrong.statusCode).toBe(404);
    });
  });
});

describe('joining elsewhere', () => {
  it('from the merchant entry page with a phone: a new member, phone unverified, never bound to a person', async () => {
    const entry = await h5('GET', `/h5/m/${t.demo.merchantId}`);
    expect(entry.statusCode).toBe(200);
    expect(entry.body).toMatch(/name="phone"[^>]*required/);
    const phone = nextPhone();
    const joined = await h5('POST', `/h5/m/${t.demo.merchantId}/join`, '', { consent_version: 'v1', accept_membership: 'on', accept_marketing: 'on', phone });
    expect(joined.statusCode, joined.body).toBe(303);
    const list = await owner.ok<{ items: { id: string; person_id: string | null; phone: string; join_channel: string; marketing_opt_in: boolean }[] }>('GET', `/v1/members?q=${phone}`);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ person_id: null, phone, join_channel: 'h5', marketing_opt_in: true });
    const consents = await owner.ok<{ items: ConsentJson[] }>('GET', `/v1/members/${list.items[0]!.id}/consents`);
    expect(consents.items[0]).toMatchObject({ channel: 'h5', purposes: ['marketing', 'membership'], evidence: { phone, phone_verified: false }, payment_id: null });
    // The same unproven phone cannot open or make a second card.
    const twice = await h5('POST', `/h5/m/${t.demo.merchantId}/join`, '', { consent_version: 'v1', accept_membership: 'on', phone });
    expect(twice.statusCode).toBe(400);
    expect(twice.cookies.find((c) => c.name === 'mp_member')).toBeUndefined();
  });

  it('a card made by phone binds the payment account when its holder pays in the same browser', async () => {
    const jar = new Map<string, string>();
    const phone = nextPhone();
    const joined = await h5('POST', `/h5/m/${t.demo.merchantId}/join`, '', { consent_version: 'v1', accept_membership: 'on', phone });
    expect(joined.statusCode).toBe(303);
    cookiesFrom(joined, jar);
    const paid = await payAtStoreQr(jar, '5.00');
    const slot = await h5('GET', `/h5/members/after-payment/${paid.paymentId}`, header(jar));
    expect(slot.body).toContain('data-testid="bind-form"');
    expect(slot.body).not.toContain('join-form');
    // The ticket alone (no session) or the session alone (no ticket) binds nothing.
    const ticketOnly = new Map(jar);
    ticketOnly.delete('mp_member');
    expect((await h5('POST', `/h5/members/bind/${paid.paymentId}`, header(ticketOnly))).statusCode).toBe(403);
    const sessionOnly = new Map(jar);
    sessionOnly.delete('mp_payer');
    expect((await h5('POST', `/h5/members/bind/${paid.paymentId}`, header(sessionOnly))).statusCode).toBe(403);
    const bound = await h5('POST', `/h5/members/bind/${paid.paymentId}`, header(jar));
    expect(bound.statusCode).toBe(303);
    const payment = (await getPayment(t, paid.paymentId)) as unknown as { person_id: string };
    const list = await owner.ok<{ items: { person_id: string | null }[] }>('GET', `/v1/members?q=${phone}`);
    expect(list.items).toEqual([expect.objectContaining({ person_id: payment.person_id })]);
    const audit = await owner.ok<{ items: { action: string }[] }>('GET', '/v1/audit-log?action=membership.member.bind_payer');
    expect(audit.items).toHaveLength(1);
  });

  it('staff enrol at the counter: consent captured on the cashier’s device, audited; later changes are new rows', async () => {
    // The cashier's device shows the text it asks the member to accept.
    const text = await owner.ok<{ version: string; membership: string; marketing: string; sha256: string }>('GET', '/v1/membership/consent-text');
    expect(text.version).toBe('v1');
    expect(text.marketing).toContain('不勾选不影响加入会员');
    const created = await owner.ok<{ id: string }>('POST', '/v1/members', { phone: nextPhone(), consent_version: text.version, consent_purposes: ['membership'], marketing_opt_in: false, store_id: t.demo.storeIds[0] });
    const consents = await owner.ok<{ items: ConsentJson[] }>('GET', `/v1/members/${created.id}/consents`);
    expect(consents.items).toHaveLength(1);
    expect(consents.items[0]).toMatchObject({ action: 'grant', channel: 'counter', actor_kind: 'staff', purposes: ['membership'], text_version: 'v1', text_sha256: text.sha256 });
    expect(consents.items[0]!.actor_id).toMatch(/^usr_/);
    await owner.ok('PATCH', `/v1/members/${created.id}`, { marketing_opt_in: true });
    await owner.ok('PATCH', `/v1/members/${created.id}`, { marketing_opt_in: false });
    const after = await owner.ok<{ items: ConsentJson[] }>('GET', `/v1/members/${created.id}/consents`);
    expect(after.items.map((c) => [c.action, c.purposes.join(','), c.channel])).toEqual([
      ['withdraw', 'marketing', 'counter'],
      ['grant', 'marketing', 'counter'],
      ['grant', 'membership', 'counter'],
    ]);
    const audit = await owner.ok<{ items: { action: string; target_id: string }[] }>('GET', `/v1/audit-log?target_id=${created.id}`);
    expect(audit.items.map((a) => a.action)).toContain('membership.member.enrol');
  });
});
