import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, PageHead } from '@/components/ui/card';
import { ChatIcon, PlusIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { CATEGORIES, TICKET_STATUS, useTicket, useTickets, type Ticket } from '@/features/support/api/tickets';
import { OpenTicketDialog } from '@/features/support/components/open-ticket-dialog';
import { TicketThread } from '@/features/support/components/ticket-thread';
import { formatDateTime } from '@/lib/format';

function TicketStatus({ ticket }: { ticket: Pick<Ticket, 'status'> }) {
  const status = TICKET_STATUS[ticket.status ?? 'open'] ?? { label: ticket.status ?? '', tone: 'neutral' as const };
  return <Badge tone={status.tone}>{status.label}</Badge>;
}

export function SupportRoute() {
  const tickets = useTickets();
  const [opening, setOpening] = useState(false);
  const navigate = useNavigate();
  const notify = useToast();
  return (
    <>
      <PageHead
        title="Support"
        subtitle="Ask us anything; we answer here and let you know."
        action={
          <Button onClick={() => setOpening(true)}>
            <PlusIcon width={18} height={18} /> New ticket
          </Button>
        }
      />
      <Card aria-label="Your tickets">
        {tickets.isPending ? (
          <LoadingRows rows={3} />
        ) : tickets.error ? (
          <ErrorState error={tickets.error} onRetry={() => tickets.refetch()} />
        ) : tickets.data.length === 0 ? (
          <EmptyState title="No tickets" icon={<ChatIcon />}>
            Something not right? Open a ticket and we will get back to you.
          </EmptyState>
        ) : (
          <ul className="tx-list">
            {tickets.data.map((ticket) => (
              <li key={ticket.id} className="tx">
                <span className="tx-icon">
                  <ChatIcon />
                </span>
                <div style={{ minWidth: 0 }}>
                  <Link className="tx-title" to={`/support/${ticket.id}`}>
                    {ticket.subject}
                  </Link>
                  <div className="tx-sub">
                    #{ticket.id} · {CATEGORIES[ticket.category]} · updated {formatDateTime(ticket.updated_at)}
                  </div>
                </div>
                <div className="tx-amount">
                  <TicketStatus ticket={ticket} />
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
      {opening && (
        <OpenTicketDialog
          onClose={() => setOpening(false)}
          onOpened={(ticket) => {
            setOpening(false);
            notify(`Ticket #${ticket.id} opened`);
            navigate(`/support/${ticket.id}`);
          }}
        />
      )}
    </>
  );
}

export function TicketRoute() {
  const id = Number(useParams().id);
  const ticket = useTicket(id);
  if (ticket.isPending) return <LoadingRows rows={4} label="Loading ticket" />;
  if (ticket.error) return <ErrorState error={ticket.error} onRetry={() => ticket.refetch()} />;
  const t = ticket.data;
  return (
    <div style={{ maxWidth: 760 }}>
      <nav aria-label="Breadcrumb" className="tx-sub" style={{ marginTop: '0.5rem' }}>
        <Link to="/support">Support</Link> / #{t.id}
      </nav>
      <PageHead title={t.subject} subtitle={`${CATEGORIES[t.category]} · opened ${formatDateTime(t.created_at)}`} action={<TicketStatus ticket={t} />} />
      <Card>
        <TicketThread ticket={t} />
      </Card>
    </div>
  );
}
