// Members: enrolment (at the counter, from the H5 page, at payment), lookup and consent.
// A member is the merchant's; the person behind it is identity's (ID+), linked by person id.
import { randomInt } from 'node:crypto';
import { and, desc, eq, ilike, isNotNull, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { normaliseIdentifier, resolvePerson, type IdentifierInput } from '../identity/index.js';
import { commonErrors } from '../../kernel/errors.js';
import { appendAudit, authorize, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import { membershipErrors } from './errors.js';
import { loadProgram } from './program.js';
import { survivingMemberId } from './merged-members.js';
import { members, pointsAccounts, storedValueAccounts } from './schema.js';
import { recordConsentInTransaction } from './consents.js';
import { MARKETING_PURPOSE } from './consent-texts.js';
import { assertStore } from './stores.js';
import { reevaluateTier } from './tiers.js';

export type MemberRow = typeof members.$inferSelect;

export const JOIN_CHANNELS = ['counter', 'h5', 'payment'] as const;
export type JoinChannel = (typeof JOIN_CHANNELS)[number];

/** The purpose every member accepts; others (marketing, sharing) are separate. */
export const MEMBERSHIP_PURPOSE = 'membership';

export interface EnrolInput {
  readonly phone?: string | undefined;
  readonly displayName?: string | undefined;
  readonly birthday?: string | undefined;
  readonly identifiers?: readonly IdentifierInput[] | undefined;
  readonly cardNumber?: string | undefined;
  readonly storeId?: string | undefined;
  readonly joinChannel: JoinChannel;
  readonly consentVersion: string;
  readonly consentPurposes: readonly string[];
  readonly marketingOptIn: boolean;
  /** A person the caller already knows — the payer of a payment this browser made — bound as is. */
  readonly personId?: string | undefined;
  /** Typed by the consumer, not proven (no SMS): kept on the member, never used to find a person. */
  readonly phoneUnverified?: boolean | undefined;
  /** The payment the member joined at (支付即会员), for the consent record. */
  readonly paymentId?: string | undefined;
}

export async function findMember(db: Db, merchantId: string, memberId: string): Promise<MemberRow> {
  const [row] = await db.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
  if (!row) throw membershipErrors.make('member_not_found');
  return row;
}

function generatedCardNumber(): string {
  // 16 digits starting with 8: not a bank card prefix, easy to read out at the counter.
  let digits = '8';
  for (let i = 0; i < 15; i++) digits += String(randomInt(10));
  return digits;
}

export async function enrolMember(db: Db, ctx: AccessContext, input: EnrolInput): Promise<{ member: MemberRow; created: boolean }> {
  authorize(ctx, 'membership.members.write');
  const merchantId = requireMerchantId(ctx);
  if (input.storeId) await assertStore(db, ctx, input.storeId);
  const program = await loadProgram(db, merchantId);
  const allowed = input.joinChannel === 'counter' ? program.joinRules.counter : input.joinChannel === 'h5' ? program.joinRules.h5 : program.joinRules.at_payment;
  if (!allowed) throw membershipErrors.make('enrolment_closed', `joining via ${input.joinChannel} is switched off`);
  if (program.joinRules.require_phone && !input.phone) throw membershipErrors.make('phone_required');
  if (!input.consentPurposes.includes(MEMBERSHIP_PURPOSE)) throw membershipErrors.make('consent_required', `consent_purposes must include "${MEMBERSHIP_PURPOSE}"`);

  const identifiers: IdentifierInput[] = [...(input.identifiers ?? [])];
  let phone: string | null = null;
  if (input.phone) {
    const normalised = normaliseIdentifier('phone', input.phone);
    if (!normalised.ok) throw commonErrors.make('validation_failed', normalised.message, { fields: [{ field: 'body.phone', message: normalised.message }] });
    phone = normalised.value;
    if (!input.phoneUnverified) identifiers.push({ kind: 'phone', value: phone });
  }

  return db.transaction(async (tx) => {
    let personId: string | null = input.personId ?? null;
    if (personId) {
      const [existing] = await tx.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), eq(members.personId, personId)));
      if (existing) throw membershipErrors.make('member_already_enrolled', undefined, { member_id: existing.id });
    } else if (identifiers.length) {
      // Staff at the counter are a trusted context: what they enter belongs to the person in front of them.
      const resolved = await resolvePerson(tx, ctx, {
        identifiers,
        create: true,
        context: input.joinChannel === 'payment' ? 'payment' : 'manual',
        source: `membership:${input.joinChannel}`,
        profile: { ...(input.displayName && { displayName: input.displayName }), ...(input.birthday && { birthday: input.birthday }) },
      });
      personId = resolved.personId;
      if (personId) {
        const [existing] = await tx.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), eq(members.personId, personId)));
        if (existing) throw membershipErrors.make('member_already_enrolled', undefined, { member_id: existing.id });
      }
    }
    const now = new Date();
    let member: MemberRow | undefined;
    for (let attempt = 0; attempt < 5 && !member; attempt++) {
      const cardNumber = input.cardNumber ?? generatedCardNumber();
      [member] = await tx
        .insert(members)
        .values({
          merchantId,
          id: newId('member'),
          personId,
          cardNumber,
          phone,
          displayName: input.displayName ?? null,
          birthday: input.birthday ?? null,
          // Identifiers stay on the member only when no person holds them.
          identifiers: personId ? [] : identifiers.map((i) => ({ kind: i.kind, value: i.value })),
          joinChannel: input.joinChannel,
          storeId: input.storeId ?? null,
          joinedAt: now,
          consentVersion: input.consentVersion,
          consentPurposes: [...new Set(input.consentPurposes)],
          marketingOptIn: input.marketingOptIn,
          marketingOptInAt: input.marketingOptIn ? now : null,
        })
        .onConflictDoNothing()
        .returning();
      if (!member) {
        if (personId) {
          const [raced] = await tx.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), eq(members.personId, personId)));
          if (raced) throw membershipErrors.make('member_already_enrolled', undefined, { member_id: raced.id });
        }
        if (input.cardNumber) throw membershipErrors.make('card_number_taken');
      }
    }
    if (!member) throw membershipErrors.make('card_number_taken', 'could not draw a free card number');
    await tx.insert(pointsAccounts).values({ merchantId, memberId: member.id, balance: 0 });
    await tx.insert(storedValueAccounts).values({ merchantId, id: newId('storedValueAccount'), memberId: member.id });
    await appendAudit(tx, ctx, {
      action: 'membership.member.enrol',
      targetType: 'member',
      targetId: member.id,
      after: { join_channel: member.joinChannel, person_id: personId, consent_version: member.consentVersion, consent_purposes: member.consentPurposes, marketing_opt_in: member.marketingOptIn, payment_id: input.paymentId ?? null },
    });
    await recordConsentInTransaction(
      tx,
      ctx,
      {
        merchantId,
        memberId: member.id,
        personId,
        action: 'grant',
        purposes: input.marketingOptIn ? [...member.consentPurposes, MARKETING_PURPOSE] : member.consentPurposes.filter((p) => p !== MARKETING_PURPOSE),
        textVersion: member.consentVersion,
        channel: member.joinChannel === 'payment' ? 'payment' : member.joinChannel === 'h5' ? 'h5' : 'counter',
        paymentId: input.paymentId,
        storeId: member.storeId,
        evidence: phone ? { phone, phone_verified: false } : {},
      },
      now,
    );
    await publishEvent(tx, merchantId, 'member.joined', { member_id: member.id, person_id: personId, join_channel: member.joinChannel, store_id: member.storeId, payment_id: input.paymentId ?? null });
    await reevaluateTier(tx, ctx, merchantId, member.id, now, 'joined');
    return { member: await findMember(tx, merchantId, member.id), created: true };
  });
}

