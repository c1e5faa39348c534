import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { ShieldIcon } from '@/components/ui/icons';
import { Alert } from '@/components/ui/states';
import { errorMessage } from '@/lib/api/problem';
import type { Tokens } from '@/lib/auth/tokens';

import { isOtpError, requestTokens, type Credentials, type OtpChallenge } from '../api/login';

const passwordSchema = z.object({
  username: z.string().trim().min(1, 'Enter your username'),
  password: z.string().min(1, 'Enter your password'),
});
const otpSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{6,10}$/, 'Enter the 6-digit code from your authenticator app, or a backup code'),
});

type Props = { onSignedIn: (tokens: Tokens) => void };

/** Step one: username and password. Step two (only when the bank asks): the one-time code. */
export function LoginForm({ onSignedIn }: Props) {
  const [pending, setPending] = useState<{ credentials: Credentials; challenge: OtpChallenge } | null>(null);
  if (pending) {
    return (
      <OtpStep
        credentials={pending.credentials}
        challenge={pending.challenge}
        onSignedIn={onSignedIn}
        onBack={() => setPending(null)}
      />
    );
  }
  return <PasswordStep onSignedIn={onSignedIn} onOtp={(credentials, challenge) => setPending({ credentials, challenge })} />;
}

function PasswordStep({
  onSignedIn,
  onOtp,
}: Props & { onOtp: (credentials: Credentials, challenge: OtpChallenge) => void }) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<z.infer<typeof passwordSchema>>({ resolver: zodResolver(passwordSchema) });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (credentials) => {
    setError(null);
    try {
      const result = await requestTokens(credentials);
      if (result.kind === 'otp') onOtp(credentials, result.challenge);
      else onSignedIn(result.tokens);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  });

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Sign in">
      {error && <Alert>{error}</Alert>}
      <Field label="Username" error={errors.username?.message}>
        <input className="input" autoComplete="username" autoFocus {...form.register('username')} />
      </Field>
      <Field label="Password" error={errors.password?.message}>
        <input className="input" type="password" autoComplete="current-password" {...form.register('password')} />
      </Field>
      <Button type="submit" block loading={isSubmitting}>
        Sign in
      </Button>
    </form>
  );
}

function OtpStep({
  credentials,
  challenge,
  onSignedIn,
  onBack,
}: Props & { credentials: Credentials; challenge: OtpChallenge; onBack: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<z.infer<typeof otpSchema>>({ resolver: zodResolver(otpSchema), defaultValues: { code: '' } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ code }) => {
    setError(null);
    try {
      const result = await requestTokens(credentials, { code, challenge });
      if (result.kind === 'signed-in') onSignedIn(result.tokens);
    } catch (caught) {
      if (!isOtpError(caught)) {
        // The password step's refusal (locked out, password changed meanwhile): start over there.
        onBack();
        return;
      }
      setError(errorMessage(caught));
      form.reset({ code: '' });
    }
  });

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Verify sign-in">
      <div className="alert alert-info">
        <ShieldIcon width={20} height={20} />
        <span>{challenge.detail || 'Enter the code from your authenticator app to finish signing in.'}</span>
      </div>
      {error && <Alert>{error}</Alert>}
      <Field label="One-time code" error={errors.code?.message} hint="6 digits, or one of your backup codes">
        <input
          className="input otp-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          autoFocus
          maxLength={10}
          {...form.register('code')}
        />
      </Field>
      <Button type="submit" block loading={isSubmitting}>
        Verify and sign in
      </Button>
      <Button variant="ghost" block onClick={onBack}>
        Use a different account
      </Button>
    </form>
  );
}
