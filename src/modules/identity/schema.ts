import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

// ID+ tables. Every row carries merchant_id first in its key: a person belongs to one merchant, and
// the schema can be distributed by merchant without change. Columns holding personal information
// are marked `// personal information` so governance can find, export, mask and delete them.

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => at('created_at').notNull().defaultNow();

/** One customer of one merchant. A merged person stays, pointing at its survivor, so old ids keep resolving. */
export const persons = pgTable(
  'identity_persons',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    status: text('status').notNull().default('active'), // active | merged
    mergedInto: text('merged_into'),
    mergedAt: at('merged_at'),
    displayName: text('display_name'), // personal information
    birthday: text('birthday'), // personal information: 'YYYY-MM-DD' or '--MM-DD'
    address: text('address'), // personal information
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('identity_persons_merged_into_idx').on(t.merchantId, t.mergedInto).where(sql`${t.mergedInto} is not null`),
    check('identity_persons_status_ck', sql`${t.status} in ('active', 'merged') and ((${t.status} = 'merged') = (${t.mergedInto} is not null))`),
  ],
);

/**
 * Identifiers as normalised by identifier-kinds.ts. Strong and medium kinds name one person per
 * merchant (a partial unique index, so concurrent first touches collide and resolve to one person);
 * weak kinds (device ids) may be held by many persons, once each.
 */
export const identifiers = pgTable(
  'identity_identifiers',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    personId: text('person_id').notNull(),
    kind: text('kind').notNull(),
    value: text('value').notNull(), // personal information (openid, phone, email, …)
    verified: boolean('verified').notNull().default(false),
    strength: text('strength').notNull(), // strong | medium | weak
    source: text('source').notNull(), // the touch that first linked it: payment:pay_…, api, manual:usr_…
    firstSeenAt: at('first_seen_at').notNull().defaultNow(),
    lastSeenAt: at('last_seen_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('identity_identifiers_value_uq').on(t.merchantId, t.kind, t.value).where(sql`${t.strength} <> 'weak'`),
    // Lookups name kind and value, not strength, so the partial indexes above cannot serve them.
    index('identity_identifiers_lookup_idx').on(t.merchantId, t.kind, t.value),
    uniqueIndex('identity_identifiers_weak_uq').on(t.merchantId, t.kind, t.value, t.personId).where(sql`${t.strength} = 'weak'`),
    index('identity_identifiers_person_idx').on(t.merchantId, t.personId),
    check('identity_identifiers_strength_ck', sql`${t.strength} in ('strong', 'medium', 'weak')`),
  ],
);

/**
 * Append-only history of what happened to a person's identity: created, linked, unlinked, merged,
 * absorbed, unmerged, restored. The database refuses updates and deletes (migration trigger).
 */
export const history = pgTable(
  'identity_history',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    personId: text('person_id').notNull(),
    event: text('event').notNull(),
    // The identifiers or attributes this event moved, as they were (personal information).
    detail: jsonb('detail').notNull(),
    mergeId: text('merge_id'),
    context: text('context'),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    reason: text('reason'),
    occurredAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('identity_history_person_idx').on(t.merchantId, t.personId, t.id)],
);

/** One merge, with everything needed to undo it. Only the unmerge columns are ever updated. */
export const merges = pgTable(
  'identity_merges',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    survivorId: text('survivor_id').notNull(),
    absorbedId: text('absorbed_id').notNull(),
    kind: text('kind').notNull(), // automatic | manual | review | suggestion
    reason: text('reason').notNull(),
    // Identifiers moved from absorbed to survivor, each as it was before the move.
    movedIdentifiers: jsonb('moved_identifiers').notNull(),
    // Survivor attributes that were empty and filled from the absorbed person: { field: value }.
    filledAttributes: jsonb('filled_attributes').notNull(),
    decision: jsonb('decision'),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    createdAt: createdAt(),
    unmergedAt: at('unmerged_at'),
    unmergedBy: text('unmerged_by'),
    unmergeReason: text('unmerge_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('identity_merges_survivor_idx').on(t.merchantId, t.survivorId, t.id),
    index('identity_merges_absorbed_idx').on(t.merchantId, t.absorbedId, t.id),
  ],
);

