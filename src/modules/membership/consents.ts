// Consent records: every grant and withdrawal is a row of membership_consents (append-only), written
// in the same transaction as the change it records (joining, opting in or out of marketing).
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { authorize, findMerchantById, requireMerchantId, type AccessContext } from '../platform/index.js';
import { consentText, consentTextSha256, type ConsentText } from './consent-texts.js';
import { membershipErrors } from './errors.js';
import { loadProgram } from './program.js';
import { consents, members } from './schema.js';

export type ConsentRow = typeof consents.$inferSelect;
export type ConsentChannel = 'payment' | 'h5' | 'counter' | 'api';

/** The consent text a merchant's program shows now (or the text of an earlier version). */
export async function consentTextOf(db: Db, merchantId: string, version?: string): Promise<ConsentText> {
  const program = await loadProgram(db, merchantId);
  const merchant = await findMerchantById(db, merchantId);
  return consentText(version ?? program.consentVersion, { merchant: merchant?.name ?? '', program: program.name });
}

export interface ConsentRecordInput {
  readonly merchantId: string;
  readonly memberId: string;
  readonly personId: string | null;
  readonly action: 'grant' | 'withdraw';
  readonly purposes: readonly string[];
  readonly textVersion: string;
  readonly channel: ConsentChannel;
  readonly paymentId?: string | null | undefined;
  readonly storeId?: string | null | undefined;
  readonly evidence?: Record<string, unknown> | undefined;
}

export async function recordConsentInTransaction(tx: Db, ctx: AccessContext, input: ConsentRecordInput, now = new Date()): Promise<ConsentRow> {
  const text = await consentTextOf(tx, input.merchantId, input.textVersion);
  const staff = ctx.actor.kind === 'user' || ctx.actor.kind === 'api_key';
  const [row] = await tx
    .insert(consents)
    .values({
      merchantId: input.merchantId,
      id: newId('consent'),
      memberId: input.memberId,
      personId: input.personId,
      action: input.action,
      purposes: [...new Set(input.purposes)].sort(),
      textVersion: text.version,
      textSha256: consentTextSha256(text),
      channel: input.channel,
      paymentId: input.paymentId ?? null,
      storeId: input.storeId ?? null,
      actorKind: staff ? 'staff' : 'member',
      actorId: staff ? ctx.actor.id : null,
      evidence: input.evidence ?? {},
      recordedAt: now,
    })
    .returning();
  return row!;
}

export async function listConsents(db: Db, ctx: AccessContext, memberId: string): Promise<ConsentRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const [member] = await db.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
  if (!member) throw membershipErrors.make('member_not_found');
  return db.select().from(consents).where(and(eq(consents.merchantId, merchantId), eq(consents.memberId, memberId))).orderBy(desc(consents.recordedAt), desc(consents.id));
}
