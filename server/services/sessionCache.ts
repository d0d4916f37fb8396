import type { User } from '../../src/shared/models'

/** Entries kept per map; beyond it the oldest are forgotten (they are read again when used). */
const MAX_ENTRIES = 50_000

/**
 * The sessions and users a busy server authenticates over and over, kept in memory so that a
 * request or a socket costs a hash and two map lookups instead of a database read. Every change
 * to tokens and users is announced as a control event, applied by every server node in the order
 * of the event log (see realtime/controlEvents): logging out forgets the token, a profile change
 * forgets the user. Expiry is still checked on every hit.
 */
export class SessionCache {
  private readonly sessions = new Map<string, { userId: number; expiresAt: number }>()
  private readonly users = new Map<number, User>()

  /** The user of a live cached session; undefined when unknown here or expired. */
  userFor(tokenHash: string, now: number): User | undefined {
    const session = this.sessions.get(tokenHash)
    if (!session) return undefined
    if (session.expiresAt <= now) {
      this.sessions.delete(tokenHash)
      return undefined
    }
    return this.users.get(session.userId)
  }

  remember(tokenHash: string, user: User, expiresAt: number): void {
    bounded(this.sessions).set(tokenHash, { userId: user.id, expiresAt })
    bounded(this.users).set(user.id, user)
  }

  user(userId: number): User | undefined {
    return this.users.get(userId)
  }

  rememberUser(user: User): void {
    bounded(this.users).set(user.id, user)
  }

  forgetToken(tokenHash: string): void {
    this.sessions.delete(tokenHash)
  }

  forgetUser(userId: number): void {
    this.users.delete(userId)
  }

  /**
   * Forgets every cached session of the user (a deactivation). A walk over the map: rare, and
   * cheaper than keeping a second index up to date on every sign-in.
   */
  forgetUserSessions(userId: number): void {
    for (const [tokenHash, session] of this.sessions) {
      if (session.userId === userId) this.sessions.delete(tokenHash)
    }
  }
}

/** Makes room for one more entry by dropping the oldest (Maps iterate in insertion order). */
function bounded<K, V>(map: Map<K, V>): Map<K, V> {
  if (map.size >= MAX_ENTRIES) {
    const oldest = map.keys().next()
    if (!oldest.done) map.delete(oldest.value)
  }
  return map
}
