// Members an ID+ merge absorbed into a member (directly or through a chain of merges). Their
// append-only ledgers stay theirs; what they earned counts for the surviving member's tier while
// the merge stands, and stops counting when it is undone.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { pointsLots } from './schema.js';

/** The member and every member merged into it, transitively. */
export async function metricMemberIds(tx: Db, merchantId: string, memberId: string): Promise<string[]> {
  const rows = await tx.execute<{ id: string }>(sql`
    with recursive chain(id) as (
      select ${memberId}::text
      union
      select m.id from membership_members m join chain c on m.merged_into = c.id
      where m.merchant_id = ${merchantId} and m.status = 'merged'
    )
    select id from chain`);
  const list = Array.isArray(rows) ? (rows as { id: string }[]) : (rows as { rows: { id: string }[] }).rows;
  return list.map((r) => r.id);
}

/** The member an id stands for now: itself, or the member it was merged into (followed to the end). */
export async function survivingMemberId(tx: Db, merchantId: string, memberId: string): Promise<string> {
  let id = memberId;
  for (let hops = 0; hops < 1000; hops++) {
    const rows = await tx.execute<{ merged_into: string | null }>(
      sql`select merged_into from membership_members where merchant_id = ${merchantId} and id = ${id} and status = 'merged'`,
    );
    const list = Array.isArray(rows) ? (rows as { merged_into: string | null }[]) : (rows as { rows: { merged_into: string | null }[] }).rows;
    const next = list[0]?.merged_into;
    if (!next) return id;
    id = next;
  }
  return id;
}

/** The member holding the points a purchase earned (its lot moves whole in a merge: after one, the survivor). */
export async function earnerOf(tx: Db, merchantId: string, reference: string): Promise<string | undefined> {
  const [lot] = await tx
    .select({ memberId: pointsLots.memberId })
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.sourceRef, reference), eq(pointsLots.source, 'purchase')));
  return lot?.memberId;
}
