import type { ReactNode } from 'react';

import { errorMessage } from '@/lib/api/problem';

import { Button } from './button';
import { Dialog } from './dialog';
import { Alert } from './states';

type Props = {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  busy?: boolean;
  error?: unknown;
  /** Destructive actions (block, remove, cancel) get the danger button. */
  danger?: boolean;
};

/** "Are you sure?" before anything that cannot be taken back with one click. */
export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onClose, busy, error, danger }: Props) {
  return (
    <Dialog open={open} title={title} onClose={onClose} busy={busy}>
      <div className="stack">
        {children}
        {error ? <Alert>{errorMessage(error)}</Alert> : null}
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant={danger ? 'danger' : 'primary'} onClick={onConfirm} loading={busy} data-autofocus>
            {confirmLabel}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
