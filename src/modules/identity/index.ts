// The identity (ID+) module's door: resolution, persons, merge and unmerge, and the merge-handler
// protocol through which modules that own person data move it (identity never writes their tables).
import { registerPolicies } from '../platform/index.js';
import { identityRoutes } from './routes.js';

// Staff look members up; managers link and resolve; only owners and admins merge and unmerge.
registerPolicies({
  'identity.read': { roles: ['merchant_owner', 'merchant_admin', 'store_manager', 'cashier', 'shopping_guide'], scope: 'identity:read' },
  'identity.write': { roles: ['merchant_owner', 'merchant_admin', 'store_manager'], scope: 'identity:write' },
  // Manual merges are a person's decision with a reason: never through an API key.
  'identity.merge': { roles: ['merchant_owner', 'merchant_admin'], scope: null },
});

export { resolve, resolvePerson, resolveInTransaction, isTrustedContext, RESOLVE_CONTEXTS, type ResolveContext, type ResolveInput, type ResolveResult, type PaymentsResolveInput } from './resolve.js';
export { getPerson, searchPersons, linkIdentifier, unlinkIdentifier, updateProfile, followMerges, type IdentifierInput, type PersonDetail, type ProfileInput } from './persons.js';
export { mergePersons, unmergePersons, getMerge, listMerges, type MergeView } from './merge.js';
export { registerMergeHandler, type MergeHandler, type MergeHandlerInput, type MoveRecord } from './merge-handlers.js';
export { listSuggestions, acceptSuggestion, rejectSuggestion } from './suggestions.js';
export { listReviewItems, resolveReviewItem } from './review-queue.js';
export { identityErrors } from './errors.js';
export { IDENTIFIER_KINDS, normaliseIdentifier, type IdentifierKind } from './identifier-kinds.js';

export const identityModule = { name: 'identity', routes: identityRoutes };
