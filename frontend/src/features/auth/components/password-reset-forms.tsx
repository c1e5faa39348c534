import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { ApiError, errorMessage } from '@/lib/api/problem';

import { useConfirmPasswordReset, useRequestPasswordReset } from '../api/password-reset';

const requestSchema = z.object({ email: z.email('Enter the email address on your profile') });

export function ResetRequestForm() {
  const request = useRequestPasswordReset();
  const form = useForm<z.infer<typeof requestSchema>>({ resolver: zodResolver(requestSchema), defaultValues: { email: '' } });
  const submit = form.handleSubmit(({ email }) => request.mutate(email));
  if (request.isSuccess) {
    return (
      <Alert tone="success">
        If that address belongs to a customer, a link to set a new password is on its way. It works once, for an hour.
      </Alert>
    );
  }
  return (
    <form className="stack" onSubmit={submit} noValidate>
      {request.error && <Alert>{errorMessage(request.error)}</Alert>}
      <Field label="Email" error={form.formState.errors.email?.message}>
        <input className="input" type="email" autoComplete="email" {...form.register('email')} />
      </Field>
      <Button type="submit" block loading={request.isPending}>
        Email me a link
      </Button>
    </form>
  );
}

const confirmSchema = z
  .object({ new_password: z.string().min(10, 'At least 10 characters'), repeat: z.string() })
  .refine((v) => v.new_password === v.repeat, { path: ['repeat'], message: 'The two passwords differ' });

export function ResetConfirmForm({ uid, token, onDone }: { uid: string; token: string; onDone: () => void }) {
  const confirm = useConfirmPasswordReset();
  const form = useForm<z.infer<typeof confirmSchema>>({
    resolver: zodResolver(confirmSchema),
    defaultValues: { new_password: '', repeat: '' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async ({ new_password }) => {
    try {
      await confirm.mutateAsync({ uid, token, new_password });
      onDone();
    } catch (error) {
      const message = error instanceof ApiError ? error.fieldErrors.new_password : undefined;
      if (message) form.setError('new_password', { message });
    }
  });
  if (!uid || !token) return <Alert>This link is incomplete. Ask for a new one.</Alert>;
  return (
    <form className="stack" onSubmit={submit} noValidate>
      {confirm.error && <Alert>{errorMessage(confirm.error)}</Alert>}
      <Field label="New password" error={errors.new_password?.message} hint="At least 10 characters, not a common one">
        <input className="input" type="password" autoComplete="new-password" {...form.register('new_password')} />
      </Field>
      <Field label="Repeat new password" error={errors.repeat?.message}>
        <input className="input" type="password" autoComplete="new-password" {...form.register('repeat')} />
      </Field>
      <Button type="submit" block loading={confirm.isPending}>
        Set new password
      </Button>
    </form>
  );
}
