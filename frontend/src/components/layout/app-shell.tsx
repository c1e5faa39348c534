import { useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { BrandMark, ClockIcon, GridIcon, LogoutIcon, MoonIcon, SunIcon } from '@/components/ui/icons';
import { formatCountdown, useIdleCountdown } from '@/lib/auth/idle';
import { useSession } from '@/lib/auth/session';
import { useTheme } from '@/lib/theme';

import { MORE_NAV, PRIMARY_NAV, type NavItem } from './nav';

function NavLinks({ items }: { items: NavItem[] }) {
  return items.map((item) => (
    <NavLink key={item.to} to={item.to} end={item.to === '/'}>
      {item.icon}
      {item.label}
    </NavLink>
  ));
}

/** The phone's "More" tab stays lit on every page it leads to (loans, cards, profile…). */
function MoreTab() {
  const { pathname } = useLocation();
  const current = pathname === '/more' || MORE_NAV.some((item) => pathname === item.to || pathname.startsWith(`${item.to}/`));
  return (
    <Link to="/more" aria-current={current ? 'page' : undefined}>
      <GridIcon />
      More
    </Link>
  );
}

/** Minutes of inactivity before automatic sign-out (VITE_SESSION_IDLE_MINUTES at build time). */
export const IDLE_SECONDS = Math.round(Number(import.meta.env.VITE_SESSION_IDLE_MINUTES ?? 5) * 60);
const WARN_SECONDS = 60;

export function AppShell() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  const [theme, toggleTheme] = useTheme();
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  const { secondsLeft, reset } = useIdleCountdown(IDLE_SECONDS, () => {
    void signOut('idle').then(() => navigate('/login', { replace: true }));
  });
  const initials = `${user?.first_name?.[0] ?? ''}${user?.last_name?.[0] ?? ''}` || user?.username?.[0]?.toUpperCase() || '·';
  const warn = secondsLeft <= WARN_SECONDS;

  const doSignOut = async () => {
    await signOut('user');
    navigate('/login', { replace: true });
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar" aria-label="Main navigation">
        <NavLink to="/" className="brand">
          <BrandMark className="brand-mark" />
          <span>
            Bankingsystem <small>Bank</small>
          </span>
        </NavLink>
        <nav className="nav">
          <NavLinks items={[...PRIMARY_NAV, ...MORE_NAV]} />
        </nav>
        <div className="sidebar-foot">
          <Button variant="ghost" onClick={() => setConfirmSignOut(true)} style={{ justifyContent: 'flex-start' }}>
            <LogoutIcon width={20} height={20} /> Sign out
          </Button>
        </div>
      </aside>

      <div className="main">
        <header className="topbar">
          <div>
            <div className="tx-sub">Welcome back</div>
            <strong>{user ? user.first_name || user.username : ' '}</strong>
          </div>
          <div className="topbar-actions">
            <span
              className="session-pill tabular"
              data-warn={warn}
              title="You are signed out automatically after a few idle minutes"
            >
              <ClockIcon width={14} height={14} />
              <span className="visually-hidden">Session ends in </span>
              {formatCountdown(secondsLeft)}
            </span>
            <Button
              variant="ghost"
              className="icon-btn"
              onClick={toggleTheme}
              aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
            >
              {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
            </Button>
            <Button
              variant="ghost"
              className="icon-btn hide-desktop"
              onClick={() => setConfirmSignOut(true)}
              aria-label="Sign out"
            >
              <LogoutIcon />
            </Button>
            <NavLink to="/profile" className="avatar" title="Profile and security">
              {initials}
              <span className="visually-hidden"> · Profile</span>
            </NavLink>
          </div>
        </header>
        <main id="main" className="content" tabIndex={-1}>
          <Outlet />
        </main>
      </div>

      <nav className="bottom-nav" aria-label="Main navigation (mobile)">
        <NavLinks items={PRIMARY_NAV} />
        <MoreTab />
      </nav>

      <Dialog open={warn && secondsLeft > 0} title="Still there?" onClose={reset}>
        <p>
          For your security you will be signed out in <strong className="tabular">{formatCountdown(secondsLeft)}</strong>.
        </p>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={doSignOut}>
            Sign out now
          </Button>
          <Button onClick={reset} data-autofocus>
            Stay signed in
          </Button>
        </div>
      </Dialog>

      <Dialog open={confirmSignOut} title="Sign out?" onClose={() => setConfirmSignOut(false)}>
        <p>You will need your password (and code, if you use one) to sign in again.</p>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={() => setConfirmSignOut(false)}>
            Cancel
          </Button>
          <Button onClick={doSignOut} data-autofocus>
            Sign out
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
