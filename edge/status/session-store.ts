// Login sessions in memory: an unguessable id in an HttpOnly SameSite=Strict cookie,
// a per-session CSRF token, and a sliding idle timeout. A restart logs everyone out,
// which is fine for a box operators visit now and then.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  csrfToken: string;
  createdMs: number;
  lastSeenMs: number;
}

const MAX_SESSIONS = 200;

/** Sessions are keyed by the SHA-256 of the cookie value so a heap dump holds no usable ids. */
function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a session and returns the cookie value. */
  create(): { id: string; session: Session } {
    this.prune();
    if (this.sessions.size >= MAX_SESSIONS) {
      // Map keeps insertion order: drop the oldest.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    const session: Session = { csrfToken: randomBytes(24).toString('base64url'), createdMs: t, lastSeenMs: t };
    this.sessions.set(keyOf(id), session);
    return { id, session };
  }

  /** The live session for a cookie value (touching it), or null. */
  get(id: string | undefined): Session | null {
    if (!id || id.length > 100) return null;
    const key = keyOf(id);
    const s = this.sessions.get(key);
    if (!s) return null;
    const t = this.now();
    if (t - s.lastSeenMs > this.ttlMs) {
      this.sessions.delete(key);
      return null;
    }
    s.lastSeenMs = t;
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(keyOf(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const t = this.now();
    for (const [k, s] of this.sessions) if (t - s.lastSeenMs > this.ttlMs) this.sessions.delete(k);
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfTokenMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length === 0 || submitted.length > 200) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