/** What each module moved in a merge (its own opaque record), handed back to it on unmerge. */
export const mergeMoves = pgTable(
  'identity_merge_moves',
  {
    merchantId: text('merchant_id').notNull(),
    mergeId: text('merge_id').notNull(),
    position: integer('position').notNull(),
    module: text('module').notNull(),
    record: jsonb('record'),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.mergeId, t.position] })],
);

/** Conflicts a person must decide: strong evidence says "same", something else says "different". */
export const reviewItems = pgTable(
  'identity_review_items',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    status: text('status').notNull().default('open'), // open | merged | dismissed
    // The pair, ordered (first < second) so one open item exists per pair.
    firstPersonId: text('first_person_id').notNull(),
    secondPersonId: text('second_person_id').notNull(),
    context: text('context').notNull(),
    source: text('source').notNull(),
    decision: jsonb('decision').notNull(), // evidence, conflicts and reasons (merge-decision.ts)
    createdAt: createdAt(),
    resolvedAt: at('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolution: text('resolution'),
    mergeId: text('merge_id'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('identity_review_items_open_pair_uq')
      .on(t.merchantId, t.firstPersonId, t.secondPersonId)
      .where(sql`${t.status} = 'open'`),
    index('identity_review_items_status_idx').on(t.merchantId, t.status, t.id),
  ],
);

/** Blocking keys of a person's profile (surname, phone last 4, birthday): suggestions compare within them. */
export const personBlocks = pgTable(
  'identity_person_blocks',
  {
    merchantId: text('merchant_id').notNull(),
    blockKey: text('block_key').notNull(), // personal information (derived)
    personId: text('person_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.blockKey, t.personId] }), index('identity_person_blocks_person_idx').on(t.merchantId, t.personId)],
);

/** Likely duplicates sharing no strong identifier, scored by match-score.ts; one row per pair. */
export const suggestions = pgTable(
  'identity_suggestions',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    firstPersonId: text('first_person_id').notNull(),
    secondPersonId: text('second_person_id').notNull(),
    status: text('status').notNull().default('open'), // open | accepted | rejected | stale
    score: doublePrecision('score').notNull(),
    explanation: jsonb('explanation').notNull(),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    decidedAt: at('decided_at'),
    decidedBy: text('decided_by'),
    reason: text('reason'),
    mergeId: text('merge_id'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('identity_suggestions_pair_uq').on(t.merchantId, t.firstPersonId, t.secondPersonId),
    index('identity_suggestions_status_idx').on(t.merchantId, t.status, t.score),
  ],
);

/** Pairs a person decided are different people (a rejected suggestion, an unmerge): never merged or suggested again automatically. */
export const pairDecisions = pgTable(
  'identity_pair_decisions',
  {
    merchantId: text('merchant_id').notNull(),
    firstPersonId: text('first_person_id').notNull(),
    secondPersonId: text('second_person_id').notNull(),
    decision: text('decision').notNull(), // kept_apart
    why: text('why').notNull(), // suggestion_rejected | unmerged | review_dismissed
    reason: text('reason'),
    decidedBy: text('decided_by').notNull(),
    decidedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.firstPersonId, t.secondPersonId] })],
);

/**
 * The platform-level ID+ across merchants: designed, gated. A row links one merchant's person to
 * another merchant's person only with that person's separate consent (PIPL); no API creates rows
 * yet, and the governance module will be the only writer, checking the consent it references.
 */
export const crossMerchantLinks = pgTable(
  'identity_cross_merchant_links',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    personId: text('person_id').notNull(),
    otherMerchantId: text('other_merchant_id').notNull(),
    otherPersonId: text('other_person_id').notNull(),
    consentReference: text('consent_reference').notNull(),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('identity_cross_merchant_links_pair_uq').on(t.merchantId, t.personId, t.otherMerchantId, t.otherPersonId),
    check('identity_cross_merchant_links_consent_ck', sql`length(${t.consentReference}) > 0`),
  ],
);
