// /v1 routes around the member's own side: the cashier's lookup of a scanned dynamic member code,
// and the consent record of a member (for staff and audits).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, Nullable, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { consentTextOf, listConsents } from './consents.js';
import { consentTextSha256 } from './consent-texts.js';
import { authorize, requireMerchantId } from '../platform/index.js';
import { membershipModuleRoutes } from './extra-routes.js';
import { mergeShortfallRoutes } from './merge-shortfall-routes.js';
import { memberIdByCode } from './member-codes.js';
import { getMember } from './members.js';
import { getPointsBalance } from './points-ledger.js';
import { MemberView, memberView } from './routes.js';
import { getStoredValue } from './stored-value.js';

const tags = ['membership'];
export const MemberCode = Type.String({ pattern: '^\\s*[0-9]{12,26}\\s*$', description: 'the dynamic code on the member card (card number + 6 digits, valid 30–60 s)' });

export async function memberCodeRoutes(instance: FastifyInstance, { db }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/members/by-code',
    {
      schema: {
        tags,
        summary: 'Look up the member behind a scanned dynamic member code (cashier)',
        description: 'POST keeps the code out of URLs and logs. A code is accepted in its 30-second step and the next only, and only at the merchant whose card made it.',
        body: StrictObject({ code: MemberCode }),
        response: {
          200: Type.Object({
            member: MemberView,
            points: Type.Object({ available: Type.Integer(), pending: Type.Integer() }),
            stored_value_fen: Type.Integer(),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const ctx = accessOf(request);
      const member = await getMember(db, ctx, await memberIdByCode(db, ctx, request.body.code));
      const [points, card] = await Promise.all([getPointsBalance(db, ctx, member.id), getStoredValue(db, ctx, member.id)]);
      return { member: memberView(member), points: { available: points.available, pending: points.pending }, stored_value_fen: card.principalFen + card.bonusFen };
    },
  );

  app.get(
    '/membership/consent-text',
    {
      schema: {
        tags,
        summary: 'The consent text to show before enrolling (the cashier’s device, the H5 pages)',
        description: 'Membership is required to join; marketing messages are a separate opt-in, never pre-ticked. Enrol with this `version`; the consent record stores its SHA-256.',
        querystring: Type.Object({ version: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'default: the program’s current version' })) }),
        response: { 200: Type.Object({ version: Type.String(), membership: Type.String(), marketing: Type.String(), sha256: Type.String() }), ...errors() },
      },
    },
    async (request) => {
      const ctx = accessOf(request);
      authorize(ctx, 'membership.read');
      const text = await consentTextOf(db, requireMerchantId(ctx), request.query.version);
      return { ...text, sha256: consentTextSha256(text) };
    },
  );

  app.get(
    '/members/:memberId/consents',
    {
      schema: {
        tags,
        summary: 'A member’s consent record: every grant and withdrawal, newest first (append-only)',
        params: StrictObject({ memberId: Type.String({ pattern: '^mem_[0-9a-z]{26}$' }) }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                action: Type.Union([Type.Literal('grant'), Type.Literal('withdraw')]),
                purposes: Type.Array(Type.String()),
                text_version: Type.String(),
                text_sha256: Type.String(),
                channel: Type.String(),
                payment_id: Nullable(Type.String()),
                store_id: Nullable(Type.String()),
                actor_kind: Type.String(),
                actor_id: Nullable(Type.String()),
                evidence: Type.Object({}, { additionalProperties: true }),
                recorded_at: Timestamp,
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const rows = await listConsents(db, accessOf(request), request.params.memberId);
      return {
        items: rows.map((r) => ({
          id: r.id,
          action: r.action as 'grant' | 'withdraw',
          purposes: r.purposes,
          text_version: r.textVersion,
          text_sha256: r.textSha256,
          channel: r.channel,
          payment_id: r.paymentId,
          store_id: r.storeId,
          actor_kind: r.actorKind,
          actor_id: r.actorId,
          evidence: r.evidence,
          recorded_at: r.recordedAt.toISOString(),
        })),
      };
    },
  );
}

/** Every /v1 route of the module: the core and extra routes, then these. */
export async function membershipAllRoutes(instance: FastifyInstance, deps: ModuleDeps): Promise<void> {
  await membershipModuleRoutes(instance, deps);
  await memberCodeRoutes(instance, deps);
  await mergeShortfallRoutes(instance, deps); // what unmerges could not give back (merge-shortfall-routes.ts)
}
