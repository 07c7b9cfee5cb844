// Dynamic member codes (member-code.ts) against the database: each member's secret is made on
// first use and kept in membership_member_code_keys; a scanned code names the card number, so
// finding the member is one indexed lookup and checking the code one HMAC per accepted step.
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { commonErrors } from '../../kernel/errors.js';
import { authorize, requireMerchantId, type AccessContext } from '../platform/index.js';
import { membershipErrors } from './errors.js';
import { acceptsOneTimeValue, memberCode, parseMemberCode } from './member-code.js';
import { memberCodeKeys, members } from './schema.js';

async function secretOf(db: Db, merchantId: string, memberId: string): Promise<string> {
  await db
    .insert(memberCodeKeys)
    .values({ merchantId, memberId, secret: randomBytes(20).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select({ secret: memberCodeKeys.secret }).from(memberCodeKeys).where(and(eq(memberCodeKeys.merchantId, merchantId), eq(memberCodeKeys.memberId, memberId)));
  return row!.secret;
}

/** The code the member's card shows now, and when a screenshot of it stops working. */
export async function currentMemberCode(db: Db, merchantId: string, member: { id: string; cardNumber: string }, now: Date): Promise<{ code: string; expiresAt: Date }> {
  return memberCode(member.cardNumber, await secretOf(db, merchantId, member.id), merchantId, now);
}

/**
 * The member a scanned dynamic code belongs to at this merchant, or null: unknown card, a code
 * made more than one step ago, a code of another merchant's card, or anything else.
 */
export async function memberIdFromCode(db: Db, merchantId: string, code: string, now: Date = new Date()): Promise<string | null> {
  const parsed = parseMemberCode(code);
  if (!parsed) return null;
  const [row] = await db
    .select({ memberId: members.id, secret: memberCodeKeys.secret })
    .from(members)
    .innerJoin(memberCodeKeys, and(eq(memberCodeKeys.merchantId, members.merchantId), eq(memberCodeKeys.memberId, members.id)))
    .where(and(eq(members.merchantId, merchantId), eq(members.cardNumber, parsed.cardNumber)));
  if (!row) return null;
  return acceptsOneTimeValue(row.secret, merchantId, parsed.otp, now) ? row.memberId : null;
}

/** The member a scanned code names at the caller's merchant; member_not_found when stale, foreign or unknown. */
export async function memberIdByCode(db: Db, ctx: AccessContext, code: string, now = new Date()): Promise<string> {
  authorize(ctx, 'membership.read');
  const memberId = await memberIdFromCode(db, requireMerchantId(ctx), code, now);
  if (!memberId) throw membershipErrors.make('member_not_found', 'the member code is unknown or expired; ask the member to refresh the card');
  return memberId;
}

/** A request names its member by id or by the card's dynamic code: exactly one of them. */
export async function memberIdOf(db: Db, ctx: AccessContext, input: { memberId?: string | undefined; memberCode?: string | undefined }): Promise<string> {
  if ((input.memberId === undefined) === (input.memberCode === undefined)) {
    throw commonErrors.make('validation_failed', 'give exactly one of member_id and member_code', { fields: [{ field: 'body.member_id', message: 'exactly one of member_id and member_code' }] });
  }
  return input.memberId ?? memberIdByCode(db, ctx, input.memberCode!);
}
