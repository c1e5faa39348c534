import { Link, useSearchParams } from 'react-router';

import { Card, PageHead } from '@/components/ui/card';
import { WalletIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { currencyOf, useAccounts } from '@/features/accounts/api/accounts';
import { accountLabel } from '@/features/accounts/components/account-badges';
import { TransferFlow } from '@/features/transfers/components/transfer-flow';

export function TransferRoute() {
  const accounts = useAccounts();
  const [params] = useSearchParams();
  const paying = (accounts.data ?? [])
    .filter((a) => a.status !== 'closed')
    .map((a) => ({
      number: a.number,
      label: accountLabel(a),
      currency: currencyOf(a),
      available: a.available_balance,
      canPay: a.status === 'active',
    }));
  return (
    <div style={{ maxWidth: 560 }}>
      <PageHead
        title="Transfer money"
        subtitle={
          <>
            Between your accounts or to anyone at the bank, instantly. Paying someone you saved?{' '}
            <Link to="/payees">Your payees</Link>
          </>
        }
      />
      {accounts.isPending ? (
        <LoadingRows rows={4} />
      ) : accounts.error ? (
        <ErrorState error={accounts.error} onRetry={() => accounts.refetch()} />
      ) : !paying.some((a) => a.canPay) ? (
        <Card>
          <EmptyState title="No account can send money right now" icon={<WalletIcon />} />
        </Card>
      ) : (
        <Card>
          <TransferFlow
            accounts={paying}
            initial={params.get('from') ? { source_account: params.get('from')! } : undefined}
          />
        </Card>
      )}
    </div>
  );
}