export async function getMember(db: Db, ctx: AccessContext, memberId: string): Promise<MemberRow> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  // A member absorbed by an ID+ merge resolves to the member that absorbed it.
  return findMember(db, merchantId, await survivingMemberId(db, merchantId, memberId));
}

export interface MemberFilter {
  readonly q?: string | undefined;
  readonly personId?: string | undefined;
  readonly tierCode?: string | undefined;
  readonly status?: string | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
}

export async function listMembers(db: Db, ctx: AccessContext, filter: MemberFilter): Promise<MemberRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const conditions: (SQL | undefined)[] = [eq(members.merchantId, merchantId)];
  if (filter.q) {
    const q = filter.q.trim();
    const digits = q.replace(/[\s-]/g, '');
    const phone = normaliseIdentifier('phone', q);
    conditions.push(or(eq(members.id, q), eq(members.cardNumber, digits), eq(members.phone, phone.ok ? phone.value : digits), ilike(members.displayName, `%${q.replace(/[%_\\]/g, '\\$&')}%`)));
  }
  if (filter.personId) conditions.push(eq(members.personId, filter.personId));
  if (filter.tierCode) conditions.push(eq(members.tierCode, filter.tierCode));
  if (filter.status) conditions.push(eq(members.status, filter.status));
  if (filter.after) conditions.push(lt(members.id, filter.after));
  return db
    .select()
    .from(members)
    .where(and(...conditions))
    .orderBy(desc(members.id))
    .limit(filter.limit + 1);
}

