import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { CheckIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { Summary } from '@/components/ui/summary';
import { formatAccountNumber, formatDateTime } from '@/lib/format';

import type { Receipt } from '../api/transfer';

export function TransferReceipt({ receipt, onAnother }: { receipt: Receipt; onAnother: () => void }) {
  const source = receipt.entries.find((e) => e.account === receipt.source_account);
  return (
    <section className="stack" aria-labelledby="receipt-title">
      <span className="receipt-check">
        <CheckIcon />
      </span>
      <div style={{ textAlign: 'center' }}>
        <h2 id="receipt-title">Transfer complete</h2>
        <p className="big-amount">
          <Amount value={receipt.amount} currency={receipt.currency} />
        </p>
      </div>
      <Summary
        rows={[
          ['Reference', <span className="tabular">{receipt.reference}</span>],
          ['From', receipt.source_account && <span className="tabular">{formatAccountNumber(receipt.source_account)}</span>],
          [
            'To',
            receipt.destination_account && (
              <span className="tabular">{formatAccountNumber(receipt.destination_account)}</span>
            ),
          ],
          ['Note', receipt.description],
          ['When', formatDateTime(receipt.created_at)],
          ['Balance after', source?.balance_after && <Amount value={source.balance_after} currency={receipt.currency} />],
        ]}
      />
      <div className="row" style={{ justifyContent: 'center', flexWrap: 'wrap' }}>
        <Button onClick={onAnother}>Make another transfer</Button>
        <Link className="btn btn-secondary" to="/history">
          See history
        </Link>
        <Button variant="ghost" onClick={() => window.print()}>
          Print receipt
        </Button>
      </div>
    </section>
  );
}
