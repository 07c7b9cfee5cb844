import { Type, type TString } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { IDENTIFIER_KINDS } from './identifier-kinds.js';
import * as mergeService from './merge.js';
import type { MatchProfile } from './match-features.js';
import * as personService from './persons.js';
import * as reviewQueue from './review-queue.js';
import { RESOLVE_CONTEXTS, resolve, type ResolveResult } from './resolve.js';
import * as suggestionService from './suggestions.js';

const tags = ['identity'];

function idParams<K extends string>(params: Record<K, string>) {
  const properties = {} as Record<K, TString>;
  for (const [name, prefix] of Object.entries(params) as [K, string][]) {
    properties[name] = Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` });
  }
  return StrictObject(properties);
}

const IdentifierKind = Type.Union(IDENTIFIER_KINDS.map((k) => Type.Literal(k)));
const IdentifierBody = StrictObject({
  kind: IdentifierKind,
  value: Type.String({ minLength: 1, maxLength: 300, description: 'as received; normalised by the server (phones, emails, card numbers)' }),
  verified: Type.Optional(Type.Boolean({ description: 'possession proven (an SMS code for a phone)' })),
  app_id: Type.Optional(Type.String({ maxLength: 64, description: 'the app that issued a wechat_openid / alipay_open_id, unless the value is already appid:id' })),
  partner: Type.Optional(Type.String({ maxLength: 64, description: 'the partner of an external_id, unless the value is already partner:id' })),
});
const ProfileBody = StrictObject({
  display_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  birthday: Type.Optional(Nullable(Type.String({ pattern: '^(\\d{4}|-)-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, or --MM-DD without a year' }))),
  address: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 300 }))),
});
const Reason = Type.String({ minLength: 1, maxLength: 500 });

const IdentifierView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  value: Type.String(),
  verified: Type.Boolean(),
  strength: Type.String(),
  source: Type.String(),
  first_seen_at: Timestamp,
  last_seen_at: Timestamp,
});
const HistoryView = Type.Object({
  id: Type.String(),
  event: Type.String(),
  detail: Type.Unknown(),
  merge_id: Nullable(Type.String()),
  context: Nullable(Type.String()),
  actor_kind: Type.String(),
  actor_id: Type.String(),
  reason: Nullable(Type.String()),
  occurred_at: Timestamp,
});
const MergeView = Type.Object({
  id: Type.String(),
  survivor_id: Type.String(),
  absorbed_id: Type.String(),
  kind: Type.String(),
  reason: Type.String(),
  moved_identifiers: Type.Unknown(),
  filled_attributes: Type.Unknown(),
  decision: Type.Unknown(),
  modules: Type.Array(Type.String()),
  /** What each module moved, counted per kind (payments: 3, points: 1200): listed before an unmerge. */
  moves: Type.Array(Type.Object({ module: Type.String(), counts: Type.Record(Type.String(), Type.Integer()) })),
  actor_kind: Type.String(),
  actor_id: Type.String(),
  created_at: Timestamp,
  unmerged_at: Nullable(Timestamp),
  unmerged_by: Nullable(Type.String()),
  unmerge_reason: Nullable(Type.String()),
});
const personFields = {
  id: Type.String(),
  status: Type.String(),
  merged_into: Nullable(Type.String()),
  display_name: Nullable(Type.String()),
  birthday: Nullable(Type.String()),
  address: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  identifiers: Type.Array(IdentifierView),
};
const PersonSummaryView = Type.Object(personFields);
const PersonView = Type.Object({
  ...personFields,
  requested_id: Type.String({ description: 'the id asked for; differs from id when it was merged into this person' }),
  sources: Type.Array(Type.String()),
  history: Type.Array(HistoryView),
  merges: Type.Array(MergeView),
});
const ResolveView = Type.Object({
  person_id: Nullable(Type.String()),
  outcome: Type.String({ description: 'found | created | merged | ambiguous | not_found' }),
  created: Type.Boolean(),
  matched_identifier_ids: Type.Array(Type.String()),
  linked_identifier_ids: Type.Array(Type.String()),
  unlinked: Type.Array(Type.Object({ kind: Type.String(), value: Type.String() })),
  merges: Type.Array(Type.Object({ merge_id: Type.String(), survivor_id: Type.String(), absorbed_id: Type.String() })),
  review_item_ids: Type.Array(Type.String()),
  decisions: Type.Array(Type.Object({ person_ids: Type.Array(Type.String()), outcome: Type.String(), reasons: Type.Array(Type.String()) })),
});
const ReviewItemView = Type.Object({
  id: Type.String(),
  status: Type.String(),
  first_person_id: Type.String(),
  second_person_id: Type.String(),
  context: Type.String(),
  source: Type.String(),
  decision: Type.Unknown(),
  created_at: Timestamp,
  resolved_at: Nullable(Timestamp),
  resolved_by: Nullable(Type.String()),
  resolution: Nullable(Type.String()),
  merge_id: Nullable(Type.String()),
});
const MatchProfileView = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  birthday: Nullable(Type.String()),
  address: Nullable(Type.String()),
  phones: Type.Array(Type.String()),
});
const SuggestionView = Type.Object({
  id: Type.String(),
  status: Type.String(),
  score: Type.Number({ description: 'probability that the two persons are one customer (0..1)' }),
  explanation: Type.Unknown(),
  first_person: MatchProfileView,
  second_person: MatchProfileView,
  created_at: Timestamp,
  updated_at: Timestamp,
  decided_at: Nullable(Timestamp),
  reason: Nullable(Type.String()),
  merge_id: Nullable(Type.String()),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const identifierView = (i: personService.IdentifierRow) => ({
  id: i.id,
  kind: i.kind,
  value: i.value,
  verified: i.verified,
  strength: i.strength,
  source: i.source,
  first_seen_at: i.firstSeenAt.toISOString(),
  last_seen_at: i.lastSeenAt.toISOString(),
});
const historyView = (h: personService.HistoryRow) => ({
  id: h.id,
  event: h.event,
  detail: h.detail,
  merge_id: h.mergeId,
  context: h.context,
  actor_kind: h.actorKind,
  actor_id: h.actorId,
  reason: h.reason,
  occurred_at: h.occurredAt.toISOString(),
});
const mergeView = (m: personService.MergeRow & { modules?: string[]; moves?: { module: string; counts: Record<string, number> }[] }) => ({
  id: m.id,
  survivor_id: m.survivorId,
  absorbed_id: m.absorbedId,
  kind: m.kind,
  reason: m.reason,
  moved_identifiers: m.movedIdentifiers,
  filled_attributes: m.filledAttributes,
  decision: m.decision,
  modules: m.modules ?? [],
  moves: m.moves ?? [],
  actor_kind: m.actorKind,
  actor_id: m.actorId,
  created_at: m.createdAt.toISOString(),
  unmerged_at: iso(m.unmergedAt),
  unmerged_by: m.unmergedBy,
  unmerge_reason: m.unmergeReason,
});
const summaryView = (p: personService.PersonRow, ids: personService.IdentifierRow[]) => ({
  id: p.id,
  status: p.status,
  merged_into: p.mergedInto,
  display_name: p.displayName,
  birthday: p.birthday,
  address: p.address,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
  identifiers: ids.map(identifierView),
});
const personView = (d: personService.PersonDetail) => ({
  ...summaryView(d.person, d.identifiers),
  requested_id: d.requestedId,
  sources: [...new Set(d.identifiers.map((i) => i.source))],
  history: d.history.map(historyView),
  merges: d.merges.map((m) => mergeView(m)),
});
const resolveView = (r: ResolveResult) => ({
  person_id: r.personId,
  outcome: r.outcome,
  created: r.created,
  matched_identifier_ids: r.matchedIdentifierIds,
  linked_identifier_ids: r.linkedIdentifierIds,
  unlinked: r.unlinked,
  merges: r.merges.map((m) => ({ merge_id: m.mergeId, survivor_id: m.survivorId, absorbed_id: m.absorbedId })),
  review_item_ids: r.reviewItemIds,
  decisions: r.decisions.map((d) => ({ person_ids: d.personIds, outcome: d.outcome, reasons: [...d.reasons] })),
});
const reviewItemView = (i: reviewQueue.ReviewItemRow) => ({
  id: i.id,
  status: i.status,
  first_person_id: i.firstPersonId,
  second_person_id: i.secondPersonId,
  context: i.context,
  source: i.source,
  decision: i.decision,
  created_at: i.createdAt.toISOString(),
  resolved_at: iso(i.resolvedAt),
  resolved_by: i.resolvedBy,
  resolution: i.resolution,
  merge_id: i.mergeId,
});
const matchProfileView = (p: MatchProfile) => ({ id: p.id, name: p.name ?? null, birthday: p.birthday ?? null, address: p.address ?? null, phones: [...p.phones] });
const suggestionView = (v: suggestionService.SuggestionView) => ({
  id: v.suggestion.id,
  status: v.suggestion.status,
  score: v.suggestion.score,
  explanation: v.suggestion.explanation,
  first_person: matchProfileView(v.first),
  second_person: matchProfileView(v.second),
  created_at: v.suggestion.createdAt.toISOString(),
  updated_at: v.suggestion.updatedAt.toISOString(),
  decided_at: iso(v.suggestion.decidedAt),
  reason: v.suggestion.reason,
  merge_id: v.suggestion.mergeId,
});
const identifierInput = (b: { kind: string; value: string; verified?: boolean; app_id?: string; partner?: string }): personService.IdentifierInput => ({
  kind: b.kind,
  value: b.value,
  verified: b.verified,
  appId: b.app_id,
  partner: b.partner,
});
const profileInput = (b: { display_name?: string | null; birthday?: string | null; address?: string | null }): personService.ProfileInput => ({
  displayName: b.display_name,
  birthday: b.birthday,
  address: b.address,
});

export async function identityRoutes(instance: FastifyInstance, { db }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/identity/resolve',
    {
      schema: {
        tags,
        summary: 'Resolve identifiers to a person (ID+): find, create, link, merge on strong proof',
        body: StrictObject({
          identifiers: Type.Array(IdentifierBody, { minItems: 1, maxItems: 20 }),
          create: Type.Boolean({ default: false, description: 'create a person when no identifier is known' }),
          context: Type.Union(RESOLVE_CONTEXTS.map((c) => Type.Literal(c)), { description: 'payment, verified_binding and manual are trusted: identifiers seen together are linked' }),
          source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          profile: Type.Optional(ProfileBody),
        }),
        response: { 200: ResolveView, ...errors(409, 503) },
      },
    },
    async (request) => {
      const body = request.body;
      return resolveView(
        await resolve(db, accessOf(request), {
          identifiers: body.identifiers.map(identifierInput),
          create: body.create,
          context: body.context,
          source: body.source,
          profile: body.profile ? profileInput(body.profile) : undefined,
        }),
      );
    },
  );

  app.get(
    '/identity/persons',
    {
      schema: {
        tags,
        summary: 'Search persons by identifier, or list active persons',
        querystring: StrictObject({ identifier_kind: Type.Optional(IdentifierKind), identifier_value: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })), app_id: Type.Optional(Type.String({ maxLength: 64 })), ...PageQuery }),
        response: { 200: Page(PersonSummaryView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await personService.searchPersons(db, accessOf(request), { identifierKind: q.identifier_kind, identifierValue: q.identifier_value, appId: q.app_id, after: q.after, limit: q.limit });
      return { items: page.items.map((s) => summaryView(s.person, s.identifiers)), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/identity/persons/:personId',
    {
      schema: {
        tags,
        summary: 'A person with identifiers, sources, history and merges; an absorbed id answers with its survivor',
        params: idParams({ personId: 'per' }),
        querystring: StrictObject({ follow: Type.Boolean({ default: true, description: 'false: show the absorbed record itself' }) }),
        response: { 200: PersonView, ...errors() },
      },
    },
    async (request) => personView(await personService.getPerson(db, accessOf(request), request.params.personId, { follow: request.query.follow })),
  );

  app.patch(
    '/identity/persons/:personId',
    { schema: { tags, summary: 'Set the profile attributes duplicate suggestions compare', params: idParams({ personId: 'per' }), body: ProfileBody, response: { 200: PersonView, ...errors(409) } } },
    async (request) => personView(await personService.updateProfile(db, accessOf(request), request.params.personId, profileInput(request.body))),
  );

  app.get(
    '/identity/persons/:personId/history',
    { schema: { tags, summary: 'History of a person (links, unlinks, merges, unmerges), newest first', params: idParams({ personId: 'per' }), querystring: StrictObject(PageQuery), response: { 200: Page(HistoryView), ...errors() } } },
    async (request) => {
      const page = await personService.listHistory(db, accessOf(request), request.params.personId, request.query.after, request.query.limit);
      return { items: page.items.map(historyView), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/identity/persons/:personId/identifiers',
    { schema: { tags, summary: 'Link an identifier to a person (201 new, 200 already linked)', params: idParams({ personId: 'per' }), body: IdentifierBody, response: { 200: IdentifierView, 201: IdentifierView, ...errors(409) } } },
    async (request, reply) => {
      const result = await personService.linkIdentifier(db, accessOf(request), request.params.personId, identifierInput(request.body));
      return reply.status(result.created ? 201 : 200).send(identifierView(result.identifier));
    },
  );

  app.delete(
    '/identity/persons/:personId/identifiers/:identifierId',
    {
      schema: {
        tags,
        summary: 'Unlink an identifier from a person (kept in history)',
        params: idParams({ personId: 'per', identifierId: 'idn' }),
        querystring: StrictObject({ reason: Type.Optional(Reason) }),
        response: { 204: Type.Null(), ...errors(409) },
      },
    },
    async (request, reply) => {
      await personService.unlinkIdentifier(db, accessOf(request), request.params.personId, request.params.identifierId, request.query.reason);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/identity/merges',
    {
      schema: {
        tags,
        summary: 'Merge two persons (identity.merge): the absorbed id keeps resolving to the survivor',
        body: StrictObject({ survivor_id: Type.String({ pattern: '^per_[0-9a-z]{26}$' }), absorbed_id: Type.String({ pattern: '^per_[0-9a-z]{26}$' }), reason: Reason }),
        response: { 201: MergeView, ...errors(409) },
      },
    },
    async (request, reply) => {
      const merge = await mergeService.mergePersons(db, accessOf(request), { survivorId: request.body.survivor_id, absorbedId: request.body.absorbed_id, reason: request.body.reason });
      return reply.status(201).send(mergeView(merge));
    },
  );

  app.get(
    '/identity/merges',
    { schema: { tags, summary: 'Merges, newest first', querystring: StrictObject({ person_id: Type.Optional(Type.String({ pattern: '^per_[0-9a-z]{26}$' })), ...PageQuery }), response: { 200: Page(MergeView), ...errors() } } },
    async (request) => {
      const page = await mergeService.listMerges(db, accessOf(request), { personId: request.query.person_id, after: request.query.after, limit: request.query.limit });
      return { items: page.items.map(mergeView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/identity/merges/:mergeId',
    { schema: { tags, summary: 'A merge and what it moved', params: idParams({ mergeId: 'mrg' }), response: { 200: MergeView, ...errors() } } },
    async (request) => mergeView(await mergeService.getMerge(db, accessOf(request), request.params.mergeId)),
  );

  app.post(
    '/identity/merges/:mergeId/unmerge',
    { schema: { tags, summary: 'Undo a merge exactly (identity.merge); later merges into the survivor first', params: idParams({ mergeId: 'mrg' }), body: StrictObject({ reason: Reason }), response: { 200: MergeView, ...errors(409) } } },
    async (request) => mergeView(await mergeService.unmergePersons(db, accessOf(request), request.params.mergeId, request.body.reason)),
  );

  app.get(
    '/identity/review-queue',
    {
      schema: {
        tags,
        summary: 'Conflicts waiting for a person: strong evidence and a contradiction',
        querystring: StrictObject({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('merged'), Type.Literal('dismissed')], { default: 'open' })), ...PageQuery }),
        response: { 200: Page(ReviewItemView), ...errors() },
      },
    },
    async (request) => {
      const page = await reviewQueue.listReviewItems(db, accessOf(request), request.query);
      return { items: page.items.map(reviewItemView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/identity/review-queue/:itemId',
    { schema: { tags, summary: 'A review item', params: idParams({ itemId: 'rvw' }), response: { 200: ReviewItemView, ...errors() } } },
    async (request) => reviewItemView(await reviewQueue.getReviewItem(db, accessOf(request), request.params.itemId)),
  );

  app.post(
    '/identity/review-queue/:itemId/resolve',
    {
      schema: {
        tags,
        summary: 'Merge the pair (identity.merge) or dismiss it (kept apart from then on)',
        params: idParams({ itemId: 'rvw' }),
        body: StrictObject({ action: Type.Union([Type.Literal('merge'), Type.Literal('dismiss')]), reason: Reason, survivor_id: Type.Optional(Type.String({ pattern: '^per_[0-9a-z]{26}$' })) }),
        response: { 200: Type.Object({ item: ReviewItemView, merge: Nullable(MergeView) }), ...errors(409) },
      },
    },
    async (request) => {
      const result = await reviewQueue.resolveReviewItem(db, accessOf(request), request.params.itemId, { action: request.body.action, reason: request.body.reason, survivorId: request.body.survivor_id });
      return { item: reviewItemView(result.item), merge: result.merge ? mergeView(result.merge) : null };
    },
  );

  app.get(
    '/identity/suggestions',
    {
      schema: {
        tags,
        summary: 'Likely duplicates sharing no strong identifier, most likely first, each explained',
        querystring: StrictObject({ person_id: Type.Optional(Type.String({ pattern: '^per_[0-9a-z]{26}$' })), ...PageQuery }),
        response: { 200: Page(SuggestionView), ...errors() },
      },
    },
    async (request) => {
      const page = await suggestionService.listSuggestions(db, accessOf(request), { after: request.query.after, limit: request.query.limit, personId: request.query.person_id });
      return { items: page.items.map(suggestionView), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/identity/suggestions/:suggestionId/accept',
    {
      schema: {
        tags,
        summary: 'Accept a suggestion: merge the pair (identity.merge)',
        params: idParams({ suggestionId: 'sug' }),
        body: Type.Union([Type.Null(), StrictObject({ reason: Type.Optional(Reason), survivor_id: Type.Optional(Type.String({ pattern: '^per_[0-9a-z]{26}$' })) })], { description: 'optional' }),
        response: { 200: Type.Object({ suggestion_id: Type.String(), status: Type.String(), merge: MergeView }), ...errors(409) },
      },
    },
    async (request) => {
      const result = await suggestionService.acceptSuggestion(db, accessOf(request), request.params.suggestionId, { reason: request.body?.reason, survivorId: request.body?.survivor_id });
      return { suggestion_id: result.suggestion.id, status: result.suggestion.status, merge: mergeView(result.merge) };
    },
  );

  app.post(
    '/identity/suggestions/:suggestionId/reject',
    { schema: { tags, summary: 'Reject a suggestion: remembered, never suggested again', params: idParams({ suggestionId: 'sug' }), body: Type.Union([Type.Null(), StrictObject({ reason: Type.Optional(Reason) })], { description: 'optional' }), response: { 200: SuggestionView, ...errors(409) } } },
    async (request) => suggestionView(await suggestionService.rejectSuggestion(db, accessOf(request), request.params.suggestionId, { reason: request.body?.reason })),
  );
}
