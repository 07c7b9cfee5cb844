// The member's own side (H5): joining after a payment (支付即会员) or from the merchant's entry page,
// the member card, marketing opt-in and -out. Who the visitor is comes only from signed cookies —
// the payer ticket the pay page gave the paying browser, or the member session — never from an id
// in the URL. Writes act as the member through a system context named for the H5 pages.
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError, commonErrors } from '../../kernel/errors.js';
import { normaliseIdentifier } from '../identity/index.js';
import { getPaymentSummary, readPayerTicket, type PaymentSummary } from '../payments/index.js';
import { appendAudit, findMerchantById, systemContext, type AccessContext } from '../platform/index.js';
import { consentTextOf, recordConsentInTransaction } from './consents.js';
import { MARKETING_PURPOSE, type ConsentText } from './consent-texts.js';
import { effectiveStatus } from './coupons.js';
import { membershipErrors } from './errors.js';
import { currentMemberCode } from './member-codes.js';
import { memberForPerson } from './member-of-person.js';
import { enrolMember, findMember, MEMBERSHIP_PURPOSE, type MemberRow } from './members.js';
import { getPointsBalance, type PointsSummary } from './points-ledger.js';
import { findTier, loadProgram, type Program } from './program.js';
import { couponTemplates, coupons, members, pointsEntries, storedValueAccounts, storedValueEntries } from './schema.js';

/** The member (or would-be member) acting on their own phone. */
export async function memberContext(db: Db, merchantId: string): Promise<AccessContext> {
  const merchant = await findMerchantById(db, merchantId);
  if (!merchant || merchant.status !== 'active') throw commonErrors.make('not_found', 'merchant not found');
  return { ...systemContext(merchant.operatorId, merchantId, 'member-h5'), actor: { kind: 'system', id: 'member-h5', label: 'member (H5)', role: null, scopes: null } };
}

export interface PayerProof {
  readonly merchantId: string;
  readonly payment: PaymentSummary;
}

/**
 * The succeeded payment this browser made, from its payer ticket; null when there is no ticket,
 * it is stale or forged, names another payment than asked, or the payment did not succeed.
 */
export async function payerProof(db: Db, config: Config, ticketCookie: string | undefined, now: Date, paymentId?: string): Promise<PayerProof | null> {
  const ticket = readPayerTicket(config, ticketCookie, now);
  if (!ticket || (paymentId !== undefined && ticket.paymentId !== paymentId)) return null;
  const payment = await getPaymentSummary(db, ticket.merchantId, ticket.paymentId);
  if (!payment || payment.status !== 'succeeded') return null;
  return { merchantId: ticket.merchantId, payment };
}

/** The member of the person as of now: after an ID+ merge, the surviving member (member-of-person.ts). */
export async function memberOfPerson(db: Db, merchantId: string, personId: string | null): Promise<MemberRow | null> {
  if (!personId) return null;
  return (await memberForPerson(db, merchantId, personId)).member ?? null;
}

export interface JoinOffer {
  readonly program: Program;
  readonly merchantName: string;
  readonly text: ConsentText;
}

export async function joinOffer(db: Db, merchantId: string): Promise<JoinOffer> {
  const program = await loadProgram(db, merchantId);
  const merchant = await findMerchantById(db, merchantId);
  return { program, merchantName: merchant?.name ?? '', text: await consentTextOf(db, merchantId) };
}

export interface JoinForm {
  readonly consentVersion: string;
  readonly acceptMembership: boolean;
  readonly acceptMarketing: boolean;
  readonly phone?: string | undefined;
}

function checkForm(offer: JoinOffer, form: JoinForm): void {
  // The text changed between showing the form and submitting it: the member must see the new one.
  if (form.consentVersion !== offer.text.version) throw membershipErrors.make('consent_required', 'the consent text changed; read it again');
  if (!form.acceptMembership) throw membershipErrors.make('consent_required');
}

/** Joins the payer of a succeeded payment (支付即会员); joining twice answers the same member. */
export async function joinAtPayment(db: Db, proof: PayerProof, form: JoinForm): Promise<MemberRow> {
  const merchantId = proof.merchantId;
  const personId = proof.payment.person_id;
  // Without a person the payer cannot be recognised next time: nothing to bind the card to.
  if (!personId) throw membershipErrors.make('enrolment_closed', 'the payer could not be identified');
  const existing = await memberOfPerson(db, merchantId, personId);
  if (existing) return existing;
  const offer = await joinOffer(db, merchantId);
  checkForm(offer, form);
  return enrolAs(db, merchantId, {
    phone: form.phone,
    phoneUnverified: true,
    personId,
    paymentId: proof.payment.id,
    storeId: proof.payment.store_id,
    joinChannel: 'payment',
    consentVersion: offer.text.version,
    consentPurposes: [MEMBERSHIP_PURPOSE],
    marketingOptIn: form.acceptMarketing,
  });
}

