import type { ReactNode } from 'react';

import { BrandMark, CheckIcon } from '@/components/ui/icons';

/** The split sign-in screen: brand panel on the left (hidden on phones), the form on the right. */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-page">
      <aside className="auth-aside" aria-hidden="true">
        <div className="brand">
          <BrandMark className="brand-mark" />
          <span>
            Bankingsystem <small>Bank</small>
          </span>
        </div>
        <div>
          <h2>Banking that keeps every paisa in its place.</h2>
          <p>Your accounts, transfers and statements in one place — exact to the paisa, safe to retry, ready on any screen.</p>
        </div>
        <ul>
          {['Instant transfers to any account', 'Statements you can download', 'Automatic sign-out when idle'].map((t) => (
            <li key={t} className="row">
              <CheckIcon width={18} height={18} /> {t}
            </li>
          ))}
        </ul>
      </aside>
      <main className="auth-main" id="main">
        {children}
      </main>
    </div>
  );
}
