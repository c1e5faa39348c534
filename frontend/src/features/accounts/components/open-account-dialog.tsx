import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';
import { formatAccountNumber, formatRate } from '@/lib/format';
import { formatMoney } from '@/lib/money';

import { useAccountTypes, useBranches, useOpenAccount, type Account } from '../api/accounts';

const schema = z.object({
  account_type: z.string().min(1, 'Choose a product'),
  branch: z.string().min(1, 'Choose a branch'),
  nickname: z.string().trim().max(60, 'At most 60 characters'),
});

type Props = { open: boolean; onClose: () => void; onOpened?: (account: Account) => void };

export function OpenAccountDialog(props: Props) {
  return props.open ? <OpenAccountForm {...props} /> : null;
}

function OpenAccountForm({ onClose, onOpened }: Props) {
  const types = useAccountTypes();
  const branches = useBranches();
  const opening = useOpenAccount();
  const notify = useToast();
  const [error, setError] = useState<string | null>(null);
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { account_type: '', branch: '', nickname: '' },
  });
  const { errors } = form.formState;
  const chosen = types.data?.find((t) => t.code === form.watch('account_type'));

  const close = () => {
    form.reset();
    setError(null);
    onClose();
  };

  const submit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      const account = await opening.mutateAsync(values);
      notify(`Opened ${account.account_type.name} ${formatAccountNumber(account.number)}`);
      onOpened?.(account);
      close();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  });

  return (
    <Dialog open title="Open a new account" onClose={close} busy={opening.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        {error && <Alert>{error}</Alert>}
        <Field label="Product" error={errors.account_type?.message}>
          <select className="input" data-autofocus {...form.register('account_type')}>
            <option value="">Choose…</option>
            {types.data?.map((type) => (
              <option key={type.code} value={type.code}>
                {type.name} · {type.currency}
              </option>
            ))}
          </select>
        </Field>
        {chosen && (
          <Summary
            rows={[
              ['Minimum balance', formatMoney(chosen.minimum_balance, chosen.currency ?? 'INR')],
              ['Interest', `${formatRate(chosen.interest_rate)} a year`],
              ['Daily debit limit', formatMoney(chosen.daily_debit_limit, chosen.currency ?? 'INR')],
            ]}
          />
        )}
        <Field label="Branch" error={errors.branch?.message}>
          <select className="input" {...form.register('branch')}>
            <option value="">Choose…</option>
            {branches.data?.map((branch) => (
              <option key={branch.code} value={branch.code}>
                {branch.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Nickname (optional)" error={errors.nickname?.message} hint="e.g. Rainy day fund">
          <input className="input" {...form.register('nickname')} />
        </Field>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={close} disabled={opening.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={opening.isPending}>
            Open account
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
