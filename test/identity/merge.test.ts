import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergePersons, registerMergeHandler, resolve, unmergePersons, type MoveRecord } from '../../src/modules/identity/index.js';
import { contextForUserId, type AccessContext } from '../../src/modules/platform/index.js';
import { json, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let owner: string;
let ownerCtx: AccessContext;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login('owner');
  ownerCtx = (await contextForUserId(t.database.db, t.demo.logins.find((l) => l.login === 'owner')!.userId))!;
});
afterAll(() => t.close());

let counter = 0;
async function newPerson(extra: { kind: string; value: string; verified?: boolean }[] = [], profile?: { displayName?: string; birthday?: string; address?: string }): Promise<string> {
  counter++;
  const result = await resolve(t.database.db, ownerCtx, {
    identifiers: [{ kind: 'email', value: `m${counter}@example.com` }, ...extra],
    create: true,
    context: 'manual',
    profile,
  });
  return result.personId!;
}

const post = (url: string, payload: object, cookie = owner) => t.app.inject({ method: 'POST', url, headers: { cookie }, payload });
const getPerson = async (id: string, follow = true) => json<{ id: string; status: string; merged_into: string | null; display_name: string | null; identifiers: { id: string; kind: string; value: string }[]; history: { event: string }[] }>(await t.app.inject({ method: 'GET', url: `/v1/identity/persons/${id}?follow=${follow}`, headers: { cookie: owner } }));

