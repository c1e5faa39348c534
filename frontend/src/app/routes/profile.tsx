import { useState } from 'react';
import { useNavigate } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHead, PageHead } from '@/components/ui/card';
import { LoadingRows } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { ContactDialog } from '@/features/profile/components/contact-dialog';
import { PasswordForm } from '@/features/profile/components/password-form';
import { PinForm } from '@/features/profile/components/pin-form';
import { RecentLogins } from '@/features/profile/components/recent-logins';
import { TwoFactorSettings } from '@/features/profile/components/two-factor';
import { useSession } from '@/lib/auth/session';
import { formatDate } from '@/lib/format';
import { formatMoney } from '@/lib/money';

const KYC = { pending: 'warn', verified: 'success', rejected: 'danger' } as const;

export function ProfileRoute() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  if (!user) return <LoadingRows rows={4} label="Loading profile" />;
  const customer = user.customer;
  const address = customer?.address
    ? [customer.address.line1, customer.address.line2, customer.address.city, customer.address.state, customer.address.postal_code]
        .filter(Boolean)
        .join(', ')
    : null;

  return (
    <>
      <PageHead title="Profile and security" subtitle="Your details, password, PIN and sign-ins." />
      <div className="grid grid-2">
        <div className="stack" style={{ gap: '1.25rem' }}>
          <Card aria-labelledby="details-title">
            <CardHead
              id="details-title"
              title="Personal details"
              action={
                <Button variant="secondary" size="sm" onClick={() => setEditing(true)}>
                  Edit contact
                </Button>
              }
            />
            <Summary
              rows={[
                ['Name', `${user.first_name} ${user.last_name}`.trim()],
                ['Username', user.username],
                ['Email', user.email],
                ['Phone', customer?.phone],
                ['Date of birth', customer?.date_of_birth ? formatDate(customer.date_of_birth) : null],
                ['Occupation', customer?.occupation],
                ['Annual income', customer?.annual_income ? formatMoney(customer.annual_income, 'INR') : null],
                ['Address', address],
                [
                  'KYC',
                  customer?.kyc_status ? <Badge tone={KYC[customer.kyc_status as keyof typeof KYC] ?? 'neutral'}>{customer.kyc_status}</Badge> : null,
                ],
              ]}
            />
          </Card>
          <Card aria-labelledby="password-title">
            <CardHead id="password-title" title="Password" />
            <PasswordForm
              onChanged={async () => {
                await signOut('password');
                navigate('/login', { replace: true });
              }}
            />
          </Card>
        </div>
        <div className="stack" style={{ gap: '1.25rem' }}>
          <Card aria-labelledby="pin-title">
            <CardHead
              id="pin-title"
              title="Transaction PIN"
              action={<Badge tone={user.pin_set ? 'success' : 'warn'}>{user.pin_set ? 'Set' : 'Not set'}</Badge>}
            />
            <p className="tx-sub" style={{ marginBottom: '0.75rem' }}>
              The bank may ask for it before large payments.
            </p>
            <PinForm key={String(user.pin_set)} isSet={user.pin_set} />
          </Card>
          <Card aria-labelledby="otp-title">
            <CardHead id="otp-title" title="Two-step sign-in" />
            <TwoFactorSettings />
          </Card>
          <Card aria-labelledby="logins-title">
            <CardHead id="logins-title" title="Recent sign-ins" />
            <RecentLogins />
          </Card>
        </div>
      </div>
      {editing && <ContactDialog email={user.email} phone={customer?.phone ?? ''} onClose={() => setEditing(false)} />}
    </>
  );
}
