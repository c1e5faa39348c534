import { http, HttpResponse } from 'msw';

import { account } from './data';

/** Defaults for every unit test; a test overrides what it is about with server.use(...). */
export const handlers = [
  http.get('*/api/v1/auth/me/', () =>
    HttpResponse.json({
      id: 1,
      username: 'arjun',
      email: 'arjun@example.in',
      first_name: 'Arjun',
      last_name: 'Mehta',
      roles: ['customer'],
      customer: null,
    }),
  ),
  http.get('*/api/v1/accounts/', () =>
    HttpResponse.json({
      next: null,
      previous: null,
      results: [account(), account({ number: '1010001000000020', balance: '130000.00', available_balance: '130000.00' })],
    }),
  ),
  http.get('*/api/v1/notifications/', () => HttpResponse.json({ next: null, previous: null, results: [] })),
  http.get('*/api/v1/announcements/', () => HttpResponse.json({ next: null, previous: null, results: [] })),
];
