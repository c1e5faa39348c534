import { useMemo, useState } from 'react';
import { Link } from 'react-router';

import { Card, CardHead } from '@/components/ui/card';
import { PlusIcon, WalletIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { currencyOf, useAccounts } from '@/features/accounts/api/accounts';
import { AccountCard } from '@/features/accounts/components/account-card';
import { OpenAccountDialog } from '@/features/accounts/components/open-account-dialog';
import { useMonthEntries, useRecentEntries, useStatements } from '@/features/dashboard/api/dashboard';
import { BalanceChart } from '@/features/dashboard/components/balance-chart';
import { BalanceHero } from '@/features/dashboard/components/balance-hero';
import { balanceHistory, monthFlow, trimQuietStart } from '@/features/dashboard/utils/summaries';
import { useNotifications } from '@/features/notifications/api/notifications';
import { AnnouncementBanner } from '@/features/notifications/components/announcement-banner';
import { NotificationList } from '@/features/notifications/components/notification-list';
import { EntryList } from '@/features/transactions/components/entry-list';
import { totalsByCurrency } from '@/lib/money';

const HOME_CURRENCY = 'INR';

export function DashboardRoute() {
  const accounts = useAccounts();
  const [opening, setOpening] = useState(false);
  const list = useMemo(() => accounts.data ?? [], [accounts.data]);
  const open = list.filter((a) => a.status !== 'closed');
  const currencyByNumber = useMemo(() => new Map(list.map((a) => [a.number, currencyOf(a)])), [list]);
  const currencyFor = (number: string) => currencyByNumber.get(number) ?? HOME_CURRENCY;

  const statements = useStatements(open.map((a) => ({ number: a.number, currency: currencyOf(a), balance: a.balance })));
  const month = useMonthEntries();
  const recent = useRecentEntries(8);
  const unread = useNotifications({ unreadOnly: true, size: 5 });

  const totals = accounts.data
    ? totalsByCurrency(open.map((a) => ({ amount: a.balance, currency: currencyOf(a) })))
    : undefined;
  const flow = month.data && accounts.data ? monthFlow(month.data, currencyFor, HOME_CURRENCY) : undefined;
  const history = statements.data ? trimQuietStart(balanceHistory(statements.data, HOME_CURRENCY, 30), 7) : undefined;

  if (accounts.error) return <ErrorState error={accounts.error} onRetry={() => accounts.refetch()} />;

  return (
    <div className="stack" style={{ gap: '1.25rem' }}>
      <h1 className="visually-hidden">Home</h1>
      <AnnouncementBanner />
      <div className="grid grid-2">
        <div className="stack" style={{ gap: '1.25rem' }}>
          <BalanceHero
            totals={totals}
            flow={flow}
            currency={HOME_CURRENCY}
            accountCount={open.length}
            onOpenAccount={() => setOpening(true)}
          />
          <Card aria-labelledby="chart-title">
            <CardHead id="chart-title" title="Balance history" />
            {history ? (
              <BalanceChart points={history} currency={HOME_CURRENCY} />
            ) : (
              <LoadingRows rows={3} label="Loading chart" />
            )}
          </Card>
        </div>
        <div className="stack" style={{ gap: '1.25rem' }}>
          <Card aria-labelledby="recent-title">
            <CardHead id="recent-title" title="Recent activity" action={<Link to="/history">See all</Link>} />
            {recent.isPending ? (
              <LoadingRows rows={4} />
            ) : recent.error ? (
              <ErrorState error={recent.error} onRetry={() => recent.refetch()} />
            ) : (
              <EntryList entries={recent.data ?? []} currencyOf={currencyFor} />
            )}
          </Card>
          <Card aria-labelledby="notifications-title">
            <CardHead id="notifications-title" title="Notifications" action={<Link to="/notifications">See all</Link>} />
            {unread.isPending ? (
              <LoadingRows rows={2} label="Loading notifications" />
            ) : unread.error ? (
              <ErrorState error={unread.error} onRetry={() => unread.refetch()} />
            ) : (
              <NotificationList notifications={unread.data} emptyTitle="You are all caught up" />
            )}
          </Card>
        </div>
      </div>

      <section aria-labelledby="accounts-title" className="stack">
        <div className="spread">
          <h2 id="accounts-title">Your accounts</h2>
          <Link to="/accounts">Manage</Link>
        </div>
        {accounts.isPending ? (
          <LoadingRows rows={2} />
        ) : open.length === 0 ? (
          <Card>
            <EmptyState title="No accounts yet" icon={<WalletIcon />}>
              <button type="button" className="btn btn-primary" onClick={() => setOpening(true)}>
                <PlusIcon width={18} height={18} /> Open your first account
              </button>
            </EmptyState>
          </Card>
        ) : (
          <div className="grid grid-cards">
            {open.map((account) => (
              <AccountCard key={account.number} account={account} />
            ))}
          </div>
        )}
      </section>
      <OpenAccountDialog open={opening} onClose={() => setOpening(false)} />
    </div>
  );
}