/**
 * Joins from the merchant's entry page. With a payer ticket the card is bound to the payer's person;
 * with only a phone — unproven, no SMS here — the member is new and the phone is a contact detail:
 * it never finds or binds an existing person (ADR 0009).
 */
export async function joinFromEntryPage(db: Db, merchantId: string, proof: PayerProof | null, form: JoinForm): Promise<MemberRow> {
  const personId = proof?.merchantId === merchantId ? proof.payment.person_id : null;
  if (personId) {
    const existing = await memberOfPerson(db, merchantId, personId);
    if (existing) return existing;
  } else {
    if (!form.phone) throw commonErrors.make('validation_failed', 'a phone number is needed to join here', { fields: [{ field: 'body.phone', message: 'required' }] });
    const phone = normaliseIdentifier('phone', form.phone);
    if (!phone.ok) throw commonErrors.make('validation_failed', phone.message, { fields: [{ field: 'body.phone', message: phone.message }] });
    // Whoever holds a card under this phone signs in where it can be proven (a payment, the counter).
    const [holder] = await db.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), eq(members.phone, phone.value))).limit(1);
    if (holder) throw membershipErrors.make('member_already_enrolled', 'this phone already has a card here');
  }
  const offer = await joinOffer(db, merchantId);
  checkForm(offer, form);
  return enrolAs(db, merchantId, {
    phone: form.phone,
    phoneUnverified: true,
    personId: personId ?? undefined,
    storeId: personId ? proof!.payment.store_id : undefined,
    joinChannel: 'h5',
    consentVersion: offer.text.version,
    consentPurposes: [MEMBERSHIP_PURPOSE],
    marketingOptIn: form.acceptMarketing,
  });
}

async function enrolAs(db: Db, merchantId: string, input: Parameters<typeof enrolMember>[2]): Promise<MemberRow> {
  const ctx = await memberContext(db, merchantId);
  try {
    return (await enrolMember(db, ctx, input)).member;
  } catch (error) {
    // A double tap, or two tabs: the second join answers the member the first one made.
    if (error instanceof AppError && error.code === 'member_already_enrolled' && input.personId) {
      const member = await memberOfPerson(db, merchantId, input.personId);
      if (member) return member;
    }
    throw error;
  }
}

/**
 * A member who joined without a payment account (entry page, phone only) pays later in the same
 * browser: the session proves the card, the payer ticket proves the payment account, so the card
 * is bound to the payer's person and future payments earn on it. Never re-binds a card that has a
 * person, and never gives a person a second card.
 */
export async function bindPayerToMember(db: Db, proof: PayerProof, memberId: string, now = new Date()): Promise<MemberRow> {
  const merchantId = proof.merchantId;
  const personId = proof.payment.person_id;
  if (!personId) throw membershipErrors.make('enrolment_closed', 'the payer could not be identified');
  const ctx = await memberContext(db, merchantId);
  return db.transaction(async (tx) => {
    const [member] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId))).for('update');
    if (!member) throw membershipErrors.make('member_not_found');
    if (member.personId === personId) return member;
    if (member.personId) throw membershipErrors.make('member_already_enrolled', 'this card already belongs to a payment account');
    const [holder] = await tx.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), eq(members.personId, personId)));
    if (holder) throw membershipErrors.make('member_already_enrolled', 'this payment account already has a card', { member_id: holder.id });
    await tx.update(members).set({ personId, updatedAt: now }).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
    await appendAudit(tx, ctx, { action: 'membership.member.bind_payer', targetType: 'member', targetId: memberId, before: { person_id: null }, after: { person_id: personId, payment_id: proof.payment.id } });
    return findMember(tx, merchantId, memberId);
  });
}

/** Marketing messages on or off, from the card page: the change and its consent row in one transaction. */
export async function setMarketingOptIn(db: Db, merchantId: string, memberId: string, optIn: boolean, now = new Date()): Promise<MemberRow> {
  const ctx = await memberContext(db, merchantId);
  const text = await consentTextOf(db, merchantId);
  return db.transaction(async (tx) => {
    const [member] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId))).for('update');
    if (!member) throw membershipErrors.make('member_not_found');
    if (member.marketingOptIn === optIn) return member;
    await tx
      .update(members)
      .set({ marketingOptIn: optIn, marketingOptInAt: optIn ? now : null, updatedAt: now })
      .where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
    await recordConsentInTransaction(tx, ctx, { merchantId, memberId, personId: member.personId, action: optIn ? 'grant' : 'withdraw', purposes: [MARKETING_PURPOSE], textVersion: text.version, channel: 'h5' }, now);
    await appendAudit(tx, ctx, { action: 'membership.member.marketing', targetType: 'member', targetId: memberId, before: { marketing_opt_in: member.marketingOptIn }, after: { marketing_opt_in: optIn } });
    return findMember(tx, merchantId, memberId);
  });
}

