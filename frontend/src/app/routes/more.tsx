import { Link } from 'react-router';

import { PageHead } from '@/components/ui/card';
import { MORE_NAV } from '@/components/layout/nav';

/** The phone's "More" tab: every page that is not in the bottom bar. */
export function MoreRoute() {
  return (
    <>
      <PageHead title="More" />
      <ul className="more-list">
        {MORE_NAV.map((item) => (
          <li key={item.to}>
            <Link to={item.to} className="more-link">
              <span className="tx-icon">{item.icon}</span>
              <span>
                <span className="tx-title">{item.label}</span>
                {item.hint && <span className="tx-sub">{item.hint}</span>}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
