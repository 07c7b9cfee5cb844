// A pure model of merge and unmerge: persons own identifiers; a merge moves the absorbed person's
// identifiers to the survivor and leaves the absorbed id pointing at it; an unmerge replays the
// move record backwards. The service keeps the same history in tables and must pass the same
// property: any merges undone in reverse order restore the state exactly, so nothing a merge
// touched is lost (Unomi's merge, its users' first complaint, cannot be undone).

import { identifierKey, type PersonIdentifier } from './identifier-kinds.js';

export interface PersonNode {
  readonly identifiers: readonly PersonIdentifier[];
  // The survivor this person was merged into; null while the person is active.
  readonly mergedInto: string | null;
  // Persons merged into this one and not unmerged, oldest first.
  readonly absorbed: readonly string[];
}

export interface PersonGraph {
  readonly persons: Readonly<Record<string, PersonNode>>;
}

// Everything needed to undo one merge, and nothing that could drift: the absorbed person's own
// identifiers as they were, in order, and which of them the survivor did not already hold.
export interface MergeMove {
  readonly survivorId: string;
  readonly absorbedId: string;
  readonly absorbedIdentifiers: readonly PersonIdentifier[];
  readonly addedToSurvivor: readonly string[];
}

export const PERSON_GRAPH_ERROR_CODES = [
  'person_not_found',
  'same_person',
  'person_merged',
  'survivor_not_active',
  'already_unmerged',
  'not_latest_merge',
  'history_mismatch',
] as const;

export type PersonGraphErrorCode = (typeof PERSON_GRAPH_ERROR_CODES)[number];

export type PersonGraphFailure = { readonly ok: false; readonly code: PersonGraphErrorCode; readonly message: string };
export type MergeResult = { readonly ok: true; readonly graph: PersonGraph; readonly move: MergeMove } | PersonGraphFailure;
export type UnmergeResult = { readonly ok: true; readonly graph: PersonGraph } | PersonGraphFailure;

function fail(code: PersonGraphErrorCode, message: string): PersonGraphFailure {
  return { ok: false, code, message };
}

export function personGraph(persons: Readonly<Record<string, readonly PersonIdentifier[]>>): PersonGraph {
  const nodes: Record<string, PersonNode> = {};
  for (const [personId, identifiers] of Object.entries(persons)) {
    nodes[personId] = { identifiers: [...identifiers], mergedInto: null, absorbed: [] };
  }
  return { persons: nodes };
}

function node(graph: PersonGraph, personId: string): PersonNode | undefined {
  return Object.hasOwn(graph.persons, personId) ? graph.persons[personId] : undefined;
}

export function merge(graph: PersonGraph, survivorId: string, absorbedId: string): MergeResult {
  if (survivorId === absorbedId) return fail('same_person', `${survivorId} cannot be merged into itself`);
  const survivor = node(graph, survivorId);
  const absorbed = node(graph, absorbedId);
  if (survivor === undefined) return fail('person_not_found', `no person ${survivorId}`);
  if (absorbed === undefined) return fail('person_not_found', `no person ${absorbedId}`);
  // Merging into or from an absorbed id would fork the history; callers resolve ids first.
  if (survivor.mergedInto !== null) return fail('person_merged', `${survivorId} was merged into ${survivor.mergedInto}`);
  if (absorbed.mergedInto !== null) return fail('person_merged', `${absorbedId} was merged into ${absorbed.mergedInto}`);

  const held = new Set(survivor.identifiers.map(identifierKey));
  // Only weak identifiers (a shared device) can be held by both; the survivor keeps its own copy.
  const added = absorbed.identifiers.filter((identifier) => {
    const key = identifierKey(identifier);
    if (held.has(key)) return false;
    held.add(key);
    return true;
  });
  const move: MergeMove = {
    survivorId,
    absorbedId,
    absorbedIdentifiers: absorbed.identifiers,
    addedToSurvivor: added.map(identifierKey),
  };
  return {
    ok: true,
    move,
    graph: {
      persons: {
        ...graph.persons,
        [survivorId]: { ...survivor, identifiers: [...survivor.identifiers, ...added], absorbed: [...survivor.absorbed, absorbedId] },
        [absorbedId]: { ...absorbed, identifiers: [], mergedInto: survivorId },
      },
    },
  };
}

export function unmerge(graph: PersonGraph, move: MergeMove): UnmergeResult {
  const survivor = node(graph, move.survivorId);
  const absorbed = node(graph, move.absorbedId);
  if (survivor === undefined) return fail('person_not_found', `no person ${move.survivorId}`);
  if (absorbed === undefined) return fail('person_not_found', `no person ${move.absorbedId}`);
  if (survivor.mergedInto !== null) {
    return fail('survivor_not_active', `${move.survivorId} was since merged into ${survivor.mergedInto}: unmerge that first`);
  }
  // Either this merge was undone already, or the record never described this state.
  if (absorbed.mergedInto !== move.survivorId) {
    return fail('already_unmerged', `${move.absorbedId} is not merged into ${move.survivorId}`);
  }
  // Undo in reverse order: a later merge may have relied on identifiers this one brought.
  const latest = survivor.absorbed[survivor.absorbed.length - 1];
  if (latest !== move.absorbedId) {
    return fail('not_latest_merge', `${latest ?? 'nothing'} was merged into ${move.survivorId} later: unmerge it first`);
  }
  const added = new Set(move.addedToSurvivor);
  const heldKeys = new Set(survivor.identifiers.map(identifierKey));
  if (absorbed.identifiers.length > 0 || move.addedToSurvivor.some((key) => !heldKeys.has(key))) {
    return fail('history_mismatch', `the state of ${move.survivorId} no longer matches the merge record`);
  }
  return {
    ok: true,
    graph: {
      persons: {
        ...graph.persons,
        [move.survivorId]: {
          ...survivor,
          identifiers: survivor.identifiers.filter((identifier) => !added.has(identifierKey(identifier))),
          absorbed: survivor.absorbed.slice(0, -1),
        },
        [move.absorbedId]: { ...absorbed, identifiers: move.absorbedIdentifiers, mergedInto: null },
      },
    },
  };
}

// The active person an id stands for now: itself, or the survivor of the merges it went through.
export function resolve(graph: PersonGraph, personId: string): string | undefined {
  let current = personId;
  // Each merge adds one hop; more hops than persons would mean a cycle, which merge cannot build.
  for (let hops = 0; hops <= Object.keys(graph.persons).length; hops++) {
    const found = node(graph, current);
    if (found === undefined) return undefined;
    if (found.mergedInto === null) return current;
    current = found.mergedInto;
  }
  return undefined;
}

export function activePersonIds(graph: PersonGraph): string[] {
  return Object.keys(graph.persons).filter((personId) => graph.persons[personId]?.mergedInto === null);
}
