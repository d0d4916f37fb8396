import { randomBytes } from 'node:crypto'
import type { AuthResult, User } from '../../src/shared/models'
import type { RegisterBody } from '../../src/shared/api'
import type { Database } from '../db/database'
import { nowIso } from '../clock'
import {
  HttpError,
  badRequest,
  conflict,
  forbidden,
  unauthorized,
  wrongPassword,
} from '../http/httpError'
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './passwords'
import { SessionCache } from './sessionCache'
import { hashSecret, newToken } from './tokens'

const TOKEN_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000
const INVITE_LIFETIME_HOURS = 72

/** The authenticated caller of a request or socket. */
export interface Caller {
  user: User
  tokenHash: string
}

/** Sessions ended by a password change or "sign out my other devices". */
export interface RevokedSessions {
  /** Hashes of every token deleted (their sockets are to be closed). */
  tokenHashes: string[]
  /** How many of them were still valid: the devices actually signed out. */
  live: number
}

/** Accounts, sessions (bearer tokens) and invites. */
export class Accounts {
  private readonly cache = new SessionCache()

  constructor(
    private readonly db: Database,
    private readonly openRegistration: boolean,
  ) {}

  userCount(): number {
    const row = this.db.first(
      this.db.q.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')),
    )
    return row?.n ?? 0
  }

  getUser(id: number): User | undefined {
    const cached = this.cache.user(id)
    if (cached) return cached
    const user = this.db.first(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role'])
        .where('id', '=', id),
    )
    if (user) this.cache.rememberUser(user)
    return user
  }

  listUsers(): User[] {
    return this.db.all(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role'])
        .orderBy('display_name')
        .orderBy('id'),
    )
  }

  allUserIds(): number[] {
    return this.db.all(this.db.q.selectFrom('users').select('id')).map((row) => row.id)
  }

  async register(body: RegisterBody): Promise<AuthResult> {
    // Hash before the transaction: the slow part must not hold the database.
    const passwordHash = await hashPassword(body.password)
    return this.db.transaction(() => {
      const first = this.userCount() === 0
      const now = nowIso()
      if (!first && !this.openRegistration) {
        if (!body.invite_code) {
          throw forbidden('Registration needs an invite code from an administrator.')
        }
        const consumed = this.db.run(
          this.db.q
            .updateTable('invites')
            .set({ used_at: now })
            .where('code_hash', '=', hashSecret(body.invite_code))
            .where('used_at', 'is', null)
            .where('expires_at', '>', now),
        )
        if (consumed.changes !== 1) {
          throw forbidden('The invite code is invalid, expired or already used.')
        }
      }
      const existing = this.db.first(
        this.db.q.selectFrom('users').select('id').where('username', '=', body.username),
      )
      if (existing) throw new HttpError(409, 'username_taken', 'That username is taken.')
      const inserted = this.db.first(
        this.db.q
          .insertInto('users')
          .values({
            username: body.username,
            display_name: body.display_name?.trim() || body.username,
            password_hash: passwordHash,
            role: first ? 'admin' : 'member',
            created_at: now,
          })
          .returning(['id', 'username', 'display_name', 'role']),
      )
      if (!inserted) throw new Error('user insert returned nothing')
      if (!first && !this.openRegistration && body.invite_code) {
        this.db.run(
          this.db.q
            .updateTable('invites')
            .set({ used_by: inserted.id })
            .where('code_hash', '=', hashSecret(body.invite_code)),
        )
      }
      return { token: this.issueToken(inserted.id), user: inserted }
    })
  }

  async login(username: string, password: string): Promise<AuthResult> {
    const row = this.db.first(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role', 'password_hash'])
        .where('username', '=', username),
    )
    const valid = await verifyPassword(password, row?.password_hash ?? (await DUMMY_HASH_PROMISE))
    if (!row || !valid) throw unauthorized('Wrong username or password.')
    const { password_hash: _hash, ...user } = row
    return { token: this.issueToken(user.id), user }
  }

  logout(tokenHash: string): void {
    this.db.run(this.db.q.deleteFrom('tokens').where('token_hash', '=', tokenHash))
    this.cache.forgetToken(tokenHash)
  }

