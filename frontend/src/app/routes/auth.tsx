import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { Alert } from '@/components/ui/states';
import { AuthLayout } from '@/features/auth/components/auth-layout';
import { LoginForm } from '@/features/auth/components/login-form';
import { ResetConfirmForm, ResetRequestForm } from '@/features/auth/components/password-reset-forms';
import { RegisterForm } from '@/features/auth/components/register-form';
import { useSession } from '@/lib/auth/session';
import type { Tokens } from '@/lib/auth/tokens';

const REASONS = {
  idle: 'You were signed out after a few minutes without activity. Sign in again to continue.',
  expired: 'Your session has ended. Please sign in again.',
  user: 'You have signed out. See you soon.',
  password: 'Your password is changed and every session has ended. Sign in with the new password.',
} as const;

/** Only same-app paths: `?next=https://elsewhere` must not become an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function useSignedIn() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  return (tokens: Tokens) => {
    signIn(tokens);
    navigate(safeNext(params.get('next')), { replace: true });
  };
}

export function LoginRoute() {
  const { isSignedIn, signOutReason } = useSession();
  const [params] = useSearchParams();
  const onSignedIn = useSignedIn();
  if (isSignedIn) return <Navigate to="/" replace />;
  return (
    <AuthLayout>
      <div className="auth-card">
        <div>
          <h1>Sign in</h1>
          <p className="muted">Welcome to Bankingsystem Bank.</p>
        </div>
        {signOutReason && <Alert tone="info">{REASONS[signOutReason]}</Alert>}
        {!signOutReason && params.get('reset') === 'done' && (
          <Alert tone="success">Your new password is set. Sign in with it.</Alert>
        )}
        <LoginForm onSignedIn={onSignedIn} />
        <p className="muted" style={{ textAlign: 'center' }}>
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
        <p className="muted" style={{ textAlign: 'center' }}>
          New here? <Link to="/register">Open your login</Link>
        </p>
      </div>
    </AuthLayout>
  );
}

export function RegisterRoute() {
  const { isSignedIn } = useSession();
  const onSignedIn = useSignedIn();
  if (isSignedIn) return <Navigate to="/" replace />;
  return (
    <AuthLayout>
      <div className="auth-card wide">
        <div>
          <h1>Open your login</h1>
          <p className="muted">Takes a minute. You can open accounts straight after.</p>
        </div>
        <RegisterForm onSignedIn={onSignedIn} />
        <p className="muted" style={{ textAlign: 'center' }}>
          Already a customer? <Link to="/login">Sign in</Link>
        </p>
      </div>
    </AuthLayout>
  );
}

export function ForgotPasswordRoute() {
  return (
    <AuthLayout>
      <div className="auth-card">
        <div>
          <h1>Reset your password</h1>
          <p className="muted">We email you a link to set a new one.</p>
        </div>
        <ResetRequestForm />
        <p className="muted" style={{ textAlign: 'center' }}>
          <Link to="/login">Back to sign in</Link>
        </p>
      </div>
    </AuthLayout>
  );
}

/** The emailed link lands here: `/reset-password?uid=…&token=…` (PASSWORD_RESET_URL). */
export function ResetPasswordRoute() {
  const [params] = useSearchParams();
  const { signOut, isSignedIn } = useSession();
  const navigate = useNavigate();
  return (
    <AuthLayout>
      <div className="auth-card">
        <div>
          <h1>Choose a new password</h1>
          <p className="muted">Every session ends; then sign in with the new password.</p>
        </div>
        <ResetConfirmForm
          uid={params.get('uid') ?? ''}
          token={params.get('token') ?? ''}
          onDone={async () => {
            if (isSignedIn) await signOut('password');
            navigate('/login?reset=done', { replace: true });
          }}
        />
      </div>
    </AuthLayout>
  );
}
