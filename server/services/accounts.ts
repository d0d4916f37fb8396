import { randomBytes } from 'node:crypto'
import type { AuthResult, User } from '../../src/shared/models'
import type { RegisterBody } from '../../src/shared/api'
import { nowIso } from '../clock'
import {
  HttpError,
  badRequest,
  conflict,
  forbidden,
  unauthorized,
  wrongPassword,
} from '../http/httpError'
import type { Database, Queryable } from '../storage/database'
import type { Tx, UnitOfWork } from '../storage/unitOfWork'
import type { PasswordHasher } from './passwords'
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

/**
 * Accounts, sessions (bearer tokens) and invites. Sessions and users are cached in memory (see
 * SessionCache); every change to them is announced as a control event, which each server node
 * applies when its unit commits (see realtime/controlEvents), so a token revoked on one node is
 * refused, and its sockets closed, on all of them.
 */
export class Accounts {
  private readonly cache = new SessionCache()
  /**
   * A hash to verify against when the user does not exist, so timing does not reveal usernames:
   * made once, with the parameters of this server's hashes.
   */
  private dummyHash: Promise<string> | undefined

  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
    private readonly openRegistration: boolean,
    private readonly hasher: PasswordHasher,
  ) {}

  async userCount(db: Queryable = this.db): Promise<number> {
    const row = await db.first(
      db.q.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')),
    )
    return Number(row?.n ?? 0)
  }

  async getUser(id: number): Promise<User | undefined> {
    const cached = this.cache.user(id)
    if (cached) return cached
    const user = await this.db.first(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role'])
        .where('id', '=', id),
    )
    if (user) this.cache.rememberUser(user)
    return user
  }

  listUsers(): Promise<User[]> {
    return this.db.all(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role'])
        .orderBy('display_name')
        .orderBy('id'),
    )
  }

  async allUserIds(db: Queryable): Promise<number[]> {
    return (await db.all(db.q.selectFrom('users').select('id'))).map((row) => row.id)
  }

  /**
   * Registers an account. `address` is the client's: whose turn it is in the hashing pool. A
   * registration that cannot succeed (no invite or one that is not usable, a taken username) is
   * refused before the password is hashed, so refusals cost no scrypt.
   */
  async register(body: RegisterBody, address: string): Promise<AuthResult> {
    if ((await this.userCount()) > 0 && !this.openRegistration) {
      if (!body.invite_code) throw noInvite()
      if (!(await this.inviteUsable(body.invite_code))) throw badInvite()
    }
    if (await this.usernameTaken(body.username)) throw usernameTaken()
    // Hash before the unit of work: the slow part must not hold the database.
    const passwordHash = await this.hasher.hash(body.password, address)
    // The checks above are repeated where they decide: two registrations may race for the first
    // account, an invite or a name.
    return this.unitOfWork.run(async (tx) => {
      const first = (await this.userCount(tx)) === 0
      const now = nowIso()
      if (!first && !this.openRegistration) {
        if (!body.invite_code) throw noInvite()
        const consumed = await tx.run(
          tx.q
            .updateTable('invites')
            .set({ used_at: now })
            .where('code_hash', '=', hashSecret(body.invite_code))
            .where('used_at', 'is', null)
            .where('expires_at', '>', now),
        )
        if (consumed !== 1) throw badInvite()
      }
      // The unique username decides between two registrations of one name, on any node.
      const inserted = await tx.first(
        tx.q
          .insertInto('users')
          .values({
            username: body.username,
            display_name: body.display_name?.trim() || body.username,
            password_hash: passwordHash,
            role: first ? 'admin' : 'member',
            created_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .returning(['id', 'username', 'display_name', 'role']),
      )
      if (!inserted) throw usernameTaken()
      if (!first && !this.openRegistration && body.invite_code) {
        await tx.run(
          tx.q
            .updateTable('invites')
            .set({ used_by: inserted.id })
            .where('code_hash', '=', hashSecret(body.invite_code)),
        )
      }
      return { token: await issueToken(tx, inserted.id), user: inserted }
    })
  }

  /**
   * Signs in. An unknown username costs the same scrypt as a known one (a hash made once at the
   * first login stands in), so timing tells nothing; both run in the hashing pool, under the
   * client's `address`.
   */
  async login(username: string, password: string, address: string): Promise<AuthResult> {
    const row = await this.db.first(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role', 'password_hash'])
        .where('username', '=', username),
    )
    this.dummyHash ??= this.hasher.hashNow('not a real password')
    const stored = row?.password_hash ?? (await this.dummyHash)
    const valid = await this.hasher.verify(password, stored, address)
    if (!row || !valid) throw unauthorized('Wrong username or password.')
    const { password_hash: _hash, ...user } = row
    const token = await this.unitOfWork.transaction((tx) => issueToken(tx, user.id))
    return { token, user }
  }

  /** Ends the caller's session: its token is deleted and its sockets are closed everywhere. */
  logout(caller: Caller): Promise<void> {
    return this.unitOfWork.run(async (tx) => {
      await tx.run(tx.q.deleteFrom('tokens').where('token_hash', '=', caller.tokenHash))
      tx.events.control({
        kind: 'sessions_revoked',
        user_id: caller.user.id,
        token_hashes: [caller.tokenHash],
        reason: 'signed out',
      })
    })
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
    const row = await this.db.first(
      this.db.q.selectFrom('users').select('password_hash').where('id', '=', caller.user.id),
    )
    if (!row) throw unauthorized()
    const key = `user:${caller.user.id}`
    if (!(await this.hasher.verify(currentPassword, row.password_hash, key))) throw wrongPassword()
    // scrypt normalizes to NFKC, so only that comparison tells whether the hash would be the same.
    if (currentPassword.normalize('NFKC') === newPassword.normalize('NFKC')) {
      throw badRequest('The new password must differ from the current one.')
    }
    // Hash before the unit of work: the slow part must not hold the database.
    const passwordHash = await this.hasher.hash(newPassword, key)
    return this.unitOfWork.run(async (tx) => {
      // Both awaits above let other requests run: another device may have revoked this token
      // or changed the password meanwhile, and neither may be undone by this older request.
      if (!(await tokenExists(tx, caller.tokenHash))) throw unauthorized()
      const updated = await tx.run(
        tx.q
          .updateTable('users')
          .set({ password_hash: passwordHash })
          .where('id', '=', caller.user.id)
          .where('password_hash', '=', row.password_hash),
      )
      if (updated !== 1) {
        throw conflict('The password was changed meanwhile by another request; try again.')
      }
      return this.deleteOtherTokens(tx, caller)
    })
  }

  /** Signs out every other device of the caller: all their other tokens are revoked. */
  revokeOtherSessions(caller: Caller): Promise<RevokedSessions> {
    return this.unitOfWork.run((tx) => this.deleteOtherTokens(tx, caller))
  }

  /** Resolves a bearer token to its user, or undefined when unknown or expired. */
  async authenticate(token: string | undefined): Promise<Caller | undefined> {
    if (!token || token.length > 128) return undefined
    return this.session(hashSecret(token))
  }

  /**
   * The session of a token already hashed, or undefined once it is revoked or expired: a map
   * lookup while the session cache holds it (revocations forget it there).
   */
  async session(tokenHash: string): Promise<Caller | undefined> {
    const now = Date.now()
    const cached = this.cache.userFor(tokenHash, now)
    if (cached) return { user: cached, tokenHash }
    const row = await this.db.first(
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

  async createInvite(
    adminId: number,
    expiresInHours = INVITE_LIFETIME_HOURS,
  ): Promise<{ code: string; expires_at: string }> {
    const code = randomBytes(12).toString('base64url')
    const expiresAt = new Date(Date.now() + expiresInHours * 3600_000).toISOString()
    await this.unitOfWork.transaction((tx) =>
      tx.run(
        tx.q.insertInto('invites').values({
          code_hash: hashSecret(code),
          created_by: adminId,
          created_at: nowIso(),
          expires_at: expiresAt,
          used_by: null,
          used_at: null,
        }),
      ),
    )
    return { code, expires_at: expiresAt }
  }

  /** True when `code` is an invite that is neither used nor expired (nothing is consumed). */
  private async inviteUsable(code: string): Promise<boolean> {
    const row = await this.db.first(
      this.db.q
        .selectFrom('invites')
        .select('code_hash')
        .where('code_hash', '=', hashSecret(code))
        .where('used_at', 'is', null)
        .where('expires_at', '>', nowIso()),
    )
    return row !== undefined
  }

  private async usernameTaken(username: string): Promise<boolean> {
    const row = await this.db.first(
      this.db.q.selectFrom('users').select('id').where('username', '=', username),
    )
    return row !== undefined
  }

  /** Renames the user; every node forgets its cached copy. */
  async updateDisplayName(tx: Tx, userId: number, displayName: string): Promise<User> {
    const trimmed = displayName.trim()
    if (!trimmed) throw badRequest('A display name cannot be blank.')
    await tx.run(tx.q.updateTable('users').set({ display_name: trimmed }).where('id', '=', userId))
    tx.events.control({ kind: 'user_changed', user_id: userId })
    const user = await tx.first(
      tx.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role'])
        .where('id', '=', userId),
    )
    if (!user) throw unauthorized()
    return user
  }

  /** Applies a revocation announced by a control event: the tokens are no longer accepted. */
  forgetSessions(tokenHashes: readonly string[]): void {
    for (const tokenHash of tokenHashes) this.cache.forgetToken(tokenHash)
  }

  /** Applies a user change announced by a control event. */
  forgetUser(userId: number): void {
    this.cache.forgetUser(userId)
  }

  private async deleteOtherTokens(tx: Tx, caller: Caller): Promise<RevokedSessions> {
    const now = new Date().toISOString()
    const rows = await tx.all(
      tx.q
        .deleteFrom('tokens')
        .where('user_id', '=', caller.user.id)
        .where('token_hash', '!=', caller.tokenHash)
        .returning(['token_hash', 'expires_at']),
    )
    const revoked = {
      tokenHashes: rows.map((r) => r.token_hash),
      live: rows.filter((r) => r.expires_at > now).length,
    }
    if (revoked.tokenHashes.length > 0) {
      tx.events.control({
        kind: 'sessions_revoked',
        user_id: caller.user.id,
        token_hashes: revoked.tokenHashes,
        reason: 'signed out by another device',
      })
    }
    return revoked
  }
}

/** A registration without an invite where one is needed (counted as a failed invite attempt). */
export const noInvite = () => forbidden('Registration needs an invite code from an administrator.')
/** An invite that is unknown, expired or used (counted as a failed invite attempt). */
export const badInvite = () => forbidden('The invite code is invalid, expired or already used.')
const usernameTaken = () => new HttpError(409, 'username_taken', 'That username is taken.')

async function tokenExists(db: Queryable, tokenHash: string): Promise<boolean> {
  const row = await db.first(
    db.q.selectFrom('tokens').select('user_id').where('token_hash', '=', tokenHash),
  )
  return row !== undefined
}

async function issueToken(db: Queryable, userId: number): Promise<string> {
  const token = newToken()
  const now = Date.now()
  await db.run(
    db.q.insertInto('tokens').values({
      token_hash: hashSecret(token),
      user_id: userId,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + TOKEN_LIFETIME_MS).toISOString(),
    }),
  )
  return token
}
