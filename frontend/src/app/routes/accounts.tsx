import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Card, CardHead, PageHead } from '@/components/ui/card';
import { CashIcon, DownloadIcon, PlusIcon, SendIcon, WalletIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { useToast } from '@/components/ui/toast';
import {
  currencyOf,
  downloadMonthlyStatementPdf,
  downloadStatementCsv,
  recentMonths,
  useAccount,
  useInterest,
  useAccounts,
  useStatement,
} from '@/features/accounts/api/accounts';
import { AccountBadges, accountLabel } from '@/features/accounts/components/account-badges';
import { AccountCard } from '@/features/accounts/components/account-card';
import { OpenAccountDialog } from '@/features/accounts/components/open-account-dialog';
import { CashDialog } from '@/features/cash/components/cash-dialog';
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
  const [cash, setCash] = useState<null | 'deposit' | 'withdrawal'>(null);
  const months = recentMonths(12);
  const [month, setMonth] = useState(months[1] ?? months[0]!);
  const interest = useInterest(number, account.isSuccess);

  if (account.isPending) return <LoadingRows rows={4} label="Loading account" />;
  if (account.error) return <ErrorState error={account.error} onRetry={() => account.refetch()} />;
  const a = account.data;
  const currency = currencyOf(a);

  const download = async (format: 'csv' | 'pdf') => {
    setDownloading(true);
    try {
      await (format === 'csv' ? downloadStatementCsv(a.number) : downloadMonthlyStatementPdf(a.number, month));
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
            {a.status === 'active' && (
              <>
                <Button variant="secondary" onClick={() => setCash('deposit')}>
                  <CashIcon width={18} height={18} /> Deposit
                </Button>
                <Button variant="secondary" onClick={() => setCash('withdrawal')}>
                  <CashIcon width={18} height={18} /> Withdraw
                </Button>
              </>
            )}
            <Button variant="secondary" onClick={() => download('csv')} loading={downloading}>
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
      <div className="grid grid-2" style={{ marginTop: '1.25rem' }}>
        <Card aria-labelledby="interest-title">
          <CardHead id="interest-title" title="Interest" />
          {interest.isPending ? (
            <LoadingRows rows={3} label="Loading interest" />
          ) : interest.error ? (
            <ErrorState error={interest.error} onRetry={() => interest.refetch()} />
          ) : (
            <Summary
              rows={[
                ['Rate', `${formatRate(interest.data.annual_rate ?? undefined)} a year`],
                [
                  'Earned so far, not yet paid',
                  <span data-testid="interest-accrued">
                    <Amount value={interest.data.accrued_to_date} currency={interest.data.currency} />
                  </span>,
                ],
                ['Paid in to date', <Amount value={interest.data.posted_total} currency={interest.data.currency} />],
                ['Paid through', interest.data.posted_through ? formatDate(interest.data.posted_through) : 'Not yet'],
                ['Paid', interest.data.product?.posting_period],
                ['Worked out', interest.data.product?.calculation_method.replace(/_/g, ' ')],
              ]}
            />
          )}
        </Card>
        <Card aria-labelledby="monthly-title">
          <CardHead id="monthly-title" title="Monthly statement" />
          <div className="stack">
            <Field label="Month">
              <select className="input" value={month} onChange={(e) => setMonth(e.target.value)}>
                {months.map((m) => (
                  <option key={m} value={m}>
                    {new Intl.DateTimeFormat('en-IN', { month: 'long', year: 'numeric' }).format(new Date(`${m}-01T00:00`))}
                  </option>
                ))}
              </select>
            </Field>
            <div>
              <Button variant="secondary" onClick={() => download('pdf')} loading={downloading}>
                <DownloadIcon width={18} height={18} /> Download PDF
              </Button>
            </div>
          </div>
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
      {cash && <CashDialog kind={cash} account={a.number} currency={currency} onClose={() => setCash(null)} />}
    </>
  );
}
