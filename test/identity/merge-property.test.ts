import fc from 'fast-check';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergePersons, registerMergeHandler, resolve, unmergePersons, type MoveRecord } from '../../src/modules/identity/index.js';
import { identifiers, persons } from '../../src/modules/identity/schema.js';
import { contextForUserId, type AccessContext } from '../../src/modules/platform/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

// The lossless-merge property on the real database, the counterpart of person-graph.test.ts: build
// a random graph of persons (strong, medium and shared weak identifiers, some attributes), apply a
// random sequence of merges, undo them in reverse order, and the full identity state of those
// persons — every column that is not a modification time — equals the state before. A module's
// state is part of the property through a merge handler that keeps "points" in memory.

let t: TestApp;
let ctx: AccessContext;
const points = new Map<string, number>();
let unregister: () => void;
beforeAll(async () => {
  t = await startTestApp();
  ctx = (await contextForUserId(t.database.db, t.demo.logins.find((l) => l.login === 'owner')!.userId))!;
  unregister = registerMergeHandler({
    module: 'test_points',
    async merge(_tx, _ctx, { survivorId, absorbedId }) {
      const moved = points.get(absorbedId) ?? 0;
      points.set(survivorId, (points.get(survivorId) ?? 0) + moved);
      points.set(absorbedId, 0);
      return { moved };
    },
    async unmerge(_tx, _ctx, record: MoveRecord, { survivorId, absorbedId }) {
      const { moved } = record as { moved: number };
      points.set(survivorId, (points.get(survivorId) ?? 0) - moved);
      points.set(absorbedId, (points.get(absorbedId) ?? 0) + moved);
    },
  });
});
afterAll(async () => {
  unregister();
  await t.close();
});

const personSpec = fc.record({
  extra: fc.subarray(['wechat_unionid', 'card_number', 'phone_verified', 'phone', 'wechat_openid'] as const),
  devices: fc.subarray([0, 1, 2]),
  name: fc.option(fc.constantFrom('王伟', '李娜', 'Anna Li'), { nil: undefined }),
  birthday: fc.option(fc.constantFrom('1990-05-17', '--03-04'), { nil: undefined }),
  address: fc.option(fc.constantFrom('上海市徐汇区漕溪北路 88 号', '南京西路 1 号'), { nil: undefined }),
  points: fc.nat({ max: 1000 }),
});
const scenario = fc.record({
  people: fc.array(personSpec, { minLength: 2, maxLength: 5 }),
  merges: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }),
});

let run = 0;

async function stateOf(personIds: string[]) {
  const db = t.database.db;
  const merchantId = t.demo.merchantId;
  const personRows = await db
    .select({ id: persons.id, status: persons.status, mergedInto: persons.mergedInto, mergedAt: persons.mergedAt, displayName: persons.displayName, birthday: persons.birthday, address: persons.address, createdAt: persons.createdAt })
    .from(persons)
    .where(and(eq(persons.merchantId, merchantId), inArray(persons.id, personIds)))
    .orderBy(persons.id);
  const identifierRows = await db
    .select()
    .from(identifiers)
    .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.personId, personIds)))
    .orderBy(identifiers.id);
  return { persons: personRows, identifiers: identifierRows, points: personIds.map((id) => points.get(id) ?? 0) };
}

describe('merge then unmerge in reverse order', () => {
  it('restores the full identity state and every module’s moves', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ people, merges }) => {
        run++;
        const ids: string[] = [];
        for (const [index, spec] of people.entries()) {
          const tag = `${run}x${index}`;
          const extra = spec.extra.map((kind) => {
            switch (kind) {
              case 'wechat_unionid':
                return { kind, value: `u${tag}` };
              case 'card_number':
                return { kind, value: `CARD${tag}` };
              case 'phone_verified':
                return { kind: 'phone', value: `139${String(run * 10 + index).padStart(8, '0')}`, verified: true };
              case 'phone':
                return { kind, value: `137${String(run * 10 + index).padStart(8, '0')}` };
              case 'wechat_openid':
                return { kind, value: `wx1111111111111111:o${tag}` };
            }
          });
          // Device ids are shared across persons of one run: the weak identifiers both may hold.
          const devices = spec.devices.map((d) => ({ kind: 'device_id', value: `dev-${run}-${d}` }));
          const result = await resolve(t.database.db, ctx, {
            identifiers: [{ kind: 'email', value: `p${tag}@example.com` }, ...extra, ...devices],
            create: true,
            context: 'manual',
            profile: { displayName: spec.name, birthday: spec.birthday, address: spec.address },
          });
          expect(result.created).toBe(true);
          ids.push(result.personId!);
          points.set(result.personId!, spec.points);
        }
        const before = await stateOf(ids);

        const done: string[] = [];
        for (const [i, j] of merges) {
          const active = (await stateOf(ids)).persons.filter((p) => p.status === 'active').map((p) => p.id);
          if (active.length < 2) break;
          const survivorId = active[i % active.length]!;
          const absorbedId = active[j % active.length]!;
          if (survivorId === absorbedId) continue;
          done.push((await mergePersons(t.database.db, ctx, { survivorId, absorbedId, reason: 'property' })).id);
        }
        const merged = await stateOf(ids);
        // Merging loses nothing: every identifier still exists and all points are somewhere.
        expect(merged.identifiers.map((i) => i.id).sort()).toEqual(before.identifiers.map((i) => i.id).sort());
        expect(merged.points.reduce((a, b) => a + b, 0)).toBe(before.points.reduce((a, b) => a + b, 0));

        for (const mergeId of done.reverse()) await unmergePersons(t.database.db, ctx, mergeId, 'property undo');
        expect(await stateOf(ids)).toEqual(before);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  });
});
