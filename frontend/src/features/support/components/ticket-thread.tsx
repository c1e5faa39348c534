import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';
import { formatDateTime } from '@/lib/format';

import { useCloseTicket, useReplyToTicket, type TicketDetail } from '../api/tickets';

const schema = z.object({ body: z.string().trim().min(1, 'Write a reply first').max(5000, 'At most 5000 characters') });

/** The conversation, oldest first, with a reply box and "close" while the ticket is live. */
export function TicketThread({ ticket }: { ticket: TicketDetail }) {
  const reply = useReplyToTicket(ticket.id);
  const close = useCloseTicket(ticket.id);
  const notify = useToast();
  const [confirmClose, setConfirmClose] = useState(false);
  const form = useForm<z.infer<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { body: '' } });
  const closed = ticket.status === 'closed';

  const submit = form.handleSubmit(async ({ body }) => {
    try {
      await reply.mutateAsync(body);
      form.reset();
      notify('Reply sent');
    } catch {
      // shown from reply.error
    }
  });

  return (
    <div className="stack">
      <ol className="thread" aria-label="Messages">
        {ticket.messages.map((message) => (
          <li key={message.id} className="thread-message" data-staff={message.from_staff}>
            <div className="tx-sub">
              <strong>{message.from_staff ? 'Bank support' : 'You'}</strong> · {formatDateTime(message.created_at)}
            </div>
            <p style={{ whiteSpace: 'pre-wrap' }}>{message.body}</p>
          </li>
        ))}
      </ol>
      {closed ? (
        <Alert tone="info">This ticket is closed. Open a new one if you need more help.</Alert>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          {reply.error && <Alert>{errorMessage(reply.error)}</Alert>}
          <Field label="Your reply" error={form.formState.errors.body?.message}>
            <textarea className="input" rows={3} {...form.register('body')} />
          </Field>
          <div className="dialog-actions">
            <Button variant="secondary" onClick={() => setConfirmClose(true)}>
              Close ticket
            </Button>
            <Button type="submit" loading={reply.isPending}>
              Send reply
            </Button>
          </div>
        </form>
      )}
      <ConfirmDialog
        open={confirmClose}
        title="Close this ticket?"
        confirmLabel="Close ticket"
        busy={close.isPending}
        error={close.error}
        onClose={() => setConfirmClose(false)}
        onConfirm={async () => {
          try {
            await close.mutateAsync();
            setConfirmClose(false);
            notify('Ticket closed');
          } catch {
            // shown in the dialog
          }
        }}
      >
        <p>We will stop working on it. You can open a new ticket at any time.</p>
      </ConfirmDialog>
    </div>
  );
}
