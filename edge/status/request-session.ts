// The logged-in session on each status request: server.ts's auth hook sets it, the routes read
// its CSRF token for their forms.
import type { FastifyRequest } from 'fastify';
import type { Session } from './session-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
  }
}

/** The current session's CSRF token (routes run after the auth hook, so a session exists). */
export function csrfOf(req: FastifyRequest): string {
  return req.session?.csrfToken ?? '';
}
