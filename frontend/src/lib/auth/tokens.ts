/**
 * The JWT pair from /api/v1/auth/token/. Kept in sessionStorage: it survives a reload of the
 * tab but not closing it, and other tabs do not share it (each tab signs in on its own).
 * Listeners hear about sign-in and sign-out so the UI follows.
 */
export type Tokens = { access: string; refresh: string };

const KEY = 'bank.tokens';
const listeners = new Set<(tokens: Tokens | null) => void>();

export function getTokens(): Tokens | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Tokens;
    return parsed.access && parsed.refresh ? parsed : null;
  } catch {
    return null;
  }
}

export function setTokens(tokens: Tokens | null): void {
  if (tokens) sessionStorage.setItem(KEY, JSON.stringify(tokens));
  else sessionStorage.removeItem(KEY);
  listeners.forEach((listener) => listener(tokens));
}

export function onTokensChange(listener: (tokens: Tokens | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Seconds since the epoch at which a JWT expires (its `exp` claim), or 0 if unreadable. */
export function tokenExpiry(jwt: string): number {
  try {
    const payload = jwt.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: number }).exp;
    return typeof exp === 'number' ? exp : 0;
  } catch {
    return 0;
  }
}
