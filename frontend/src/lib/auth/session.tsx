/**
 * Who is signed in. Tokens live in ./tokens (sessionStorage); the profile comes from
 * GET /api/v1/auth/me/. Signing out revokes the refresh token, clears every cached query
 * (no previous customer's balances linger in memory) and says why on the login page.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';

import { api, unwrap, type components } from '../api/client';
import { getTokens, onTokensChange, setTokens, type Tokens } from './tokens';

export type Me = components['schemas']['MeOutput'];
export type SignOutReason = 'user' | 'idle' | 'expired' | 'password';

type Session = {
  user: Me | undefined;
  isSignedIn: boolean;
  isLoading: boolean;
  signIn: (tokens: Tokens) => void;
  signOut: (reason?: SignOutReason) => Promise<void>;
  signOutReason: SignOutReason | null;
};

const SessionContext = createContext<Session | null>(null);

export const meQueryKey = ['auth', 'me'] as const;

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [tokens, setTokenState] = useState<Tokens | null>(getTokens);
  const [signOutReason, setSignOutReason] = useState<SignOutReason | null>(null);

  useEffect(
    () =>
      onTokensChange((next) => {
        setTokenState(next);
        // Tokens vanished without a sign-out click: the API refused them (expired or revoked).
        if (!next) {
          queryClient.clear();
          setSignOutReason((reason) => reason ?? 'expired');
        }
      }),
    [queryClient],
  );

  const me = useQuery({
    queryKey: meQueryKey,
    queryFn: () => unwrap(api.GET('/api/v1/auth/me/')),
    enabled: !!tokens,
    staleTime: 5 * 60_000,
  });

  const signIn = useCallback((next: Tokens) => {
    setSignOutReason(null);
    setTokens(next);
  }, []);

  const signOut = useCallback(
    async (reason: SignOutReason = 'user') => {
      const current = getTokens();
      setSignOutReason(reason);
      if (current) {
        // Best effort: the access token lapses on its own within minutes anyway.
        await api.POST('/api/v1/auth/logout/', { body: { refresh: current.refresh } }).catch(() => undefined);
      }
      setTokens(null);
      queryClient.clear();
    },
    [queryClient],
  );

  const value = useMemo<Session>(
    () => ({
      user: me.data,
      isSignedIn: !!tokens,
      isLoading: !!tokens && me.isPending,
      signIn,
      signOut,
      signOutReason,
    }),
    [me.data, me.isPending, tokens, signIn, signOut, signOutReason],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Pages behind sign-in: anyone else goes to /login and comes back after. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { isSignedIn } = useSession();
  const location = useLocation();
  if (!isSignedIn) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}
