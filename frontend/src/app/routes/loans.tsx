import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHead, PageHead } from '@/components/ui/card';
import { BankIcon, PlusIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { useToast } from '@/components/ui/toast';
import { useAccounts } from '@/features/accounts/api/accounts';
import { accountLabel } from '@/features/accounts/components/account-badges';
import {
  LOAN_STATUS,
  PURPOSES,
  useLoan,
  useLoanProducts,
  useLoanRepayments,
  useLoans,
  useLoanSchedule,
  type Loan,
} from '@/features/loans/api/loans';
import { LoanApplicationForm } from '@/features/loans/components/loan-application-form';
import { RepayDialog } from '@/features/loans/components/repay-dialog';
import { formatDate, formatDateTime, formatRate, maskAccountNumber } from '@/lib/format';

function LoanStatus({ loan }: { loan: Loan }) {
  const status = LOAN_STATUS[loan.status ?? 'submitted'] ?? { label: loan.status ?? '', tone: 'neutral' as const };
  return <Badge tone={status.tone}>{status.label}</Badge>;
}

export function LoansRoute() {
  const loans = useLoans();
  return (
    <>
      <PageHead
        title="Loans"
        subtitle="Apply, follow the decision, and repay."
        action={
          <Link className="btn btn-primary" to="/loans/apply">
            <PlusIcon width={18} height={18} /> Apply for a loan
          </Link>
        }
      />
      <Card aria-label="Your loans">
        {loans.isPending ? (
          <LoadingRows rows={3} />
        ) : loans.error ? (
          <ErrorState error={loans.error} onRetry={() => loans.refetch()} />
        ) : loans.data.length === 0 ? (
          <EmptyState title="No loans yet" icon={<BankIcon />}>
            Apply in a few minutes and see your risk estimate before you send it.
          </EmptyState>
        ) : (
          <ul className="tx-list">
            {loans.data.map((loan) => (
              <li key={loan.id} className="tx">
                <span className="tx-icon">
                  <BankIcon />
                </span>
                <div style={{ minWidth: 0 }}>
                  <Link className="tx-title" to={`/loans/${loan.id}`}>
                    {PURPOSES[loan.purpose]} loan #{loan.id}
                  </Link>
                  <div className="tx-sub">
                    {loan.term_months} months · {formatRate(loan.annual_rate)} · applied {formatDate(loan.created_at)}
                  </div>
                </div>
                <div className="tx-amount">
                  <Amount value={loan.amount} currency={loan.currency} />
                  <div>
                    <LoanStatus loan={loan} />
                  </div>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

export function LoanApplyRoute() {
  const products = useLoanProducts();
  const accounts = useAccounts();
  const navigate = useNavigate();
  const notify = useToast();
  const active = (accounts.data ?? []).filter((a) => a.status === 'active');
  return (
    <div style={{ maxWidth: 820 }}>
      <nav aria-label="Breadcrumb" className="tx-sub" style={{ marginTop: '0.5rem' }}>
        <Link to="/loans">Loans</Link> / Apply
      </nav>
      <PageHead title="Apply for a loan" subtitle="See your risk estimate first; applying does not commit you." />
      <Card>
        {products.isPending || accounts.isPending ? (
          <LoadingRows rows={6} />
        ) : products.error || accounts.error ? (
          <ErrorState error={products.error ?? accounts.error} />
        ) : active.length === 0 ? (
          <EmptyState title="Open an account first" icon={<BankIcon />}>
            The loan is paid into one of your active accounts.
          </EmptyState>
        ) : (
          <LoanApplicationForm
            products={products.data}
            accounts={active.map((a) => ({ number: a.number, label: `${accountLabel(a)} ${maskAccountNumber(a.number)}` }))}
            onApplied={(loan) => {
              notify(`Application #${loan.id} sent`);
              navigate(`/loans/${loan.id}`);
            }}
          />
        )}
      </Card>
    </div>
  );
}

export function LoanDetailRoute() {
  const id = Number(useParams().id);
  const loan = useLoan(id);
  const active = loan.data?.status === 'disbursed' || loan.data?.status === 'closed';
  const schedule = useLoanSchedule(id, active);
  const repayments = useLoanRepayments(id, active);
  const [paying, setPaying] = useState<null | 'repay' | 'payoff'>(null);

  if (loan.isPending) return <LoadingRows rows={4} label="Loading loan" />;
  if (loan.error) return <ErrorState error={loan.error} onRetry={() => loan.refetch()} />;
  const l = loan.data;
  const c = l.currency;

  return (
    <>
      <nav aria-label="Breadcrumb" className="tx-sub" style={{ marginTop: '0.5rem' }}>
        <Link to="/loans">Loans</Link> / #{l.id}
      </nav>
      <PageHead
        title={`${PURPOSES[l.purpose]} loan #${l.id}`}
        subtitle={`${l.term_months} months at ${formatRate(l.annual_rate)} a year`}
        action={<LoanStatus loan={l} />}
      />
      <div className="grid grid-2">
        <Card className="hero" aria-label="Loan balance">
          <span className="label">{l.status === 'disbursed' ? 'Principal outstanding' : 'Amount'}</span>
          <div className="hero-amount tabular" data-testid="loan-outstanding">
            <Amount value={(l.status === 'disbursed' ? l.principal_outstanding : l.amount) ?? l.amount} currency={c} />
          </div>
          <div className="hero-stats">
            <div>
              <span>Monthly instalment</span>
              <strong className="tabular">{l.emi ? <Amount value={l.emi} currency={c} /> : '—'}</strong>
            </div>
            {l.payoff_amount && (
              <div>
                <span>Pay off today</span>
                <strong className="tabular">
                  <Amount value={l.payoff_amount} currency={c} />
                </strong>
              </div>
            )}
          </div>
          {l.status === 'disbursed' && (
            <div className="hero-actions">
              <Button variant="secondary" onClick={() => setPaying('repay')}>
                Repay
              </Button>
              <Button variant="secondary" onClick={() => setPaying('payoff')}>
                Pay off
              </Button>
            </div>
          )}
        </Card>
        <Card aria-labelledby="loan-details">
          <CardHead id="loan-details" title="Details" />
          <Summary
            rows={[
              ['Amount', <Amount value={l.amount} currency={c} />],
              ['Account', maskAccountNumber(l.account)],
              ['Risk band', l.risk ? `${l.risk.band}` : null],
              ['Applied', formatDateTime(l.created_at)],
              ['Paid out', l.disbursed_at ? formatDateTime(l.disbursed_at) : null],
              ['Days past due', l.days_past_due ? String(l.days_past_due) : null],
              ['Closed', l.closed_at ? formatDateTime(l.closed_at) : null],
            ]}
          />
          {l.decisions.length > 0 && (
            <div className="stack" style={{ marginTop: '1rem' }}>
              <strong>Decisions</strong>
              {l.decisions.map((d) => (
                <p key={d.created_at} className="tx-sub">
                  {d.outcome === 'approve' ? 'Approved' : 'Rejected'} on {formatDate(d.created_at)}: {d.reason}
                </p>
              ))}
            </div>
          )}
        </Card>
      </div>
      {active && (
        <Card aria-labelledby="schedule-title" style={{ marginTop: '1.25rem' }}>
          <CardHead id="schedule-title" title="Repayment schedule" />
          {schedule.isPending ? (
            <LoadingRows rows={4} />
          ) : schedule.error ? (
            <ErrorState error={schedule.error} onRetry={() => schedule.refetch()} />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Due</th>
                    <th scope="col">Instalment</th>
                    <th scope="col">Principal</th>
                    <th scope="col">Interest</th>
                    <th scope="col">Still owed</th>
                    <th scope="col">Outstanding after</th>
                  </tr>
                </thead>
                <tbody>
                  {schedule.data.map((row) => (
                    <tr key={row.number}>
                      <td>{row.number}</td>
                      <td>{formatDate(row.due_date)}</td>
                      <td className="tabular">
                        <Amount value={row.amount_due} currency={c} />
                      </td>
                      <td className="tabular">
                        <Amount value={row.principal} currency={c} />
                      </td>
                      <td className="tabular">
                        <Amount value={row.interest} currency={c} />
                      </td>
                      <td className="tabular">
                        {row.paid_on ? <Badge tone="success">Paid</Badge> : <Amount value={row.amount_unpaid} currency={c} />}
                      </td>
                      <td className="tabular">
                        <Amount value={row.outstanding} currency={c} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      )}
      {active && (
        <Card aria-labelledby="repayments-title" style={{ marginTop: '1.25rem' }}>
          <CardHead id="repayments-title" title="Payments" />
          {repayments.isPending ? (
            <LoadingRows rows={2} />
          ) : repayments.error ? (
            <ErrorState error={repayments.error} />
          ) : repayments.data.length === 0 ? (
            <EmptyState title="No payments yet" icon={<BankIcon />} />
          ) : (
            <ul className="tx-list">
              {repayments.data.map((r) => (
                <li key={r.id} className="tx">
                  <span className="tx-icon">
                    <BankIcon />
                  </span>
                  <div style={{ minWidth: 0 }}>
                    <div className="tx-title">{r.source === 'auto' ? 'Automatic instalment' : 'Repayment'}</div>
                    <div className="tx-sub">
                      {formatDateTime(r.created_at)} · {r.reference}
                    </div>
                  </div>
                  <div className="tx-amount">
                    <Amount value={r.amount} currency={c} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
      )}
      {paying && <RepayDialog loan={l} payoff={paying === 'payoff'} onClose={() => setPaying(null)} />}
    </>
  );
}
