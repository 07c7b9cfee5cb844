// The member a person id stands for now. Consumers get person ids from events and tickets written
// before an ID+ merge (a payment.succeeded published with the absorbed person's id, a payer ticket);
// identity keeps resolving the absorbed id to the survivor (followMerges), and membership keeps the
// absorbed member as `merged` with merged_into. Both are followed, so value lands on the surviving
// member — never on a merged one — and a retro accrual is remembered for the person that will join.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { followMerges } from '../identity/index.js';
import type { MemberRow } from './members.js';
import { survivingMemberId } from './merged-members.js';
import { members } from './schema.js';

async function memberByPerson(tx: Db, merchantId: string, personId: string): Promise<MemberRow | undefined> {
  const [row] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.personId, personId)));
  return row;
}

async function memberById(tx: Db, merchantId: string, memberId: string): Promise<MemberRow | undefined> {
  const [row] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
  return row;
}

export interface PersonsMember {
  /** The active person the id stands for now (the id itself when identity does not know better). */
  readonly personId: string;
  /** Its member, following member merges to the survivor; undefined when the person is no member. */
  readonly member: MemberRow | undefined;
}

export async function memberForPerson(tx: Db, merchantId: string, personId: string): Promise<PersonsMember> {
  const current = (await followMerges(tx, merchantId, personId))?.id ?? personId;
  // The current person's member; else the member still holding the old id (absorbed: merged into the survivor's).
  const direct = (await memberByPerson(tx, merchantId, current)) ?? (current !== personId ? await memberByPerson(tx, merchantId, personId) : undefined);
  if (!direct || direct.status !== 'merged') return { personId: current, member: direct };
  return { personId: current, member: await memberById(tx, merchantId, await survivingMemberId(tx, merchantId, direct.id)) };
}

/** The surviving member of a member id (itself unless merged), as a row. */
export async function survivingMember(tx: Db, merchantId: string, memberId: string): Promise<MemberRow | undefined> {
  return memberById(tx, merchantId, await survivingMemberId(tx, merchantId, memberId));
}
