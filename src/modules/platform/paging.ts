export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Ids are sortable, so "after this id" is a stable cursor. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 50, 1), 200);
}
