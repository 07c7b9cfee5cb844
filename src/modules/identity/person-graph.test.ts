import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierKey, type PersonIdentifier } from './identifier-kinds.js';
import { activePersonIds, merge, personGraph, resolve, unmerge, type MergeMove, type PersonGraph } from './person-graph.js';

const phone = (value: string, verified = true): PersonIdentifier => ({ kind: 'phone', value, verified });
const device = (value: string): PersonIdentifier => ({ kind: 'device_id', value, verified: false });
const card = (value: string): PersonIdentifier => ({ kind: 'card_number', value, verified: false });

function mustMerge(graph: PersonGraph, survivorId: string, absorbedId: string): { graph: PersonGraph; move: MergeMove } {
  const result = merge(graph, survivorId, absorbedId);
  if (!result.ok) throw new Error(result.message);
  return result;
}

function mustUnmerge(graph: PersonGraph, move: MergeMove): PersonGraph {
  const result = unmerge(graph, move);
  if (!result.ok) throw new Error(result.message);
  return result.graph;
}

describe('merge and unmerge', () => {
  const start = personGraph({
    per_a: [phone('13800000001'), device('tablet')],
    per_b: [card('VIP1'), device('tablet'), device('phone-b')],
    per_c: [phone('13900000002')],
  });

  it('moves identifiers to the survivor once each and points the absorbed id at it', () => {
    const { graph, move } = mustMerge(start, 'per_a', 'per_b');
    expect(graph.persons.per_a?.identifiers).toEqual([phone('13800000001'), device('tablet'), card('VIP1'), device('phone-b')]);
    expect(graph.persons.per_b).toEqual({ identifiers: [], mergedInto: 'per_a', absorbed: [] });
    expect(move.addedToSurvivor).toEqual(['card_number:VIP1', 'device_id:phone-b']);
    expect(resolve(graph, 'per_b')).toBe('per_a');
    expect(activePersonIds(graph).sort()).toEqual(['per_a', 'per_c']);
  });

  it('restores exactly, shared weak identifier included', () => {
    const { graph, move } = mustMerge(start, 'per_a', 'per_b');
    expect(mustUnmerge(graph, move)).toEqual(start);
  });

  it('follows chains of merges and refuses to merge an absorbed id', () => {
    const first = mustMerge(start, 'per_a', 'per_b');
    const second = mustMerge(first.graph, 'per_c', 'per_a');
    expect(resolve(second.graph, 'per_b')).toBe('per_c');
    expect(resolve(second.graph, 'per_nobody')).toBeUndefined();
    expect(merge(second.graph, 'per_b', 'per_c')).toMatchObject({ ok: false, code: 'person_merged' });
    expect(merge(second.graph, 'per_c', 'per_c')).toMatchObject({ ok: false, code: 'same_person' });
    expect(merge(second.graph, 'per_c', 'per_x')).toMatchObject({ ok: false, code: 'person_not_found' });
  });

  it('undoes merges only in reverse order', () => {
    const first = mustMerge(start, 'per_a', 'per_b');
    const second = mustMerge(first.graph, 'per_a', 'per_c');
    expect(unmerge(second.graph, first.move)).toMatchObject({ ok: false, code: 'not_latest_merge' });
    const chained = mustMerge(first.graph, 'per_c', 'per_a');
    expect(unmerge(chained.graph, first.move)).toMatchObject({ ok: false, code: 'survivor_not_active' });
    expect(unmerge(start, first.move)).toMatchObject({ ok: false, code: 'already_unmerged' });
  });

  it('refuses a record that does not match the state', () => {
    const { graph, move } = mustMerge(start, 'per_a', 'per_b');
    const forged: MergeMove = { ...move, addedToSurvivor: [...move.addedToSurvivor, 'phone:13700000000'] };
    expect(unmerge(graph, forged)).toMatchObject({ ok: false, code: 'history_mismatch' });
  });
});

describe('merge history (property)', () => {
  // Persons with unique strong and medium identifiers and a few weak ones shared among them.
  const graphs = fc.integer({ min: 2, max: 8 }).chain((count) =>
    fc
      .tuple(
        fc.array(fc.array(fc.constantFrom('phone', 'card_number', 'wechat_unionid', 'email'), { maxLength: 3 }), {
          minLength: count,
          maxLength: count,
        }),
        fc.array(fc.subarray(['dev-1', 'dev-2', 'dev-3']), { minLength: count, maxLength: count }),
      )
      .map(([kinds, devices]) => {
        const persons: Record<string, PersonIdentifier[]> = {};
        kinds.forEach((personKinds, index) => {
          persons[`per_${index}`] = [
            ...personKinds.map((kind, k): PersonIdentifier => ({ kind, value: `${index}-${k}`, verified: k % 2 === 0 })),
            ...(devices[index] ?? []).map(device),
          ];
        });
        return personGraph(persons);
      }),
  );
  const mergePlans = fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 });

  function allKeys(graph: PersonGraph, personIds: readonly string[]): Set<string> {
    return new Set(personIds.flatMap((personId) => (graph.persons[personId]?.identifiers ?? []).map(identifierKey)));
  }

  it('restores the original state exactly when random merges are undone in reverse order', () => {
    fc.assert(
      fc.property(graphs, mergePlans, (original, plan) => {
        const everyone = Object.keys(original.persons);
        const originalKeys = allKeys(original, everyone);
        let graph = original;
        const history: Array<{ before: PersonGraph; move: MergeMove }> = [];

        for (const [i, j] of plan) {
          const active = activePersonIds(graph);
          if (active.length < 2) break;
          const survivorId = active[i % active.length] ?? '';
          const others = active.filter((personId) => personId !== survivorId);
          const absorbedId = others[j % others.length] ?? '';
          const { graph: next, move } = mustMerge(graph, survivorId, absorbedId);
          history.push({ before: graph, move });
          graph = next;

          // While merged, every id resolves to an active person holding all it ever held.
          for (const personId of everyone) {
            const root = resolve(graph, personId);
            expect(root).toBeDefined();
            expect(graph.persons[root ?? '']?.mergedInto).toBeNull();
            const rootKeys = allKeys(graph, [root ?? '']);
            for (const key of allKeys(original, [personId])) expect(rootKeys.has(key)).toBe(true);
          }
          expect(resolve(graph, absorbedId)).toBe(resolve(graph, survivorId));
          // No identifier lost or invented.
          expect(allKeys(graph, activePersonIds(graph))).toEqual(originalKeys);
        }

        for (const { before, move } of [...history].reverse()) {
          graph = mustUnmerge(graph, move);
          expect(graph).toEqual(before);
        }
        expect(graph).toEqual(original);
      }),
      { numRuns: 300 },
    );
  });
});
