import type { AuthResult, Person, User } from '../../src/shared/models'
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
import type { AuditLog } from './auditLog'
import type { PasswordHasher } from './passwords'
import { SessionCache } from './sessionCache'
import { hashSecret, newToken } from './tokens'

const TOKEN_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000

/**
 * A sign-in with the right password to an account an administrator deactivated. Told only after
 * the password was checked, so it reveals nothing to someone who does not know it.
 */
export const accountDeactivated = () =>
  new HttpError(
    403,
    'account_deactivated',
    'This account is deactivated. Ask an administrator to reactivate it.',
  )

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
    private readonly audit: AuditLog,
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

  /**
   * Everyone, deactivated accounts included (marked so: their names stay in history), with
   * presence from `online`.
   */
  async listPeople(online: ReadonlySet<number>): Promise<Person[]> {
    const rows = await this.db.all(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role', 'deactivated_at'])
        .orderBy('display_name')
        .orderBy('id'),
    )
    return rows.map(({ deactivated_at, ...user }) =>
      deactivated_at === null
        ? { ...user, online: online.has(user.id) }
        : { ...user, online: false, deactivated: true },
    )
  }

  /**
   * The users who can read their stream: everyone but deactivated accounts, whose tokens are
   * gone (broadcasts and notices of the whole organization go to these).
   */
  async activeUserIds(db: Queryable): Promise<number[]> {
    const rows = await db.all(
      db.q.selectFrom('users').select('id').where('deactivated_at', 'is', null),
    )
    return rows.map((row) => row.id)
  }

  /**
   * Registers an account. `address` is the client's, for the audit log; `hashTurn` whose turn it
   * is in the hashing pool (the address, IPv6 by /64). A registration that cannot succeed (no
   * invite or one that is not usable, a taken username) is refused before the password is
   * hashed, so refusals cost no scrypt.
   */
  async register(
    body: RegisterBody,
    address: string,
    hashTurn: string = address,
  ): Promise<AuthResult> {
    if ((await this.userCount()) > 0 && !this.openRegistration) {
      if (!body.invite_code) throw noInvite()
      if (!(await this.inviteUsable(body.invite_code))) throw badInvite()
    }
    if (await this.usernameTaken(body.username)) throw usernameTaken()
    // Hash before the unit of work: the slow part must not hold the database.
    const passwordHash = await this.hasher.hash(body.password, hashTurn)
    // The checks above are repeated where they decide: two registrations may race for the first
    // account, an invite or a name.
    return this.unitOfWork.run(async (tx) => {
      const first = (await this.userCount(tx)) === 0
      const now = nowIso()
      let inviteId: number | undefined
      if (!first && !this.openRegistration) {
        if (!body.invite_code) throw noInvite()
        const consumed = await tx.first(
          tx.q
            .updateTable('invites')
            .set({ used_at: now })
            .where('code_hash', '=', hashSecret(body.invite_code))
            .where('used_at', 'is', null)
            .where('revoked_at', 'is', null)
            .where('expires_at', '>', now)
            .returning('id'),
        )
        if (!consumed) throw badInvite()
        inviteId = consumed.id
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
            last_seen_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .returning(['id', 'username', 'display_name', 'role']),
      )
      if (!inserted) throw usernameTaken()
      if (inviteId !== undefined) {
        await tx.run(
          tx.q.updateTable('invites').set({ used_by: inserted.id }).where('id', '=', inviteId),
        )
      }
      await this.audit.append(tx, {
        kind: 'user_registered',
        actorId: inserted.id,
        address,
        details: {
          how: first ? 'first account' : inviteId !== undefined ? 'invite' : 'open registration',
          ...(inviteId !== undefined ? { invite_id: inviteId } : {}),
        },
      })
      return { token: await issueToken(tx, inserted.id), user: inserted }
    })
  }

  /**
   * Signs in: a new token for the right password of an active account. An unknown username costs
   * the same scrypt as a known one (a hash made once at the first login stands in), so timing
   * tells nothing; both run in the hashing pool under `hashTurn` (the client's address, IPv6 by
   * /64). Every outcome is in the audit log under `address`, failures too (an unknown username
   * among them, as typed).
   */
  async login(
    username: string,
    password: string,
    address: string,
    hashTurn: string = address,
  ): Promise<AuthResult> {
    const row = await this.db.first(
      this.db.q
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'role', 'password_hash', 'deactivated_at'])
        .where('username', '=', username),
    )
    this.dummyHash ??= this.hasher.hashNow('not a real password')
    const stored = row?.password_hash ?? (await this.dummyHash)
    const valid = await this.hasher.verify(password, stored, hashTurn)
    const failed = async (reason: string) =>
      this.audit.appendAlone({
        kind: 'sign_in_failed',
        actorId: null,
        targetId: row?.id ?? null,
        address,
        details: { username, reason },
      })
    if (!row || !valid) {
      await failed(row ? 'wrong password' : 'unknown username')
      throw unauthorized('Wrong username or password.')
    }
    if (row.deactivated_at !== null) {
      await failed('account deactivated')
      throw accountDeactivated()
    }
    const { password_hash: _hash, deactivated_at: _deactivated, ...user } = row
    const token = await this.unitOfWork.transaction(async (tx) => {
      // The account may have been deactivated since it was read; on PostgreSQL this update waits
      // for a deactivation under way and then sees it, which then deletes every token there is.
      if (!(await touchActiveUser(tx, user.id))) throw accountDeactivated()
      await this.audit.append(tx, { kind: 'signed_in', actorId: user.id, address })
      return issueToken(tx, user.id)
    })
    return { token, user }
  }

  /** Ends the caller's session: its token is deleted and its sockets are closed everywhere. */
  logout(caller: Caller, address: string | null): Promise<void> {
    return this.unitOfWork.run(async (tx) => {
      await tx.run(tx.q.deleteFrom('tokens').where('token_hash', '=', caller.tokenHash))
      tx.events.control({
        kind: 'sessions_revoked',
        user_id: caller.user.id,
        token_hashes: [caller.tokenHash],
        reason: 'signed out',
      })
      await this.audit.append(tx, { kind: 'signed_out', actorId: caller.user.id, address })
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
    address: string | null,
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
      return this.signOutOthers(tx, caller, 'password_changed', address)
    })
  }

  /** Signs out every other device of the caller: all their other tokens are revoked. */
  revokeOtherSessions(caller: Caller, address: string | null): Promise<RevokedSessions> {
    return this.unitOfWork.run((tx) =>
      this.signOutOthers(tx, caller, 'other_devices_signed_out', address),
    )
  }

  /** Resolves a bearer token to its user, or undefined when unknown or expired. */
  async authenticate(token: string | undefined): Promise<Caller | undefined> {
    if (!token || token.length > 128) return undefined
    return this.session(hashSecret(token))
  }

  /**
   * The session of a token already hashed, or undefined once it is revoked or expired, or its
   * account deactivated: a map lookup while the session cache holds it (revocations and
   * deactivations forget it there).
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
        .where('t.expires_at', '>', new Date(now).toISOString())
        // A deactivation deletes every token; this also refuses one a sign-in racing it made.
        .where('u.deactivated_at', 'is', null),
    )
    if (!row) return undefined
    const { expires_at: expiresAt, ...user } = row
    this.cache.remember(tokenHash, user, Date.parse(expiresAt))
    return { user, tokenHash }
  }

  /** True when `code` is an invite neither used, revoked nor expired (nothing is consumed). */
  private async inviteUsable(code: string): Promise<boolean> {
    const row = await this.db.first(
      this.db.q
        .selectFrom('invites')
        .select('code_hash')
        .where('code_hash', '=', hashSecret(code))
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
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

  /** Applies a deactivation announced by a control event: no session of the user is accepted. */
  forgetDeactivated(userId: number): void {
    this.cache.forgetUserSessions(userId)
    this.cache.forgetUser(userId)
  }

  /** Revokes the caller's other tokens, and records why (a password change, or only that). */
  private async signOutOthers(
    tx: Tx,
    caller: Caller,
    kind: 'password_changed' | 'other_devices_signed_out',
    address: string | null,
  ): Promise<RevokedSessions> {
    const revoked = await this.deleteOtherTokens(tx, caller)
    await this.audit.append(tx, {
      kind,
      actorId: caller.user.id,
      address,
      details: { signed_out_sessions: revoked.live },
    })
    return revoked
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

/**
 * Marks the user seen now, if the account is active; false when it is deactivated (or gone). On
 * PostgreSQL the update locks the user's row, so it waits for a deactivation under way.
 */
export async function touchActiveUser(tx: Queryable, userId: number): Promise<boolean> {
  const updated = await tx.run(
    tx.q
      .updateTable('users')
      .set({ last_seen_at: nowIso() })
      .where('id', '=', userId)
      .where('deactivated_at', 'is', null),
  )
  return updated === 1
}

/**
 * Revokes every token of the user (an administrator's sign-out, a deactivation, a password
 * reset): their sockets are closed on every node when the unit commits. Returns the revoked
 * sessions.
 */
export async function revokeAllTokens(
  tx: Tx,
  userId: number,
  reason: string,
): Promise<RevokedSessions> {
  const now = nowIso()
  const rows = await tx.all(
    tx.q.deleteFrom('tokens').where('user_id', '=', userId).returning(['token_hash', 'expires_at']),
  )
  if (rows.length > 0) {
    tx.events.control({
      kind: 'sessions_revoked',
      user_id: userId,
      token_hashes: rows.map((row) => row.token_hash),
      reason,
    })
  }
  return {
    tokenHashes: rows.map((row) => row.token_hash),
    live: rows.filter((row) => row.expires_at > now).length,
  }
}

export async function issueToken(db: Queryable, userId: number): Promise<string> {
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