export interface CardCoupon {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly status: string;
  readonly validUntil: Date;
}

export interface CardHistoryItem {
  readonly kind: 'points' | 'stored_value';
  readonly type: string;
  readonly amount: number;
  readonly at: Date;
}

export interface CardView {
  readonly program: Program;
  readonly merchantName: string;
  readonly member: MemberRow;
  readonly tierName: string | null;
  readonly points: PointsSummary;
  readonly storedValueFen: number;
  readonly coupons: { usable: CardCoupon[]; used: CardCoupon[]; expired: CardCoupon[] };
  readonly history: CardHistoryItem[];
  readonly code: { code: string; expiresAt: Date };
}

export async function cardView(db: Db, merchantId: string, memberId: string, now: Date): Promise<CardView> {
  const ctx = await memberContext(db, merchantId);
  const member = await findMember(db, merchantId, memberId);
  const [program, merchant, tier, points, account] = await Promise.all([
    loadProgram(db, merchantId),
    findMerchantById(db, merchantId),
    member.tierCode ? findTier(db, merchantId, member.tierCode) : Promise.resolve(undefined),
    getPointsBalance(db, ctx, memberId, now),
    db.select().from(storedValueAccounts).where(and(eq(storedValueAccounts.merchantId, merchantId), eq(storedValueAccounts.memberId, memberId))),
  ]);
  const held = await db
    .select({ coupon: coupons, name: couponTemplates.name })
    .from(coupons)
    .innerJoin(couponTemplates, and(eq(couponTemplates.merchantId, coupons.merchantId), eq(couponTemplates.id, coupons.templateId)))
    .where(and(eq(coupons.merchantId, merchantId), eq(coupons.memberId, memberId)))
    .orderBy(desc(coupons.id))
    .limit(100);
  const grouped: CardView['coupons'] = { usable: [], used: [], expired: [] };
  for (const { coupon, name } of held) {
    const status = effectiveStatus(coupon, now);
    const view = { id: coupon.id, name, code: coupon.code, status, validUntil: coupon.validUntil };
    if (status === 'issued' || status === 'locked') grouped.usable.push(view);
    else if (status === 'redeemed') grouped.used.push(view);
    else grouped.expired.push(view);
  }
  const [pointRows, valueRows] = await Promise.all([
    db.select().from(pointsEntries).where(and(eq(pointsEntries.merchantId, merchantId), eq(pointsEntries.memberId, memberId))).orderBy(desc(pointsEntries.id)).limit(20),
    db.select().from(storedValueEntries).where(and(eq(storedValueEntries.merchantId, merchantId), eq(storedValueEntries.memberId, memberId))).orderBy(desc(storedValueEntries.id)).limit(20),
  ]);
  const history: CardHistoryItem[] = [
    ...pointRows.map((e) => ({ kind: 'points' as const, type: e.type, amount: e.delta, at: e.occurredAt })),
    ...valueRows.map((e) => ({ kind: 'stored_value' as const, type: e.type, amount: e.principalDelta + e.bonusDelta, at: e.occurredAt })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, 20);
  const card = account[0];
  return {
    program,
    merchantName: merchant?.name ?? '',
    member,
    tierName: tier?.name ?? null,
    points,
    storedValueFen: card ? card.principalFen + card.bonusFen : 0,
    coupons: grouped,
    history,
    code: await currentMemberCode(db, merchantId, member, now),
  };
}

export async function pointsOf(db: Db, merchantId: string, memberId: string, now: Date): Promise<PointsSummary> {
  return getPointsBalance(db, await memberContext(db, merchantId), memberId, now);
}

export async function tierNameOf(db: Db, merchantId: string, tierCode: string | null): Promise<string | null> {
  return tierCode ? ((await findTier(db, merchantId, tierCode))?.name ?? null) : null;
}

/** Which members of these ids exist at the merchant (for the session: a deleted or merged member logs out). */
export async function activeMemberIds(db: Db, merchantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), inArray(members.id, [...ids]), eq(members.status, 'active')));
  return new Set(rows.map((r) => r.id));
}
