import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Card as Panel, PageHead } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { CardIcon, PlusIcon } from '@/components/ui/icons';
import { Alert, EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { currencyOf, useAccounts } from '@/features/accounts/api/accounts';
import { accountLabel } from '@/features/accounts/components/account-badges';
import { useCards, useIssueCard } from '@/features/cards/api/cards';
import { CardTile } from '@/features/cards/components/card-tile';
import { errorMessage } from '@/lib/api/problem';
import { maskAccountNumber } from '@/lib/format';

export function CardsRoute() {
  const cards = useCards();
  const accounts = useAccounts();
  const [issuing, setIssuing] = useState(false);
  const currencyFor = (number: string) => {
    const account = accounts.data?.find((a) => a.number === number);
    return account ? currencyOf(account) : 'INR';
  };
  return (
    <>
      <PageHead
        title="Cards"
        subtitle="Debit cards on your accounts: activate, block, set limits."
        action={
          <Button onClick={() => setIssuing(true)}>
            <PlusIcon width={18} height={18} /> New card
          </Button>
        }
      />
      {cards.isPending ? (
        <LoadingRows rows={3} />
      ) : cards.error ? (
        <ErrorState error={cards.error} onRetry={() => cards.refetch()} />
      ) : cards.data.length === 0 ? (
        <Panel>
          <EmptyState title="No cards yet" icon={<CardIcon />}>
            Ask for a debit card on any active account.
          </EmptyState>
        </Panel>
      ) : (
        <div className="grid grid-cards">
          {cards.data.map((card) => (
            <CardTile key={card.id} card={card} currency={currencyFor(card.account)} />
          ))}
        </div>
      )}
      {issuing && (
        <IssueDialog
          accounts={(accounts.data ?? [])
            .filter((a) => a.status === 'active')
            .map((a) => ({ number: a.number, label: `${accountLabel(a)} ${maskAccountNumber(a.number)}` }))}
          onClose={() => setIssuing(false)}
        />
      )}
    </>
  );
}

function IssueDialog({ accounts, onClose }: { accounts: { number: string; label: string }[]; onClose: () => void }) {
  const issue = useIssueCard();
  const notify = useToast();
  const [account, setAccount] = useState(accounts[0]?.number ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    issue.mutate(
      { account },
      {
        onSuccess: () => {
          notify('Card on its way: activate it when it arrives');
          onClose();
        },
      },
    );
  };
  return (
    <Dialog open title="Ask for a debit card" onClose={onClose} busy={issue.isPending}>
      <form className="stack" onSubmit={submit}>
        {issue.error && <Alert>{errorMessage(issue.error)}</Alert>}
        <Field label="Account">
          <select className="input" value={account} onChange={(e) => setAccount(e.target.value)} data-autofocus>
            {accounts.map((a) => (
              <option key={a.number} value={a.number}>
                {a.label}
              </option>
            ))}
          </select>
        </Field>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={issue.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={issue.isPending} disabled={!account}>
            Issue card
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
