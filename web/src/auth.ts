// The session as the console sees it: who is logged in and the CSRF token for unsafe requests.

import { api, setCsrfToken } from './api.ts';

export interface User {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly admin?: boolean;
  readonly totp?: boolean;
  readonly method?: string;
}

export interface AuthState {
  readonly setupRequired: boolean;
  readonly user?: User;
  readonly csrfToken?: string;
}

export async function loadAuthState(): Promise<AuthState> {
  const s = await api<AuthState>('/api/auth/state', { quiet401: true });
  setCsrfToken(s.csrfToken);
  return s;
}

export async function login(loginName: string, password: string, totp?: string): Promise<AuthState> {
  const r = await api<{ user: User; csrfToken: string }>('/api/auth/login', { body: { login: loginName, password, ...(totp ? { totp } : {}) }, quiet401: true });
  setCsrfToken(r.csrfToken);
  return { setupRequired: false, user: r.user, csrfToken: r.csrfToken };
}

export async function logout(): Promise<void> {
  await api('/api/auth/logout', { method: 'POST', body: {}, quiet401: true });
  setCsrfToken(undefined);
}
