import type { ReactNode } from 'react';

import { BankIcon, BellIcon, CardIcon, ChartIcon, ChatIcon, HomeIcon, ListIcon, SendIcon, UserIcon, UsersIcon, WalletIcon } from '@/components/ui/icons';

export type NavItem = { to: string; label: string; icon: ReactNode; hint?: string };

/** On a phone these four sit in the bottom bar; the rest are behind "More". */
export const PRIMARY_NAV: NavItem[] = [
  { to: '/', label: 'Home', icon: <HomeIcon /> },
  { to: '/accounts', label: 'Accounts', icon: <WalletIcon /> },
  { to: '/transfer', label: 'Transfer', icon: <SendIcon /> },
  { to: '/history', label: 'History', icon: <ListIcon /> },
];

export const MORE_NAV: NavItem[] = [
  { to: '/insights', label: 'Insights', icon: <ChartIcon />, hint: 'Spending, forecast, alerts' },
  { to: '/payees', label: 'Payees', icon: <UsersIcon />, hint: 'Saved payees and standing orders' },
  { to: '/cards', label: 'Cards', icon: <CardIcon />, hint: 'Activate, block, limits' },
  { to: '/loans', label: 'Loans', icon: <BankIcon />, hint: 'Apply, schedule, repay' },
  { to: '/notifications', label: 'Notifications', icon: <BellIcon />, hint: 'Alerts and announcements' },
  { to: '/support', label: 'Support', icon: <ChatIcon />, hint: 'Tickets and replies' },
  { to: '/profile', label: 'Profile', icon: <UserIcon />, hint: 'Details, password, PIN, two-step sign-in' },
];
