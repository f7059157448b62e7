import { useQuery } from '@tanstack/react-query';
import { adminApi } from '../api';
import { QK } from './keys';

/** The engine's issuer, version and port (shared by the header and the lab pages). */
export function useEngineInfo() {
  return useQuery({
    queryKey: [QK.info],
    queryFn: () => adminApi.engine.info({}),
    refetchOnWindowFocus: true,
  });
}

export function useClients() {
  return useQuery({ queryKey: [QK.clients], queryFn: () => adminApi.clients.list({}) });
}

export function useUsers() {
  return useQuery({ queryKey: [QK.users, ''], queryFn: () => adminApi.users.list({}) });
}