export interface MemberPatch {
  readonly displayName?: string | null | undefined;
  readonly birthday?: string | null | undefined;
  readonly marketingOptIn?: boolean | undefined;
  readonly consentVersion?: string | undefined;
  readonly consentPurposes?: readonly string[] | undefined;
  readonly status?: 'active' | 'suspended' | undefined;
}

export async function updateMember(db: Db, ctx: AccessContext, memberId: string, patch: MemberPatch): Promise<MemberRow> {
  authorize(ctx, 'membership.members.write');
  const merchantId = requireMerchantId(ctx);
  if (patch.consentPurposes && !patch.consentPurposes.includes(MEMBERSHIP_PURPOSE)) throw membershipErrors.make('consent_required', `consent_purposes must include "${MEMBERSHIP_PURPOSE}"`);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId))).for('update');
    if (!before) throw membershipErrors.make('member_not_found');
    const now = new Date();
    const set: Partial<typeof members.$inferInsert> = { updatedAt: now };
    if (patch.displayName !== undefined) set.displayName = patch.displayName;
    if (patch.birthday !== undefined) set.birthday = patch.birthday;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.consentVersion !== undefined) set.consentVersion = patch.consentVersion;
    if (patch.consentPurposes !== undefined) set.consentPurposes = [...new Set(patch.consentPurposes)];
    if (patch.marketingOptIn !== undefined && patch.marketingOptIn !== before.marketingOptIn) {
      set.marketingOptIn = patch.marketingOptIn;
      set.marketingOptInAt = patch.marketingOptIn ? now : null;
    }
    await tx.update(members).set(set).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
    await recordConsentChanges(tx, ctx, before, patch, now);
    await appendAudit(tx, ctx, {
      action: 'membership.member.update',
      targetType: 'member',
      targetId: memberId,
      before: { marketing_opt_in: before.marketingOptIn, consent_version: before.consentVersion, consent_purposes: before.consentPurposes, status: before.status },
      after: patch,
    });
    return findMember(tx, merchantId, memberId);
  });
}

/**
 * Staff changing consent (the member asked at the counter, or an integration through the API) is
 * recorded like the member's own changes: a grant or withdrawal row per change, never an edit.
 */
async function recordConsentChanges(tx: Db, ctx: AccessContext, before: MemberRow, patch: MemberPatch, now: Date): Promise<void> {
  const channel = ctx.actor.kind === 'api_key' ? 'api' : 'counter';
  const version = patch.consentVersion ?? before.consentVersion;
  const base = { merchantId: before.merchantId, memberId: before.id, personId: before.personId, textVersion: version, channel } as const;
  if (patch.marketingOptIn !== undefined && patch.marketingOptIn !== before.marketingOptIn) {
    await recordConsentInTransaction(tx, ctx, { ...base, action: patch.marketingOptIn ? 'grant' : 'withdraw', purposes: [MARKETING_PURPOSE] }, now);
  }
  const after = new Set(patch.consentPurposes ?? before.consentPurposes);
  const added = [...after].filter((p) => !before.consentPurposes.includes(p));
  const removed = before.consentPurposes.filter((p) => !after.has(p));
  // A new text version is a new consent to everything it covers; otherwise only what changed.
  const granted = version !== before.consentVersion ? [...after] : added;
  if (granted.length) await recordConsentInTransaction(tx, ctx, { ...base, action: 'grant', purposes: granted }, now);
  if (removed.length) await recordConsentInTransaction(tx, ctx, { ...base, action: 'withdraw', purposes: removed }, now);
}

/** Tier codes members hold now, as their tier or as a manual floor: a ladder may not drop them. */
export async function heldTierCodes(tx: Db, ctx: AccessContext): Promise<Set<string>> {
  const merchantId = requireMerchantId(ctx);
  const held = await tx.selectDistinct({ code: members.tierCode }).from(members).where(and(eq(members.merchantId, merchantId), isNotNull(members.tierCode)));
  const floors = await tx.selectDistinct({ code: members.tierFloorCode }).from(members).where(and(eq(members.merchantId, merchantId), isNotNull(members.tierFloorCode)));
  return new Set([...held, ...floors].map((r) => r.code).filter((c): c is string => c !== null));
}
