import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { ApiError, errorMessage } from '@/lib/api/problem';
import type { Tokens } from '@/lib/auth/tokens';

import { requestTokens } from '../api/login';
import { useRegister, type RegisterInput } from '../api/register';

const schema = z
  .object({
    first_name: z.string().trim().min(1, 'Enter your first name').max(150),
    last_name: z.string().trim().min(1, 'Enter your last name').max(150),
    email: z.email('Enter a valid email address'),
    phone: z
      .string()
      .trim()
      .regex(/^(\+?[0-9 -]{7,20})?$/, 'Digits, spaces and an optional leading +'),
    username: z
      .string()
      .trim()
      .regex(/^[\w.@+-]{3,150}$/, '3 or more letters, digits or . @ + - _'),
    password: z.string().min(8, 'At least 8 characters').max(128),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The passwords do not match' });

type Values = z.infer<typeof schema>;
const FIELDS: (keyof Values)[] = ['first_name', 'last_name', 'email', 'phone', 'username', 'password'];

/** A new customer login (KYC starts pending), then straight in: the same sign-in as the login page. */
export function RegisterForm({ onSignedIn }: { onSignedIn: (tokens: Tokens) => void }) {
  const [error, setError] = useState<string | null>(null);
  const registration = useRegister();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { phone: '' } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ confirm: _confirm, ...values }) => {
    setError(null);
    try {
      // The API takes no blank phone: leave it out when not given.
      const { phone, ...rest } = values;
      await registration.mutateAsync({ ...rest, occupation: '', ...(phone ? { phone } : {}) } as RegisterInput);
      const result = await requestTokens({ username: values.username, password: values.password });
      if (result.kind === 'signed-in') onSignedIn(result.tokens);
    } catch (caught) {
      if (caught instanceof ApiError) {
        // The API's own words per field (e.g. a password Django finds too common).
        for (const [field, message] of Object.entries(caught.fieldErrors)) {
          if (FIELDS.includes(field as keyof Values)) form.setError(field as keyof Values, { message });
        }
      }
      setError(errorMessage(caught));
    }
  });

  return (
    <form className="form-grid" onSubmit={submit} noValidate aria-label="Open your login">
      {error && (
        <div className="full">
          <Alert>{error}</Alert>
        </div>
      )}
      <Field label="First name" error={errors.first_name?.message}>
        <input className="input" autoComplete="given-name" {...form.register('first_name')} />
      </Field>
      <Field label="Last name" error={errors.last_name?.message}>
        <input className="input" autoComplete="family-name" {...form.register('last_name')} />
      </Field>
      <Field label="Email" error={errors.email?.message}>
        <input className="input" type="email" autoComplete="email" {...form.register('email')} />
      </Field>
      <Field label="Mobile (optional)" error={errors.phone?.message}>
        <input className="input" type="tel" autoComplete="tel" {...form.register('phone')} />
      </Field>
      <Field label="Username" error={errors.username?.message} className="full">
        <input className="input" autoComplete="username" {...form.register('username')} />
      </Field>
      <Field label="Password" error={errors.password?.message}>
        <input className="input" type="password" autoComplete="new-password" {...form.register('password')} />
      </Field>
      <Field label="Confirm password" error={errors.confirm?.message}>
        <input className="input" type="password" autoComplete="new-password" {...form.register('confirm')} />
      </Field>
      <div className="full">
        <Button type="submit" block loading={isSubmitting}>
          Create my login
        </Button>
      </div>
    </form>
  );
}
