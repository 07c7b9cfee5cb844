import { defineErrors } from '../../kernel/errors.js';

export const identityErrors = defineErrors({
  identifier_invalid: { status: 400, title: 'The identifier is not valid for its kind' },
  profile_invalid: { status: 400, title: 'A profile attribute is not valid' },
  identifiers_required: { status: 400, title: 'At least one identifier is needed' },
  person_not_found: { status: 404, title: 'Person not found' },
  identifier_not_found: { status: 404, title: 'Identifier not found' },
  merge_not_found: { status: 404, title: 'Merge not found' },
  review_item_not_found: { status: 404, title: 'Review item not found' },
  suggestion_not_found: { status: 404, title: 'Suggestion not found' },
  identifier_taken: { status: 409, title: 'The identifier belongs to another person: merge the persons instead' },
  person_merged: { status: 409, title: 'The person was merged into another; act on the survivor' },
  same_person: { status: 409, title: 'A person cannot be merged with itself' },
  survivor_not_active: { status: 409, title: 'The survivor was itself merged since: unmerge that merge first' },
  not_latest_merge: { status: 409, title: 'A later merge into the survivor must be undone first' },
  already_unmerged: { status: 409, title: 'This merge was already undone' },
  history_mismatch: { status: 409, title: 'The person changed since the merge in a way unmerge cannot undo' },
  merge_handler_missing: { status: 409, title: 'A module that moved data in this merge is not available to undo it' },
  review_item_closed: { status: 409, title: 'The review item was already resolved' },
  suggestion_closed: { status: 409, title: 'The suggestion was already decided' },
  survivor_not_in_pair: { status: 400, title: 'The survivor must be one of the two persons' },
  resolution_contended: { status: 503, title: 'Too many concurrent changes to the same identifiers; retry' },
});

export type IdentityErrorCode = keyof typeof identityErrors.specs;
