import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { Button } from '@/components/ui/button';
import { Card, CardHead, PageHead } from '@/components/ui/card';
import { DownloadIcon, PlusIcon, SendIcon, WalletIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { useToast } from '@/components/ui/toast';
import {
  currencyOf,
  downloadStatementCsv,
  useAccount,
  useAccounts,
  useStatement,
} from '@/features/accounts/api/accounts';
import { AccountBadges, accountLabel } from '@/features/accounts/components/account-badges';
import { AccountCard } from '@/features/accounts/components/account-card';
import { OpenAccountDialog } from '@/features/accounts/components/open-account-dialog';
import { EntryList } from '@/features/transactions/components/entry-list';
import { errorMessage } from '@/lib/api/problem';
import { formatAccountNumber, formatDate, formatRate } from '@/lib/format';

export function AccountsRoute() {
  const accounts = useAccounts();
  const [opening, setOpening] = useState(false);
  const navigate = useNavigate();
  return (
    <>
      <PageHead
        title="Accounts"
        subtitle="Savings, current and more: tap one for its statement."
        action={
          <Button onClick={() => setOpening(true)}>
            <PlusIcon width={18} height={18} /> Open account
          </Button>
        }
      />
      {accounts.isPending ? (
        <LoadingRows rows={3} />
      ) : accounts.error ? (
        <ErrorState error={accounts.error} onRetry={() => accounts.refetch()} />
      ) : accounts.data.length === 0 ? (
        <Card>
          <EmptyState title="No accounts yet" icon={<WalletIcon />}>
            Open one to start banking.
          </EmptyState>
        </Card>
      ) : (
        <div className="grid grid-cards">
          {accounts.data.map((account) => (
            <AccountCard key={account.number} account={account} />
          ))}
        </div>
      )}
      <OpenAccountDialog
        open={opening}
        onClose={() => setOpening(false)}
        onOpened={(account) => navigate(`/accounts/${account.number}`)}
      />
    </>
  );
}

export function AccountDetailRoute() {
  const { number = '' } = useParams();
  const account = useAccount(number);
  const statement = useStatement(number, 10, account.isSuccess);
  const notify = useToast();
  const [downloading, setDownloading] = useState(false);

  if (account.isPending) return <LoadingRows rows={4} label="Loading account" />;
  if (account.error) return <ErrorState error={account.error} onRetry={() => account.refetch()} />;
  const a = account.data;
  const currency = currencyOf(a);

  const download = async () => {
    setDownloading(true);
    try {
      await downloadStatementCsv(a.number);
      notify('Statement downloaded');
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setDownloading(false);
    }
  };

  return (
    <>
      <nav aria-label="Breadcrumb" className="tx-sub" style={{ marginTop: '0.5rem' }}>
        <Link to="/accounts">Accounts</Link> / {accountLabel(a)}
      </nav>
      <PageHead
        title={accountLabel(a)}
        subtitle={<span className="tabular">{formatAccountNumber(a.number)}</span>}
        action={<AccountBadges account={a} />}
      />
      <div className="grid grid-2">
        <Card className="hero" aria-label="Balance">
          <span className="label">Balance</span>
          <div className="hero-amount tabular" data-testid="account-balance">
            <Amount value={a.balance} currency={currency} />
          </div>
          <div className="hero-stats">
            <div>
              <span>Available</span>
              <strong className="tabular">
                <Amount value={a.available_balance} currency={currency} />
              </strong>
            </div>
            <div>
              <span>Overdraft limit</span>
              <strong className="tabular">
                <Amount value={a.overdraft_limit} currency={currency} />
              </strong>
            </div>
          </div>
          <div className="hero-actions">
            {a.status === 'active' && (
              <Link className="btn btn-secondary" to={`/transfer?from=${a.number}`}>
                <SendIcon width={18} height={18} /> Transfer
              </Link>
            )}
            <Button variant="secondary" onClick={download} loading={downloading}>
              <DownloadIcon width={18} height={18} /> Statement (CSV)
            </Button>
          </div>
        </Card>
        <Card aria-labelledby="details-title">
          <CardHead id="details-title" title="Details" />
          <Summary
            rows={[
              ['Product', a.account_type.name],
              ['Interest', `${formatRate(a.account_type.interest_rate)} a year`],
              ['Branch', a.branch.name],
              ['Routing code', <span className="tabular">{a.routing_code}</span>],
              ['Holder', a.owner_name],
              ['Opened', formatDate(a.opened_at)],
            ]}
          />
        </Card>
      </div>
      <Card aria-labelledby="mini-title" style={{ marginTop: '1.25rem' }}>
        <CardHead
          id="mini-title"
          title="Mini statement"
          action={<Link to={`/history?account=${a.number}`}>Full history</Link>}
        />
        {statement.isPending ? (
          <LoadingRows rows={4} />
        ) : statement.error ? (
          <ErrorState error={statement.error} onRetry={() => statement.refetch()} />
        ) : (
          <EntryList entries={statement.data} currencyOf={() => currency} showBalance />
        )}
      </Card>
    </>
  );
}
