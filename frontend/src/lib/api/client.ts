/**
 * The one API client: openapi-fetch typed by `schema.d.ts`, which openapi-typescript
 * generates from the backend's committed OpenAPI schema (`make frontend-api`; `make test`
 * fails when either drifts from the Django code).
 *
 * Middleware adds the bearer token, refreshes it shortly before it lapses (refresh tokens
 * rotate, so one refresh runs at a time), and signs out when the API says the token is gone.
 */
import createClient, { type Middleware } from 'openapi-fetch';

import { getTokens, setTokens, tokenExpiry, type Tokens } from '../auth/tokens';
import { toApiError } from './problem';
import type { paths } from './schema';

export type { components, paths } from './schema';

const REFRESH_MARGIN_SECONDS = 30;
const PUBLIC_PATHS = [
  '/api/v1/auth/token/',
  '/api/v1/auth/register/',
  '/api/v1/auth/password/reset/',
  '/api/v1/auth/password/reset/confirm/',
];

export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? '',
  // Looked up per call, not captured once, so test doubles (MSW) and polyfills are seen.
  fetch: (request) => globalThis.fetch(request),
});

let refreshing: Promise<Tokens | null> | null = null;

async function refreshTokens(tokens: Tokens): Promise<Tokens | null> {
  // A plain fetch: going through `api` would re-enter this middleware.
  const response = await fetch(`${globalThis.location?.origin ?? ''}/api/v1/auth/token/refresh/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh: tokens.refresh }),
  });
  if (!response.ok) return null;
  const body = (await response.json()) as { access: string; refresh?: string };
  return { access: body.access, refresh: body.refresh ?? tokens.refresh };
}

/** A fresh access token, refreshing it first when it lapses within the margin. */
export async function freshAccessToken(): Promise<string | null> {
  const tokens = getTokens();
  if (!tokens) return null;
  if (tokenExpiry(tokens.access) - Date.now() / 1000 > REFRESH_MARGIN_SECONDS) return tokens.access;
  refreshing ??= refreshTokens(tokens)
    .catch(() => null)
    .then((next) => {
      setTokens(next);
      return next;
    })
    .finally(() => {
      refreshing = null;
    });
  return (await refreshing)?.access ?? null;
}

const auth: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (PUBLIC_PATHS.includes(schemaPath)) return request;
    const access = await freshAccessToken();
    if (access) request.headers.set('Authorization', `Bearer ${access}`);
    return request;
  },
  async onResponse({ response, schemaPath }) {
    if (response.status === 401 && !PUBLIC_PATHS.includes(schemaPath)) setTokens(null);
    return response;
  },
};
api.use(auth);

/** Unwrap an openapi-fetch result: the data, or throw an ApiError carrying the problem JSON. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw toApiError(error, response);
  return data as T;
}

/** Authenticated GET of a file (CSV statements): the bearer header rules out a plain link. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const access = await freshAccessToken();
  const response = await fetch(path, { headers: access ? { Authorization: `Bearer ${access}` } : {} });
  if (!response.ok) {
    throw toApiError(await response.json().catch(() => undefined), response);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
