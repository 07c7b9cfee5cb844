// The protocol by which modules that own person data (membership, points, stored value, coupons,
// orders, events, tags, consents) take part in a merge: identity never writes their tables. Each
// handler moves its own rows inside identity's transaction and returns a JSON record of what it
// moved; on unmerge identity hands that record back and the handler moves the rows back.

import type { Db } from '../../db/client.js';
import type { AccessContext } from '../platform/index.js';

export interface MergeHandlerInput {
  readonly merchantId: string;
  readonly mergeId: string;
  readonly survivorId: string;
  readonly absorbedId: string;
}

/** A JSON value: stored as is and handed back unchanged. */
export type MoveRecord = null | boolean | number | string | readonly MoveRecord[] | { readonly [key: string]: MoveRecord };

export interface MergeHandler {
  /** The module's name (`membership`); one handler per module. */
  readonly module: string;
  merge(tx: Db, ctx: AccessContext, input: MergeHandlerInput): Promise<MoveRecord>;
  unmerge(tx: Db, ctx: AccessContext, record: MoveRecord, input: MergeHandlerInput): Promise<void>;
  /** Counts per kind of what a record moved (`payments: 3`), shown to staff before they unmerge. */
  summary?(record: MoveRecord): Record<string, number>;
}

const handlers = new Map<string, MergeHandler>();

/**
 * Registers a module's handler (a module calls this once when its index is loaded). Returns a
 * function that removes it again, for tests that register a handler of their own.
 */
export function registerMergeHandler(handler: MergeHandler): () => void {
  handlers.set(handler.module, handler);
  return () => {
    if (handlers.get(handler.module) === handler) handlers.delete(handler.module);
  };
}

/** Handlers in a fixed order (by module name), so every merge runs them the same way. */
export function mergeHandlers(): MergeHandler[] {
  return [...handlers.values()].sort((a, b) => a.module.localeCompare(b.module));
}

export function mergeHandlerFor(module: string): MergeHandler | undefined {
  return handlers.get(module);
}
