import { describe, expect, it } from 'vitest';
import { auditEntryHash, findChainBreak, genesisHash, type AuditEntryContent } from './audit-hash.js';

function chain(length: number) {
  const entries: (AuditEntryContent & { hash: string })[] = [];
  let prev = genesisHash;
  for (let seq = 1; seq <= length; seq++) {
    const content: AuditEntryContent = {
      chainId: 'mch_a',
      seq,
      id: `aud_${seq}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      operatorId: 'opr_1',
      merchantId: 'mch_a',
      actorKind: 'user',
      actorId: 'usr_1',
      actorLabel: 'owner',
      action: 'store.create',
      targetType: 'store',
      targetId: `sto_${seq}`,
      before: null,
      after: { name: `Store ${seq}` },
      requestId: null,
      prevHash: prev,
    };
    const hash = auditEntryHash(content);
    entries.push({ ...content, hash });
    prev = hash;
  }
  return { entries, head: { seq: length, hash: prev } };
}

describe('findChainBreak', () => {
  it('accepts an intact chain', () => {
    const { entries, head } = chain(5);
    expect(findChainBreak(entries, head)).toBeNull();
  });

  it('finds an edited entry by its hash', () => {
    const { entries, head } = chain(5);
    entries[2] = { ...entries[2]!, after: { name: 'Forged' } };
    expect(findChainBreak(entries, head)).toEqual({ kind: 'hash_mismatch', seq: 3, id: 'aud_3' });
  });

  it('finds a removed entry in the middle', () => {
    const { entries, head } = chain(5);
    entries.splice(1, 1);
    expect(findChainBreak(entries, head)).toEqual({ kind: 'missing_entry', seq: 2 });
  });

  it('finds a removed tail through the head', () => {
    const { entries, head } = chain(5);
    entries.pop();
    expect(findChainBreak(entries, head)).toEqual({ kind: 'head_mismatch', seq: 5 });
  });

  it('finds an entry rewritten with a recomputed hash through the next link', () => {
    const { entries, head } = chain(4);
    const forged = { ...entries[1]!, after: { name: 'Forged' } };
    const { hash: _old, ...content } = forged;
    entries[1] = { ...forged, hash: auditEntryHash(content) };
    expect(findChainBreak(entries, head)).toEqual({ kind: 'prev_hash_mismatch', seq: 3, id: 'aud_3' });
  });
});
