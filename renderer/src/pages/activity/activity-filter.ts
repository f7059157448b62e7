import { useMemo, useState } from 'react';
import type { EventType } from '../../../../shared/schemas';
import { useClientAndUserFilter } from '../../components/FilterSelect';
import { useSearchTerm } from '../../data/search-term';
import type { EventMatch } from './event-match';

/** The Activity page's filters, and the match they make (stable while they do not change). */
export function useActivityFilter() {
  const [type, setType] = useState<EventType | null>(null);
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const [errors, setErrors] = useState(false);
  const [search, setSearch] = useState('');
  const q = useSearchTerm(search);
  const clientAndUser = useClientAndUserFilter();
  const { client_id, username } = clientAndUser.filter;
  // One object per distinct filter: it keys the queries and restarts the live view when it changes.
  const match = useMemo<EventMatch>(
    () => ({
      ...(type ? { type } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(errors ? { errors: true } : {}),
      ...(client_id ? { client_id } : {}),
      ...(username ? { username } : {}),
      ...(q ? { q } : {}),
    }),
    [type, endpoint, errors, client_id, username, q],
  );
  return {
    type,
    setType,
    endpoint,
    setEndpoint,
    errors,
    setErrors,
    search,
    setSearch,
    clientAndUser,
    match,
    filtered: Object.keys(match).length > 0,
  };
}

export type ActivityFilter = ReturnType<typeof useActivityFilter>;