describe('manual merge', () => {
  it('needs identity.merge and a reason, moves identifiers and fills empty attributes', async () => {
    const a = await newPerson([{ kind: 'card_number', value: 'C-100' }]);
    const b = await newPerson([{ kind: 'phone', value: '13700137001' }], { displayName: '王伟', address: '上海市徐汇区漕溪北路 88 号' });
    const manager = await t.login('manager');
    expect((await post('/v1/identity/merges', { survivor_id: a, absorbed_id: b, reason: 'same customer' }, manager)).statusCode).toBe(403);
    const noReason = await post('/v1/identity/merges', { survivor_id: a, absorbed_id: b });
    expect(noReason.statusCode).toBe(400);
    const merged = await post('/v1/identity/merges', { survivor_id: a, absorbed_id: b, reason: 'same customer, confirmed at the counter' });
    expect(merged.statusCode, merged.body).toBe(201);
    expect(json(merged)).toMatchObject({ survivor_id: a, absorbed_id: b, kind: 'manual', filled_attributes: { displayName: '王伟', address: '上海市徐汇区漕溪北路 88 号' } });
    const survivor = await getPerson(b);
    expect(survivor.id).toBe(a);
    expect(survivor.display_name).toBe('王伟');
    expect(survivor.identifiers.map((i) => i.kind).sort()).toEqual(['card_number', 'email', 'email', 'phone']);
    expect(survivor.history.map((h) => h.event)).toContain('merged');
    const audit = await t.app.inject({ method: 'GET', url: `/v1/audit-log?action=identity.merge&target_id=${a}`, headers: { cookie: owner } });
    expect(json<{ items: unknown[] }>(audit).items).toHaveLength(1);
    // Merging an absorbed person again is refused: act on the survivor.
    const again = await post('/v1/identity/merges', { survivor_id: a, absorbed_id: b, reason: 'twice' });
    expect(json(again).code).toBe('person_merged');
    const self = await post('/v1/identity/merges', { survivor_id: a, absorbed_id: a, reason: 'self' });
    expect(json(self).code).toBe('same_person');
  });

  it('unmerge restores the exact prior state and keeps the pair apart from then on', async () => {
    const a = await newPerson([{ kind: 'wechat_unionid', value: 'uM1' }], { birthday: '1990-05-17' });
    const b = await newPerson([{ kind: 'wechat_openid', value: 'wx1111111111111111:oM1' }], { displayName: '李娜', birthday: '1991-01-01' });
    const before = [await getPerson(a, false), await getPerson(b, false)];
    const merge = json<{ id: string }>(await post('/v1/identity/merges', { survivor_id: a, absorbed_id: b, reason: 'looked alike' }));
    const undone = await post(`/v1/identity/merges/${merge.id}/unmerge`, { reason: 'two different people' });
    expect(undone.statusCode, undone.body).toBe(200);
    expect(json(undone)).toMatchObject({ unmerge_reason: 'two different people', unmerged_by: ownerCtx.actor.id });
    const after = [await getPerson(a, false), await getPerson(b, false)];
    const shape = (p: Awaited<ReturnType<typeof getPerson>>) => ({ id: p.id, status: p.status, merged_into: p.merged_into, display_name: p.display_name, identifiers: p.identifiers });
    expect(after.map(shape)).toEqual(before.map(shape));
    expect(json(await post(`/v1/identity/merges/${merge.id}/unmerge`, { reason: 'again' })).code).toBe('already_unmerged');
    // A payment that shows both identifiers again does not re-merge what a person pulled apart.
    const touch = await resolve(t.database.db, ownerCtx, { identifiers: [{ kind: 'wechat_unionid', value: 'uM1' }, { kind: 'wechat_openid', value: 'wx1111111111111111:oM1' }], create: true, context: 'payment' });
    expect(touch.merges).toEqual([]);
    expect(touch.decisions[0]!.outcome).toBe('kept_apart');
  });

  it('unmerges in reverse order only, and refuses when the survivor was merged since', async () => {
    const a = await newPerson();
    const b = await newPerson();
    const c = await newPerson();
    const d = await newPerson();
    const ab = json<{ id: string }>(await post('/v1/identity/merges', { survivor_id: a, absorbed_id: b, reason: 'r' }));
    const ac = json<{ id: string }>(await post('/v1/identity/merges', { survivor_id: a, absorbed_id: c, reason: 'r' }));
    const early = await post(`/v1/identity/merges/${ab.id}/unmerge`, { reason: 'r' });
    expect(json(early)).toMatchObject({ code: 'not_latest_merge', blocking_merge_id: ac.id });
    const da = json<{ id: string }>(await post('/v1/identity/merges', { survivor_id: d, absorbed_id: a, reason: 'r' }));
    expect(await getPerson(b).then((p) => p.id)).toBe(d);
    const blocked = await post(`/v1/identity/merges/${ac.id}/unmerge`, { reason: 'r' });
    expect(json(blocked)).toMatchObject({ code: 'survivor_not_active', blocking_merge_id: da.id });
    for (const id of [da.id, ac.id, ab.id]) expect((await post(`/v1/identity/merges/${id}/unmerge`, { reason: 'undo' })).statusCode).toBe(200);
    for (const id of [a, b, c, d]) expect(await getPerson(id).then((p) => p.id)).toBe(id);
  });

  it('refuses to unmerge when an identifier it moved was unlinked since', async () => {
    const a = await newPerson();
    const b = await newPerson([{ kind: 'card_number', value: 'C-200' }]);
    const merge = json<{ id: string; moved_identifiers: { id: string; kind: string }[] }>(await post('/v1/identity/merges', { survivor_id: a, absorbed_id: b, reason: 'r' }));
    const card = merge.moved_identifiers.find((i) => i.kind === 'card_number')!;
    const unlink = await t.app.inject({ method: 'DELETE', url: `/v1/identity/persons/${a}/identifiers/${card.id}?reason=lost`, headers: { cookie: owner } });
    expect(unlink.statusCode).toBe(204);
    expect(json(await post(`/v1/identity/merges/${merge.id}/unmerge`, { reason: 'r' })).code).toBe('history_mismatch');
  });
});

describe('link and unlink', () => {
  it('links to an active person, refuses an identifier held by another person, and keeps history', async () => {
    const a = await newPerson();
    const b = await newPerson([{ kind: 'phone', value: '13700137100' }]);
    const linked = await post(`/v1/identity/persons/${a}/identifiers`, { kind: 'card_number', value: 'c 300' });
    expect(linked.statusCode, linked.body).toBe(201);
    expect(json(linked)).toMatchObject({ kind: 'card_number', value: 'C300', strength: 'strong', source: `manual:${ownerCtx.actor.id}` });
    expect((await post(`/v1/identity/persons/${a}/identifiers`, { kind: 'card_number', value: 'C300' })).statusCode).toBe(200);
    const taken = await post(`/v1/identity/persons/${a}/identifiers`, { kind: 'phone', value: '137 0013 7100' });
    expect(json(taken)).toMatchObject({ code: 'identifier_taken', person_id: b });
    const unlinked = await t.app.inject({ method: 'DELETE', url: `/v1/identity/persons/${a}/identifiers/${json<{ id: string }>(linked).id}`, headers: { cookie: owner } });
    expect(unlinked.statusCode).toBe(204);
    expect((await getPerson(a)).history.map((h) => h.event).slice(0, 2)).toEqual(['unlinked', 'linked']);
  });
});

