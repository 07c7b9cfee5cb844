import { createHash } from 'node:crypto';
import { canonicalJson } from '../../kernel/canonical-json.js';

export const genesisHash = '0'.repeat(64);

/** The fields an audit hash covers: everything but the hash itself. */
export interface AuditEntryContent {
  readonly chainId: string;
  readonly seq: number;
  readonly id: string;
  readonly occurredAt: string;
  readonly operatorId: string | null;
  readonly merchantId: string | null;
  readonly actorKind: string;
  readonly actorId: string;
  readonly actorLabel: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
  readonly prevHash: string;
}

export function auditEntryHash(entry: AuditEntryContent): string {
  return createHash('sha256').update(entry.prevHash).update('\n').update(canonicalJson(entry)).digest('hex');
}

export type ChainBreak =
  | { readonly kind: 'hash_mismatch'; readonly seq: number; readonly id: string }
  | { readonly kind: 'prev_hash_mismatch'; readonly seq: number; readonly id: string }
  | { readonly kind: 'missing_entry'; readonly seq: number }
  | { readonly kind: 'head_mismatch'; readonly seq: number };

/**
 * Walks one chain in sequence order and returns the first broken link: an edited entry (its hash no
 * longer matches), a removed entry (a gap in seq or a prev-hash that points elsewhere), or a removed
 * tail (the head remembers a later entry than the chain has).
 */
export function findChainBreak(
  entries: readonly (AuditEntryContent & { readonly hash: string })[],
  head: { readonly seq: number; readonly hash: string } | null,
): ChainBreak | null {
  let expectedPrev = genesisHash;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) return { kind: 'missing_entry', seq: expectedSeq };
    if (entry.prevHash !== expectedPrev) return { kind: 'prev_hash_mismatch', seq: entry.seq, id: entry.id };
    const { hash, ...content } = entry;
    if (auditEntryHash(content) !== hash) return { kind: 'hash_mismatch', seq: entry.seq, id: entry.id };
    expectedPrev = hash;
    expectedSeq += 1;
  }
  const lastSeq = expectedSeq - 1;
  if (head && (head.seq !== lastSeq || head.hash !== expectedPrev)) {
    return { kind: 'head_mismatch', seq: Math.min(head.seq, lastSeq + 1) };
  }
  return null;
}
