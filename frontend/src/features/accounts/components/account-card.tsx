import { Link } from 'react-router';

import { WalletIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { formatAccountNumber } from '@/lib/format';
import { compareAmounts } from '@/lib/money';

import { currencyOf, type Account } from '../api/accounts';
import { AccountBadges, accountLabel } from './account-badges';

export function AccountCard({ account }: { account: Account }) {
  const currency = currencyOf(account);
  const held = compareAmounts(account.available_balance, account.balance, currency) !== 0;
  return (
    <Link to={`/accounts/${account.number}`} className="card account-card">
      <div className="spread">
        <div className="row">
          <span className="account-chip">
            <WalletIcon />
          </span>
          <div>
            <strong>{accountLabel(account)}</strong>
            <div className="tx-sub tabular">{formatAccountNumber(account.number)}</div>
          </div>
        </div>
      </div>
      <div>
        <div className="tx-sub">Balance</div>
        <div className="balance">
          <Amount value={account.balance} currency={currency} />
        </div>
        {held && (
          <div className="tx-sub">
            Available <Amount value={account.available_balance} currency={currency} />
          </div>
        )}
      </div>
      <div className="spread">
        <AccountBadges account={account} />
        <span className="tx-sub">{account.branch.name}</span>
      </div>
    </Link>
  );
}