describe('module merge handlers', () => {
  it('runs each handler in the merge transaction and hands its record back on unmerge', async () => {
    // A stand-in for a module that owns person data (points here), kept in memory by the test.
    const points = new Map<string, number>();
    const calls: string[] = [];
    const unregister = registerMergeHandler({
      module: 'test_points',
      async merge(_tx, _ctx, { survivorId, absorbedId }) {
        calls.push(`merge ${absorbedId}→${survivorId}`);
        const moved = points.get(absorbedId) ?? 0;
        points.set(survivorId, (points.get(survivorId) ?? 0) + moved);
        points.set(absorbedId, 0);
        return { moved, from: absorbedId };
      },
      async unmerge(_tx, _ctx, record: MoveRecord, { survivorId }) {
        const { moved, from } = record as { moved: number; from: string };
        calls.push(`unmerge ${from}←${survivorId}`);
        points.set(survivorId, (points.get(survivorId) ?? 0) - moved);
        points.set(from, moved);
      },
    });
    try {
      const a = await newPerson();
      const b = await newPerson();
      points.set(a, 100).set(b, 40);
      const merge = await mergePersons(t.database.db, ownerCtx, { survivorId: a, absorbedId: b, reason: 'handler test' });
      // Every registered module takes part, in module-name order; payments and membership moved nothing here.
      expect(merge.modules).toEqual(['membership', 'payments', 'test_points']);
      expect(merge.moves).toEqual([
        { module: 'membership', counts: {} },
        { module: 'payments', counts: { payments: 0 } },
        { module: 'test_points', counts: {} },
      ]);
      expect(points.get(a)).toBe(140);
      await unmergePersons(t.database.db, ownerCtx, merge.id, 'handler test undo');
      expect([points.get(a), points.get(b)]).toEqual([100, 40]);
      expect(calls).toEqual([`merge ${b}→${a}`, `unmerge ${b}←${a}`]);
    } finally {
      unregister();
    }
  });

  it('a failing handler undoes the whole merge', async () => {
    const unregister = registerMergeHandler({
      module: 'test_failing',
      async merge() {
        throw new Error('membership is down');
      },
      async unmerge() {},
    });
    try {
      const a = await newPerson();
      const b = await newPerson([{ kind: 'card_number', value: 'C-400' }]);
      await expect(mergePersons(t.database.db, ownerCtx, { survivorId: a, absorbedId: b, reason: 'fails' })).rejects.toThrow('membership is down');
      const absorbed = await getPerson(b, false);
      expect(absorbed).toMatchObject({ id: b, status: 'active', merged_into: null });
      expect(absorbed.identifiers.map((i) => i.kind).sort()).toEqual(['card_number', 'email']);
      const merges = await t.app.inject({ method: 'GET', url: `/v1/identity/merges?person_id=${b}`, headers: { cookie: owner } });
      expect(json<{ items: unknown[] }>(merges).items).toEqual([]);
    } finally {
      unregister();
    }
  });

  it('refuses to unmerge when a module that moved data has no handler any more', async () => {
    const unregister = registerMergeHandler({ module: 'test_gone', merge: async () => ({ moved: true }), unmerge: async () => {} });
    const a = await newPerson();
    const b = await newPerson();
    const merge = await mergePersons(t.database.db, ownerCtx, { survivorId: a, absorbedId: b, reason: 'r' });
    unregister();
    const response = await post(`/v1/identity/merges/${merge.id}/unmerge`, { reason: 'r' });
    expect(json(response).code).toBe('merge_handler_missing');
    expect((await getPerson(b, false)).status).toBe('merged');
  });
});
