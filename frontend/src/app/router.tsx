import { createBrowserRouter, type RouteObject } from 'react-router';

import { AppShell } from '@/components/layout/app-shell';
import { RequireAuth } from '@/lib/auth/session';

import { ForgotPasswordRoute, LoginRoute, RegisterRoute, ResetPasswordRoute } from './routes/auth';

// Pages behind sign-in load on first visit (the chart library only with the dashboard),
// so the sign-in page comes up with the smallest bundle.
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginRoute /> },
  { path: '/register', element: <RegisterRoute /> },
  { path: '/forgot-password', element: <ForgotPasswordRoute /> },
  { path: '/reset-password', element: <ResetPasswordRoute /> },
  {
    element: (
      <RequireAuth>
        <AppShell />
      </RequireAuth>
    ),
    children: [
      { index: true, lazy: async () => ({ Component: (await import('./routes/dashboard')).DashboardRoute }) },
      { path: 'accounts', lazy: async () => ({ Component: (await import('./routes/accounts')).AccountsRoute }) },
      {
        path: 'accounts/:number',
        lazy: async () => ({ Component: (await import('./routes/accounts')).AccountDetailRoute }),
      },
      { path: 'transfer', lazy: async () => ({ Component: (await import('./routes/transfer')).TransferRoute }) },
      { path: 'history', lazy: async () => ({ Component: (await import('./routes/history')).HistoryRoute }) },
      { path: 'more', lazy: async () => ({ Component: (await import('./routes/more')).MoreRoute }) },
      { path: 'loans', lazy: async () => ({ Component: (await import('./routes/loans')).LoansRoute }) },
      { path: 'loans/apply', lazy: async () => ({ Component: (await import('./routes/loans')).LoanApplyRoute }) },
      { path: 'loans/:id', lazy: async () => ({ Component: (await import('./routes/loans')).LoanDetailRoute }) },
      {
        path: 'notifications',
        lazy: async () => ({ Component: (await import('./routes/notifications')).NotificationsRoute }),
      },
      { path: 'insights', lazy: async () => ({ Component: (await import('./routes/insights')).InsightsRoute }) },
      { path: 'cards', lazy: async () => ({ Component: (await import('./routes/cards')).CardsRoute }) },
      { path: 'payees', lazy: async () => ({ Component: (await import('./routes/payees')).PayeesRoute }) },
      { path: 'profile', lazy: async () => ({ Component: (await import('./routes/profile')).ProfileRoute }) },
      { path: 'support', lazy: async () => ({ Component: (await import('./routes/support')).SupportRoute }) },
      { path: 'support/:id', lazy: async () => ({ Component: (await import('./routes/support')).TicketRoute }) },
      { path: '*', lazy: async () => ({ Component: (await import('./routes/not-found')).NotFoundRoute }) },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
