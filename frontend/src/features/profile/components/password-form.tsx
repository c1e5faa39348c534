import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { useStepUpPrompt } from '@/components/ui/step-up-field';
import { Alert } from '@/components/ui/states';
import { ApiError, errorMessage } from '@/lib/api/problem';

import { useChangePassword } from '../api/security';

const schema = z
  .object({
    old_password: z.string().min(1, 'Enter your current password'),
    new_password: z.string().min(10, 'At least 10 characters'),
    repeat: z.string(),
  })
  .refine((v) => v.new_password === v.repeat, { path: ['repeat'], message: 'The two new passwords differ' })
  .refine((v) => v.new_password !== v.old_password, { path: ['new_password'], message: 'Choose a new password' });

/** Changing the password ends every session, this one included: `onChanged` signs out. */
export function PasswordForm({ onChanged }: { onChanged: () => void }) {
  const change = useChangePassword();
  const stepUp = useStepUpPrompt();
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { old_password: '', new_password: '', repeat: '' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async ({ old_password, new_password }) => {
    try {
      await change.mutateAsync({ input: { old_password, new_password }, stepUp: stepUp.proof });
      onChanged();
    } catch (error) {
      if (stepUp.ask(error)) return;
      if (error instanceof ApiError) {
        for (const [field, message] of Object.entries(error.fieldErrors)) {
          if (field === 'old_password' || field === 'new_password') form.setError(field, { message });
        }
      }
    }
  });
  const apiError = change.error && !stepUp.field ? errorMessage(change.error) : null;
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Change password">
      {apiError && <Alert>{apiError}</Alert>}
      <Field label="Current password" error={errors.old_password?.message}>
        <input className="input" type="password" autoComplete="current-password" {...form.register('old_password')} />
      </Field>
      <Field label="New password" error={errors.new_password?.message} hint="At least 10 characters, not a common one">
        <input className="input" type="password" autoComplete="new-password" {...form.register('new_password')} />
      </Field>
      <Field label="Repeat new password" error={errors.repeat?.message}>
        <input className="input" type="password" autoComplete="new-password" {...form.register('repeat')} />
      </Field>
      {stepUp.field}
      <p className="tx-sub">You will be signed out everywhere and sign in again with the new password.</p>
      <div>
        <Button type="submit" loading={change.isPending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
