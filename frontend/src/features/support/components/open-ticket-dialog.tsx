import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { errorMessage } from '@/lib/api/problem';

import { CATEGORIES, useOpenTicket, type TicketDetail, type TicketOpenInput } from '../api/tickets';

const schema = z.object({
  category: z.enum(Object.keys(CATEGORIES) as [TicketOpenInput['category'], ...TicketOpenInput['category'][]]),
  subject: z.string().trim().min(3, 'A few words on what it is about').max(200, 'At most 200 characters'),
  message: z.string().trim().min(10, 'Tell us a little more (10 characters or more)').max(5000, 'At most 5000 characters'),
});

type Props = { onClose: () => void; onOpened: (ticket: TicketDetail) => void };

export function OpenTicketDialog({ onClose, onOpened }: Props) {
  const open = useOpenTicket();
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { category: 'other', subject: '', message: '' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      onOpened(await open.mutateAsync(values));
    } catch {
      // shown from open.error
    }
  });
  return (
    <Dialog open title="Contact support" onClose={onClose} busy={open.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        {open.error && <Alert>{errorMessage(open.error)}</Alert>}
        <Field label="It is about" error={errors.category?.message}>
          <select className="input" data-autofocus {...form.register('category')}>
            {Object.entries(CATEGORIES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Subject" error={errors.subject?.message}>
          <input className="input" {...form.register('subject')} />
        </Field>
        <Field label="Message" error={errors.message?.message}>
          <textarea className="input" rows={5} {...form.register('message')} />
        </Field>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={open.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={open.isPending}>
            Send
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
