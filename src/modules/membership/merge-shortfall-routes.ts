// /v1 routes for the shortfalls an ID+ unmerge left (merge-shortfalls.ts): list them for the
// merchant, a member or a merge, and settle or write off one (owners and admins, with a reason).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, iso, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { getShortfall, listShortfalls, settleShortfall, writeOffShortfall, type ShortfallRow } from './merge-shortfalls.js';

const tags = ['membership'];
const Kind = Type.Union([Type.Literal('points'), Type.Literal('stored_value_principal'), Type.Literal('stored_value_bonus'), Type.Literal('coupon')]);
const Status = Type.Union([Type.Literal('open'), Type.Literal('settled'), Type.Literal('written_off')]);

export const ShortfallView = Type.Object({
  id: Type.String(),
  merge_id: Type.String({ description: 'the ID+ merge (mrg_…) whose unmerge left it' }),
  kind: Kind,
  item_id: Nullable(Type.String({ description: 'the points lot (mpl_…) or the coupon (cpn_…) it concerns; null for stored value' })),
  amount: Type.Integer({ description: 'points, fen, or 1 coupon' }),
  owed_to_member_id: Type.String({ description: 'the absorbed member, which lost the value' }),
  owed_by_member_id: Type.String({ description: 'the surviving member, which used it while merged' }),
  status: Status,
  created_at: Timestamp,
  resolved_at: Nullable(Timestamp),
  resolved_by: Nullable(Type.String()),
  resolution_reason: Nullable(Type.String()),
  resolution_reference: Nullable(Type.String({ description: 'settled: the points operation (mop_…), the stored-value entry (sve_…) or the replacement coupon (cpn_…)' })),
});

export const shortfallView = (r: ShortfallRow) => ({
  id: r.id,
  merge_id: r.mergeId,
  kind: r.kind as 'points' | 'stored_value_principal' | 'stored_value_bonus' | 'coupon',
  item_id: r.itemId === '' ? null : r.itemId,
  amount: r.amount,
  owed_to_member_id: r.owedToMemberId,
  owed_by_member_id: r.owedByMemberId,
  status: r.status as 'open' | 'settled' | 'written_off',
  created_at: r.createdAt.toISOString(),
  resolved_at: iso(r.resolvedAt),
  resolved_by: r.resolvedBy,
  resolution_reason: r.resolutionReason,
  resolution_reference: r.resolutionReference,
});

const ListQuery = {
  status: Type.Optional(Type.Union([Status, Type.Literal('all')], { default: 'open', description: 'open (default), settled, written_off or all' })),
  ...PageQuery,
};
const ShortfallParams = StrictObject({ shortfallId: Type.String({ pattern: '^msf_[0-9a-z]{26}$', description: 'msf_… id' }) });
const MemberParams = StrictObject({ memberId: Type.String({ pattern: '^mem_[0-9a-z]{26}$', description: 'mem_… id' }) });
const ReasonBody = StrictObject({ reason: Type.String({ minLength: 1, maxLength: 500 }) });

export async function mergeShortfallRoutes(instance: FastifyInstance, { db }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/membership/merge-shortfalls',
    {
      schema: {
        tags,
        summary: 'What ID+ unmerges could not give back (used while merged), newest first; open ones unless asked',
        querystring: Type.Object({ merge_id: Type.Optional(Type.String({ pattern: '^mrg_[0-9a-z]{26}$' })), ...ListQuery }),
        response: { 200: Page(ShortfallView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listShortfalls(db, accessOf(request), { mergeId: q.merge_id, status: q.status, after: q.after, limit: q.limit });
      return { items: page.items.map(shortfallView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/members/:memberId/merge-shortfalls',
    {
      schema: {
        tags,
        summary: 'Shortfalls owed to this member or by it, newest first; open ones unless asked',
        params: MemberParams,
        querystring: Type.Object(ListQuery),
        response: { 200: Page(ShortfallView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listShortfalls(db, accessOf(request), { memberId: request.params.memberId, status: q.status, after: q.after, limit: q.limit });
      return { items: page.items.map(shortfallView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/membership/merge-shortfalls/:shortfallId',
    { schema: { tags, summary: 'One merge shortfall', params: ShortfallParams, response: { 200: ShortfallView, ...errors() } } },
    async (request) => shortfallView(await getShortfall(db, accessOf(request), request.params.shortfallId)),
  );

  app.post(
    '/membership/merge-shortfalls/:shortfallId/settle',
    {
      schema: {
        tags,
        summary: 'Settle a shortfall: the owing member gives the value back (merge_settlement ledger entries on both sides; a used coupon is replaced)',
        description: 'Owners and admins only, once. Refused while the owing member does not hold enough (409 insufficient_points / insufficient_stored_value), when it was settled or written off already (409 merge_shortfall_resolved), and when both members are one again (409 merge_shortfall_same_member).',
        params: ShortfallParams,
        body: ReasonBody,
        response: { 200: ShortfallView, ...errors(409) },
      },
    },
    async (request) => shortfallView(await settleShortfall(db, accessOf(request), request.params.shortfallId, { reason: request.body.reason })),
  );

  app.post(
    '/membership/merge-shortfalls/:shortfallId/write-off',
    {
      schema: {
        tags,
        summary: 'Write a shortfall off with a reason: nothing moves (the loss is accepted, or it was made good elsewhere)',
        params: ShortfallParams,
        body: ReasonBody,
        response: { 200: ShortfallView, ...errors(409) },
      },
    },
    async (request) => shortfallView(await writeOffShortfall(db, accessOf(request), request.params.shortfallId, { reason: request.body.reason })),
  );
}
