import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { useStepUpPrompt } from '@/components/ui/step-up-field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { ApiError, errorMessage } from '@/lib/api/problem';

import { useUpdateContact } from '../api/security';

const schema = z.object({
  email: z.email('Enter an email address'),
  phone: z.string().trim().regex(/^(\+?[0-9 -]{7,20})?$/, 'A phone number, e.g. +91 98765 43210'),
  password: z.string().min(1, 'Enter your password to confirm'),
});

type Props = { email: string; phone: string; onClose: () => void };

export function ContactDialog({ email, phone, onClose }: Props) {
  const update = useUpdateContact();
  const stepUp = useStepUpPrompt();
  const notify = useToast();
  const form = useForm<z.infer<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { email, phone, password: '' } });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await update.mutateAsync({ input: values, stepUp: stepUp.proof });
      notify('Contact details saved');
      onClose();
    } catch (error) {
      if (stepUp.ask(error)) return;
      if (error instanceof ApiError) {
        for (const [field, message] of Object.entries(error.fieldErrors)) {
          if (field === 'email' || field === 'phone' || field === 'password') form.setError(field, { message });
        }
      }
    }
  });
  return (
    <Dialog open title="Contact details" onClose={onClose} busy={update.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        {update.error && !stepUp.field && <Alert>{errorMessage(update.error)}</Alert>}
        <Field label="Email" error={errors.email?.message}>
          <input className="input" type="email" autoComplete="email" data-autofocus {...form.register('email')} />
        </Field>
        <Field label="Phone" error={errors.phone?.message}>
          <input className="input" type="tel" autoComplete="tel" {...form.register('phone')} />
        </Field>
        <Field label="Password" error={errors.password?.message}>
          <input className="input" type="password" autoComplete="current-password" {...form.register('password')} />
        </Field>
        {stepUp.field}
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={update.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
