import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';

export type Ticket = components['schemas']['TicketOutput'];
export type TicketDetail = components['schemas']['TicketDetailOutput'];
export type TicketOpenInput = components['schemas']['TicketOpenInputRequest'];

export const ticketKeys = {
  all: ['tickets'] as const,
  detail: (id: number) => ['tickets', id] as const,
};

export function useTickets() {
  return useQuery({
    queryKey: ticketKeys.all,
    queryFn: async () => (await unwrap(api.GET('/api/v1/tickets/', { params: { query: { page_size: 100 } } }))).results,
  });
}

/** The thread; polled while open so a staff reply shows up without a reload. */
export function useTicket(id: number) {
  return useQuery({
    queryKey: ticketKeys.detail(id),
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket_id}/', { params: { path: { ticket_id: id } } })),
    refetchInterval: (query) => (query.state.data && ['resolved', 'closed'].includes(query.state.data.status ?? '') ? false : 30_000),
  });
}

export function useOpenTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TicketOpenInput) => unwrap(api.POST('/api/v1/tickets/', { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ticketKeys.all }),
  });
}

export function useReplyToTicket(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      unwrap(api.POST('/api/v1/tickets/{ticket_id}/messages/', { params: { path: { ticket_id: id } }, body: { body } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ticketKeys.all }),
  });
}

export function useCloseTicket(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/tickets/{ticket_id}/status/', {
          params: { path: { ticket_id: id } },
          body: { status: 'closed' },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ticketKeys.all }),
  });
}

export const TICKET_STATUS: Record<string, { label: string; tone: 'neutral' | 'success' | 'danger' | 'warn' | 'info' }> = {
  open: { label: 'Open', tone: 'info' },
  in_progress: { label: 'In progress', tone: 'warn' },
  waiting_on_customer: { label: 'Waiting for you', tone: 'danger' },
  resolved: { label: 'Resolved', tone: 'success' },
  closed: { label: 'Closed', tone: 'neutral' },
};

export const CATEGORIES: Record<TicketOpenInput['category'], string> = {
  account: 'An account',
  card: 'A card',
  transaction: 'A transaction',
  loan: 'A loan',
  online_banking: 'Online banking',
  other: 'Something else',
};
