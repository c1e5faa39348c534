import { useState, type FormEvent } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { useStepUpPrompt } from '@/components/ui/step-up-field';
import { Alert, ErrorState, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';

import { useConfirmTotp, useDisableOtp, useNewBackupCodes, useOtpStatus, useStartTotp, type TotpEnrolment } from '../api/security';

/** Backup codes are shown once: a list to copy, with the warning that they will not be shown again. */
export function BackupCodes({ codes }: { codes: string[] }) {
  return (
    <div className="stack" data-testid="backup-codes">
      <Alert tone="info">Keep these backup codes somewhere safe: each signs you in once, and we will not show them again.</Alert>
      <ul className="code-list" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
    </div>
  );
}

/** Turning two-factor on: password, then the QR code (an image from the API), then a first code. */
function EnrolDialog({ onClose }: { onClose: () => void }) {
  const start = useStartTotp();
  const confirm = useConfirmTotp();
  const notify = useToast();
  const [password, setPassword] = useState('');
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const busy = start.isPending || confirm.isPending;

  return (
    <Dialog open title="Turn on two-step sign-in" onClose={onClose} busy={busy}>
      {codes ? (
        <div className="stack">
          <BackupCodes codes={codes} />
          <div className="dialog-actions">
            <Button onClick={onClose} data-autofocus>
              I have saved them
            </Button>
          </div>
        </div>
      ) : enrolment ? (
        <form
          className="stack"
          onSubmit={async (event) => {
            event.preventDefault();
            try {
              setCodes((await confirm.mutateAsync(code.trim())).backup_codes);
              notify('Two-step sign-in is on');
            } catch {
              // shown below
            }
          }}
        >
          <p>Scan this with an authenticator app (Google Authenticator, Authy, 1Password…), then type the code it shows.</p>
          <img className="qr-code" src={enrolment.qr_code} alt="QR code to add this bank to your authenticator app" />
          <p className="tx-sub">
            Cannot scan? Type this key: <code className="tabular">{enrolment.secret}</code>
          </p>
          {confirm.error && <Alert>{errorMessage(confirm.error)}</Alert>}
          <Field label="Code from the app">
            <input
              className="input otp-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              data-autofocus
            />
          </Field>
          <div className="dialog-actions">
            <Button variant="secondary" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" loading={confirm.isPending}>
              Turn on
            </Button>
          </div>
        </form>
      ) : (
        <form
          className="stack"
          onSubmit={async (event) => {
            event.preventDefault();
            try {
              setEnrolment(await start.mutateAsync(password));
            } catch {
              // shown below
            }
          }}
        >
          <p>Each sign-in will also ask for a code from an app on your phone.</p>
          {start.error && <Alert>{errorMessage(start.error)}</Alert>}
          <Field label="Password">
            <input
              className="input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-autofocus
            />
          </Field>
          <div className="dialog-actions">
            <Button variant="secondary" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" loading={start.isPending}>
              Continue
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** New backup codes, or turning two-factor off: both need the password and a fresh code. */
function ConfirmWithCodeDialog({ action, onClose }: { action: 'codes' | 'disable'; onClose: () => void }) {
  const newCodes = useNewBackupCodes();
  const disable = useDisableOtp();
  const mutation = action === 'codes' ? newCodes : disable;
  const stepUp = useStepUpPrompt();
  const notify = useToast();
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const title = action === 'codes' ? 'New backup codes' : 'Turn off two-step sign-in?';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      if (action === 'codes') {
        setCodes((await newCodes.mutateAsync({ password, stepUp: stepUp.proof })).backup_codes);
      } else {
        await disable.mutateAsync({ password, stepUp: stepUp.proof });
        notify('Two-step sign-in is off');
        onClose();
      }
    } catch (error) {
      stepUp.ask(error);
    }
  };

  return (
    <Dialog open title={title} onClose={onClose} busy={mutation.isPending}>
      {codes ? (
        <div className="stack">
          <BackupCodes codes={codes} />
          <div className="dialog-actions">
            <Button onClick={onClose} data-autofocus>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={submit}>
          <p>
            {action === 'codes'
              ? 'Your old backup codes stop working.'
              : 'Signing in will need only your password. We recommend keeping it on.'}
          </p>
          {mutation.error && !stepUp.field && <Alert>{errorMessage(mutation.error)}</Alert>}
          <Field label="Password">
            <input
              className="input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-autofocus
            />
          </Field>
          {stepUp.field}
          <div className="dialog-actions">
            <Button variant="secondary" onClick={onClose} disabled={mutation.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant={action === 'disable' ? 'danger' : 'primary'} loading={mutation.isPending}>
              {action === 'codes' ? 'Make new codes' : 'Turn off'}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function TwoFactorSettings() {
  const status = useOtpStatus();
  const [dialog, setDialog] = useState<null | 'enrol' | 'codes' | 'disable'>(null);
  if (status.isPending) return <LoadingRows rows={2} label="Loading two-step sign-in" />;
  if (status.error) return <ErrorState error={status.error} onRetry={() => status.refetch()} />;
  const { enabled, backup_codes_remaining } = status.data;
  return (
    <div className="stack">
      <div className="spread">
        <span>Two-step sign-in (authenticator app)</span>
        <Badge tone={enabled ? 'success' : 'warn'}>{enabled ? 'On' : 'Off'}</Badge>
      </div>
      {enabled ? (
        <>
          <p className="tx-sub">{backup_codes_remaining} backup codes left.</p>
          <div className="row" style={{ gap: '0.5rem', flexWrap: 'wrap' }}>
            <Button variant="secondary" onClick={() => setDialog('codes')}>
              New backup codes
            </Button>
            <Button variant="ghost" onClick={() => setDialog('disable')}>
              Turn off
            </Button>
          </div>
        </>
      ) : (
        <div>
          <Button onClick={() => setDialog('enrol')}>Turn on</Button>
        </div>
      )}
      {dialog === 'enrol' && <EnrolDialog onClose={() => setDialog(null)} />}
      {(dialog === 'codes' || dialog === 'disable') && <ConfirmWithCodeDialog action={dialog} onClose={() => setDialog(null)} />}
    </div>
  );
}
