import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Page } from '../api.js';

type Query = Record<string, string | number | undefined>;

/**
 * A cursor-paged list: the first page on mount (and on `reload`), more with `loadMore`.
 * `cursorParam` is `after` for id cursors and `before` for the audit log's seq cursor.
 */
export function usePagedList<T>(path: string, query: Query = {}, cursorParam: 'after' | 'before' = 'after', limit = 50) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const queryKey = JSON.stringify(query);
  const generation = useRef(0);

  const load = useCallback(
    async (from: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<Page<T>>(path, { ...(JSON.parse(queryKey) as Query), limit, [cursorParam]: from ?? undefined });
        if (mine !== generation.current) return;
        setItems((previous) => (from ? [...previous, ...page.items] : page.items));
        setCursor(page.next_cursor);
      } catch (e) {
        if (mine === generation.current) setError(e);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [path, queryKey, cursorParam, limit],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => load(cursor),
    reload: () => load(null),
    /** Replaces one item in place after an update, without refetching. */
    replace: (match: (item: T) => boolean, next: T) => setItems((list) => list.map((item) => (match(item) ? next : item))),
  };
}
