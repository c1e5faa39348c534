import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { fakeJwt } from '@/testing/data';
import { server } from '@/testing/server';

import { getTokens, setTokens } from '../auth/tokens';
import { api, unwrap } from './client';
import { ApiError } from './problem';

describe('api client', () => {
  it('sends the bearer token', async () => {
    const access = fakeJwt(600);
    setTokens({ access, refresh: fakeJwt(86400) });
    let seen: string | null = null;
    server.use(
      http.get('*/api/v1/auth/me/', ({ request }) => {
        seen = request.headers.get('Authorization');
        return HttpResponse.json({});
      }),
    );
    await unwrap(api.GET('/api/v1/auth/me/'));
    expect(seen).toBe(`Bearer ${access}`);
  });

  it('refreshes an access token about to lapse, once for concurrent calls, keeping the rotated refresh token', async () => {
    setTokens({ access: fakeJwt(10), refresh: 'old-refresh' });
    const fresh = fakeJwt(900);
    let refreshes = 0;
    server.use(
      http.post('*/api/v1/auth/token/refresh/', async ({ request }) => {
        refreshes += 1;
        expect(await request.json()).toEqual({ refresh: 'old-refresh' });
        return HttpResponse.json({ access: fresh, refresh: 'new-refresh' });
      }),
      http.get('*/api/v1/auth/me/', ({ request }) => HttpResponse.json({ auth: request.headers.get('Authorization') })),
    );
    const results = await Promise.all([unwrap(api.GET('/api/v1/auth/me/')), unwrap(api.GET('/api/v1/auth/me/'))]);
    expect(refreshes).toBe(1);
    expect(results).toEqual([{ auth: `Bearer ${fresh}` }, { auth: `Bearer ${fresh}` }]);
    expect(getTokens()).toEqual({ access: fresh, refresh: 'new-refresh' });
  });

  it('signs out when the API no longer accepts the token', async () => {
    setTokens({ access: fakeJwt(600), refresh: fakeJwt(86400) });
    server.use(
      http.get('*/api/v1/auth/me/', () =>
        HttpResponse.json(
          { status: 401, code: 'token_not_valid', detail: 'Given token not valid for any token type' },
          { status: 401 },
        ),
      ),
    );
    const error = await unwrap(api.GET('/api/v1/auth/me/')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('token_not_valid');
    expect(getTokens()).toBeNull();
  });
});
