import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { Alert } from '@/components/ui/states';
import { AuthLayout } from '@/features/auth/components/auth-layout';
import { LoginForm } from '@/features/auth/components/login-form';
import { RegisterForm } from '@/features/auth/components/register-form';
import { useSession } from '@/lib/auth/session';
import type { Tokens } from '@/lib/auth/tokens';

const REASONS = {
  idle: 'You were signed out after a few minutes without activity. Sign in again to continue.',
  expired: 'Your session has ended. Please sign in again.',
  user: 'You have signed out. See you soon.',
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
        <LoginForm onSignedIn={onSignedIn} />
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
