// What each module moved in a merge, as counts per kind (`payments: 3`, `points: 1200`): read from
// the stored move records through each handler's own summary, so identity never interprets them.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { mergeHandlerFor, type MoveRecord } from './merge-handlers.js';
import { mergeMoves } from './schema.js';

export interface ModuleMove {
  readonly module: string;
  /** Counts per kind of thing moved; empty when the module moved nothing or cannot say. */
  readonly counts: Record<string, number>;
}

export function summarise(module: string, record: MoveRecord): Record<string, number> {
  const handler = mergeHandlerFor(module);
  if (!handler?.summary) return {};
  try {
    return handler.summary(record);
  } catch {
    // A record older than the handler's current shape: the counts are a display, not a contract.
    return {};
  }
}

/** Moves of several merges, in the order the merge ran the handlers. */
export async function movesOf(db: Db, merchantId: string, mergeIds: readonly string[]): Promise<Map<string, ModuleMove[]>> {
  const map = new Map<string, ModuleMove[]>();
  if (!mergeIds.length) return map;
  const rows = await db
    .select({ mergeId: mergeMoves.mergeId, module: mergeMoves.module, record: mergeMoves.record })
    .from(mergeMoves)
    .where(and(eq(mergeMoves.merchantId, merchantId), inArray(mergeMoves.mergeId, [...mergeIds])))
    .orderBy(mergeMoves.mergeId, mergeMoves.position);
  for (const row of rows) map.set(row.mergeId, [...(map.get(row.mergeId) ?? []), { module: row.module, counts: summarise(row.module, row.record as MoveRecord) }]);
  return map;
}
