// Member directory for the console and the counter: one search box that takes any identifier the
// merchant may hold — card number, phone, member id, name, or a channel identifier (openid, Alipay
// user id, partner id…) that identity (ID+) resolves to a person — plus filters by tier, status,
// store and joining date.
import { and, desc, eq, gte, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { IDENTIFIER_KINDS, normaliseIdentifier, searchPersons } from '../identity/index.js';
import { authorize, requireMerchantId, type AccessContext } from '../platform/index.js';
import { members } from './schema.js';
import type { MemberRow } from './members.js';

export interface MemberSearch {
  readonly q?: string | undefined;
  readonly tierCode?: string | undefined;
  readonly status?: string | undefined;
  readonly storeId?: string | undefined;
  readonly joinedFrom?: Date | undefined;
  readonly joinedTo?: Date | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
}

/** Person ids that hold `value` as any identifier kind it is valid for (ID+ follows merges). */
async function personsHolding(db: Db, ctx: AccessContext, value: string): Promise<string[]> {
  const found = new Set<string>();
  for (const kind of IDENTIFIER_KINDS) {
    if (!normaliseIdentifier(kind, value).ok) continue;
    try {
      const page = await searchPersons(db, ctx, { identifierKind: kind, identifierValue: value, limit: 20 });
      for (const item of page.items) found.add(item.person.id);
    } catch {
      // A caller without identity access (an API key with membership scopes only), or a value this
      // kind's normaliser accepts but its index refuses: the member's own columns still match.
    }
  }
  return [...found];
}

export async function searchMembers(db: Db, ctx: AccessContext, search: MemberSearch): Promise<MemberRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const conditions: (SQL | undefined)[] = [eq(members.merchantId, merchantId)];
  const q = search.q?.trim();
  if (q) {
    const digits = q.replace(/[\s-]/g, '');
    const phone = normaliseIdentifier('phone', q);
    const personIds = await personsHolding(db, ctx, q);
    conditions.push(
      or(
        eq(members.id, q),
        eq(members.cardNumber, digits),
        eq(members.phone, phone.ok ? phone.value : digits),
        ilike(members.displayName, `%${q.replace(/[%_\\]/g, '\\$&')}%`),
        // Identifiers identity could not resolve stay on the member.
        sql`${members.identifiers} @> ${JSON.stringify([{ value: q }])}::jsonb`,
        personIds.length ? inArray(members.personId, personIds) : undefined,
      ),
    );
  }
  if (search.tierCode) conditions.push(search.tierCode === '-' ? sql`${members.tierCode} is null` : eq(members.tierCode, search.tierCode));
  if (search.status) conditions.push(eq(members.status, search.status));
  if (search.storeId) conditions.push(eq(members.storeId, search.storeId));
  if (search.joinedFrom) conditions.push(gte(members.joinedAt, search.joinedFrom));
  if (search.joinedTo) conditions.push(lt(members.joinedAt, search.joinedTo));
  if (search.after) conditions.push(lt(members.id, search.after));
  return db
    .select()
    .from(members)
    .where(and(...conditions))
    .orderBy(desc(members.id))
    .limit(search.limit + 1);
}
