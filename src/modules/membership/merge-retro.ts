// Payments of a person who was not a member yet wait in membership_retro_accruals for a retro earn
// (payment-events.ts). When ID+ merges that person into another, its waiting payments become the
// survivor's (the merge handler re-points them and records which); the `membership.merge-retro`
// subscriber then lets the survivor's member claim them under the usual retro-earn rules — at once
// if it is a member already, else when it joins. Claiming is once per payment (the earn reference),
// so a replayed event earns nothing twice. An unmerge moves back what was not earned meanwhile.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { subscribeToEvents } from '../platform/index.js';
import { memberForPerson } from './member-of-person.js';
import { claimRetroAccruals } from './payment-events.js';
import { retroAccruals } from './schema.js';

export async function moveRetroAccruals(tx: Db, merchantId: string, fromPersonId: string, toPersonId: string): Promise<string[]> {
  const moved = await tx
    .update(retroAccruals)
    .set({ personId: toPersonId })
    .where(and(eq(retroAccruals.merchantId, merchantId), eq(retroAccruals.personId, fromPersonId), isNull(retroAccruals.claimedByMemberId)))
    .returning({ paymentId: retroAccruals.paymentId });
  return moved.map((r) => r.paymentId).sort();
}

export async function moveRetroAccrualsBack(tx: Db, merchantId: string, paymentIds: readonly string[], fromPersonId: string, toPersonId: string): Promise<void> {
  await tx
    .update(retroAccruals)
    .set({ personId: toPersonId })
    .where(and(eq(retroAccruals.merchantId, merchantId), inArray(retroAccruals.paymentId, [...paymentIds]), eq(retroAccruals.personId, fromPersonId), isNull(retroAccruals.claimedByMemberId)));
}

let registered = false;

export function registerMergeRetroSubscriber(): void {
  if (registered) return;
  registered = true;
  subscribeToEvents({
    name: 'membership.merge-retro',
    types: ['identity.persons.merged'],
    handle: async (tx, event) => {
      const survivorId = (event.payload as { survivor_id?: string }).survivor_id;
      if (!survivorId) return;
      const { member } = await memberForPerson(tx, event.merchantId, survivorId);
      if (member?.status === 'active') await claimRetroAccruals(tx, event.merchantId, member.id);
    },
  });
}