  /**
   * Replaces the caller's password once the current one is verified, and revokes every other
   * token of the user in the same transaction: whoever knew the old password (or holds a stolen
   * session) is out. The caller's own token stays valid.
   */
  async changePassword(
    caller: Caller,
    currentPassword: string,
    newPassword: string,
  ): Promise<RevokedSessions> {
    const row = this.db.first(
      this.db.q.selectFrom('users').select('password_hash').where('id', '=', caller.user.id),
    )
    if (!row) throw unauthorized()
    if (!(await verifyPassword(currentPassword, row.password_hash))) throw wrongPassword()
    // scrypt normalizes to NFKC, so only that comparison tells whether the hash would be the same.
    if (currentPassword.normalize('NFKC') === newPassword.normalize('NFKC')) {
      throw badRequest('The new password must differ from the current one.')
    }
    // Hash before the transaction: the slow part must not hold the database.
    const passwordHash = await hashPassword(newPassword)
    const revoked = this.db.transaction(() => {
      // Both awaits above let other requests run: another device may have revoked this token
      // or changed the password meanwhile, and neither may be undone by this older request.
      if (!this.tokenExists(caller.tokenHash)) throw unauthorized()
      const updated = this.db.run(
        this.db.q
          .updateTable('users')
          .set({ password_hash: passwordHash })
          .where('id', '=', caller.user.id)
          .where('password_hash', '=', row.password_hash),
      )
      if (updated.changes !== 1) {
        throw conflict('The password was changed meanwhile by another request; try again.')
      }
      return this.deleteOtherTokens(caller)
    })
    this.forgetTokens(revoked)
    return revoked
  }

  /** Signs out every other device of the caller: all their other tokens are revoked. */
  revokeOtherSessions(caller: Caller): RevokedSessions {
    const revoked = this.db.transaction(() => this.deleteOtherTokens(caller))
    this.forgetTokens(revoked)
    return revoked
  }

  /** Resolves a bearer token to its user, or undefined when unknown or expired. */
  authenticate(token: string | undefined): Caller | undefined {
    if (!token || token.length > 128) return undefined
    return this.session(hashSecret(token))
  }

  /**
   * The session of a token already hashed, or undefined once it is revoked or expired: a map
   * lookup while the session cache holds it (revocations forget it there).
   */
  session(tokenHash: string): Caller | undefined {
    const now = Date.now()
    const cached = this.cache.userFor(tokenHash, now)
    if (cached) return { user: cached, tokenHash }
    const row = this.db.first(
      this.db.q
        .selectFrom('tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select(['u.id', 'u.username', 'u.display_name', 'u.role', 't.expires_at'])
        .where('t.token_hash', '=', tokenHash)
        .where('t.expires_at', '>', new Date(now).toISOString()),
    )
    if (!row) return undefined
    const { expires_at: expiresAt, ...user } = row
    this.cache.remember(tokenHash, user, Date.parse(expiresAt))
    return { user, tokenHash }
  }

  createInvite(
    adminId: number,
    expiresInHours = INVITE_LIFETIME_HOURS,
  ): { code: string; expires_at: string } {
    const code = randomBytes(12).toString('base64url')
    const expiresAt = new Date(Date.now() + expiresInHours * 3600_000).toISOString()
    this.db.run(
      this.db.q.insertInto('invites').values({
        code_hash: hashSecret(code),
        created_by: adminId,
        created_at: nowIso(),
        expires_at: expiresAt,
        used_by: null,
        used_at: null,
      }),
    )
    return { code, expires_at: expiresAt }
  }

  updateDisplayName(userId: number, displayName: string): User {
    const trimmed = displayName.trim()
    if (!trimmed) throw badRequest('A display name cannot be blank.')
    this.db.run(
      this.db.q.updateTable('users').set({ display_name: trimmed }).where('id', '=', userId),
    )
    this.cache.forgetUser(userId)
    const user = this.getUser(userId)
    if (!user) throw unauthorized()
    return user
  }

  private tokenExists(tokenHash: string): boolean {
    return (
      this.db.first(
        this.db.q.selectFrom('tokens').select('user_id').where('token_hash', '=', tokenHash),
      ) !== undefined
    )
  }

  private deleteOtherTokens(caller: Caller): RevokedSessions {
    const now = new Date().toISOString()
    const rows = this.db.all(
      this.db.q
        .deleteFrom('tokens')
        .where('user_id', '=', caller.user.id)
        .where('token_hash', '!=', caller.tokenHash)
        .returning(['token_hash', 'expires_at']),
    )
    return {
      tokenHashes: rows.map((r) => r.token_hash),
      live: rows.filter((r) => r.expires_at > now).length,
    }
  }

  /** The cache would otherwise keep accepting a revoked token until it expires. */
  private forgetTokens(revoked: RevokedSessions): void {
    for (const tokenHash of revoked.tokenHashes) this.cache.forgetToken(tokenHash)
  }

  private issueToken(userId: number): string {
    const token = newToken()
    const now = Date.now()
    this.db.run(
      this.db.q.insertInto('tokens').values({
        token_hash: hashSecret(token),
        user_id: userId,
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + TOKEN_LIFETIME_MS).toISOString(),
      }),
    )
    return token
  }
}
