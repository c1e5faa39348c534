import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { useStepUpPrompt } from '@/components/ui/step-up-field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { ApiError, errorMessage } from '@/lib/api/problem';
import { formatDateTime } from '@/lib/format';

import { useAddPayee } from '../api/payees';

const schema = z.object({
  name: z.string().trim().min(2, "The account holder's name").max(120, 'At most 120 characters'),
  nickname: z.string().trim().max(60, 'At most 60 characters'),
  account_number: z.string().trim().regex(/^\d{9,20}$/, 'Digits only, as on their statement'),
  routing_code: z.string().trim().regex(/^\d{7,11}$/, 'The 7-digit bank and branch code'),
});
type Values = z.infer<typeof schema>;

export function AddPayeeDialog({ onClose }: { onClose: () => void }) {
  const add = useAddPayee();
  const stepUp = useStepUpPrompt();
  const notify = useToast();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { name: '', nickname: '', account_number: '', routing_code: '' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      const payee = await add.mutateAsync({ input: values, stepUp: stepUp.proof });
      notify(
        payee.cooling_off_until
          ? `${payee.name} added; larger payments open up after ${formatDateTime(payee.cooling_off_until)}`
          : `${payee.name} added`,
      );
      onClose();
    } catch (error) {
      if (stepUp.ask(error)) return;
      if (error instanceof ApiError) {
        for (const [field, message] of Object.entries(error.fieldErrors)) {
          if (field in schema.shape) form.setError(field as keyof Values, { message });
        }
      }
    }
  });
  const needsSetup = add.error instanceof ApiError && add.error.code === 'step_up_setup_required';
  return (
    <Dialog open title="Add a payee" onClose={onClose} busy={add.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        {add.error && !stepUp.field && (
          <Alert>
            {errorMessage(add.error)} {needsSetup && <Link to="/profile">Set a PIN in your profile.</Link>}
          </Alert>
        )}
        <Field label="Account holder's name" error={errors.name?.message}>
          <input className="input" autoComplete="off" data-autofocus {...form.register('name')} />
        </Field>
        <Field label="Nickname (optional)" error={errors.nickname?.message} hint="e.g. Landlord">
          <input className="input" {...form.register('nickname')} />
        </Field>
        <Field label="Account number" error={errors.account_number?.message}>
          <input
            className="input tabular"
            inputMode="numeric"
            {...form.register('account_number', {
              // Our own numbers start with their routing code: fill it in for the customer.
              onChange: (event) => {
                const digits = String(event.target.value).replace(/\D/g, '');
                if (digits.length === 16 && !form.getValues('routing_code')) form.setValue('routing_code', digits.slice(0, 7));
              },
            })}
          />
        </Field>
        <Field label="Routing code" error={errors.routing_code?.message} hint="Bank and branch code (7 digits)">
          <input className="input tabular" inputMode="numeric" {...form.register('routing_code')} />
        </Field>
        {stepUp.field}
        <p className="tx-sub">For your safety, payments to a new payee are capped for the first day.</p>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={add.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={add.isPending}>
            Add payee
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
