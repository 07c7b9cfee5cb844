import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthenticated, type Me } from './api.js';

// Who is signed in. `GET /v1/auth/me` decides between the login page and the layout; any 401
// later (session expired, password changed elsewhere) sends the user back to the login page.

interface SessionValue {
  readonly me: Me | null;
  readonly loading: boolean;
  signedIn(me: Me): void;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    api
      .get<Me>('/v1/auth/me')
      .then((who) => live && setMe(who))
      .catch((error: unknown) => {
        if (!(error instanceof ApiError && error.status === 401)) console.error(error);
      })
      .finally(() => live && setLoading(false));
    const off = onUnauthenticated(() => setMe(null));
    return () => {
      live = false;
      off();
    };
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/v1/auth/logout');
    } finally {
      setMe(null);
    }
  }, []);

  const value = useMemo<SessionValue>(() => ({ me, loading, signedIn: setMe, logout }), [me, loading, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; pages render only inside the layout, where there always is one. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}

export const merchantManagers = ['merchant_owner', 'merchant_admin'] as const;

export function hasRole(me: Me, roles: readonly string[]): boolean {
  return me.role !== null && roles.includes(me.role);
}
