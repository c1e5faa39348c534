import { Link } from 'react-router';

import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/states';

export function NotFoundRoute() {
  return (
    <Card>
      <EmptyState title="This page does not exist">
        <Link to="/">Back to home</Link>
      </EmptyState>
    </Card>
  );
}
