import type { AuditDetails } from '../../src/shared/audit'
import type { EventType } from '../../src/shared/eventTypes'
import type { AdminUser, Person, Role, SessionsRevoked } from '../../src/shared/models'
import { nowIso } from '../clock'
import { HttpError, conflict, forbidden, notFound } from '../http/httpError'
import type { Database, Queryable } from '../storage/database'
import type { Tx, UnitOfWork } from '../storage/unitOfWork'
import type { Accounts, Caller } from './accounts'
import { revokeAllTokens } from './accounts'
import type { AuditLog } from './auditLog'

/** The administrator acting, as authenticated for the request, and from where. */
export interface AdminActor {
  caller: Caller
  address: string | null
}

/** Refused: the change would leave the organization without an active administrator. */
export const lastAdmin = (name: string) =>
  new HttpError(
    409,
    'last_admin',
    `${name} is the last active administrator: make someone else an administrator first.`,
  )

const USER_COLUMNS = [
  'id',
  'username',
  'display_name',
  'role',
  'created_at',
  'deactivated_at',
  'last_seen_at',
] as const

type UserRow = Pick<AdminUser, (typeof USER_COLUMNS)[number]>

/**
 * What an administrator does to people: roles, deactivation and reactivation, signing someone
 * out everywhere; and the list they do it from. Every change is one unit of work with its
 * stream event (user_deactivated, user_reactivated, user_role_changed, to every active user),
 * its control event (sockets closed, caches forgotten on every node) and its audit entry.
 *
 * The organization always keeps an active administrator. The rule is checked inside the unit,
 * against the administrators as they are when it runs: on PostgreSQL their rows are locked
 * (`select … for update`) until it commits, so of two requests that would each leave one
 * administrator (each demoting the other, on two nodes at once), the second waits, then sees
 * the first's change and is refused; on SQLite units run one at a time anyway.
 */
export class UserAdministration {
  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
    private readonly accounts: Accounts,
    private readonly audit: AuditLog,
  ) {}

  /** Everyone, for the People section: active and deactivated, with presence and devices. */
  list(online: ReadonlySet<number>): Promise<AdminUser[]> {
    return adminUsers(this.db, online)
  }

  /** Makes the user an administrator or a member again. */
  setRole(actor: AdminActor, userId: number, role: Role, online: ReadonlySet<number>) {
    return this.unitOfWork.run(async (tx) => {
      const admins = await lockActiveAdmins(tx)
      requireStillAdmin(admins, actor)
      const target = await requireUser(tx, userId)
      if (target.role === role) return requireAdminUser(tx, userId, online)
      if (role === 'admin' && target.deactivated_at !== null) {
        throw conflict('Reactivate the account before making it an administrator.')
      }
      if (role === 'member' && withoutUser(admins, userId).length === 0) {
        throw lastAdmin(target.display_name)
      }
      await tx.run(tx.q.updateTable('users').set({ role }).where('id', '=', userId))
      tx.events.control({ kind: 'user_changed', user_id: userId })
      await this.announce(tx, 'user_role_changed', userId, online)
      await this.record(tx, actor, 'role_changed', userId, { from: target.role, to: role })
      return requireAdminUser(tx, userId, online)
    })
  }

  /**
   * Deactivates an account: every token revoked and every socket closed (4001) on every node at
   * once, sign-ins refused, its password reset codes dropped. Its messages and name stay.
   */
  deactivate(actor: AdminActor, userId: number, online: ReadonlySet<number>) {
    return this.unitOfWork.run(async (tx) => {
      const admins = await lockActiveAdmins(tx)
      requireStillAdmin(admins, actor)
      const target = await requireUser(tx, userId)
      if (target.deactivated_at !== null) return requireAdminUser(tx, userId, online)
      if (target.role === 'admin' && withoutUser(admins, userId).length === 0) {
        throw lastAdmin(target.display_name)
      }
      // The row first: on PostgreSQL a sign-in racing this waits on it (touchActiveUser), and
      // the tokens deleted next include any it made before.
      await tx.run(
        tx.q.updateTable('users').set({ deactivated_at: nowIso() }).where('id', '=', userId),
      )
      const revoked = await revokeAllTokens(tx, userId, 'account deactivated')
      await tx.run(tx.q.deleteFrom('password_resets').where('user_id', '=', userId))
      tx.events.control({ kind: 'user_deactivated', user_id: userId })
      await this.announce(tx, 'user_deactivated', userId, online)
      await this.record(tx, actor, 'user_deactivated', userId, {
        signed_out_sessions: revoked.live,
      })
      return requireAdminUser(tx, userId, online)
    })
  }

  /** Lets a deactivated account sign in again (with its password, or a reset code). */
  reactivate(actor: AdminActor, userId: number, online: ReadonlySet<number>) {
    return this.unitOfWork.run(async (tx) => {
      requireStillAdmin(await lockActiveAdmins(tx), actor)
      const target = await requireUser(tx, userId)
      if (target.deactivated_at === null) return requireAdminUser(tx, userId, online)
      await tx.run(tx.q.updateTable('users').set({ deactivated_at: null }).where('id', '=', userId))
      tx.events.control({ kind: 'user_changed', user_id: userId })
      await this.announce(tx, 'user_reactivated', userId, online)
      await this.record(tx, actor, 'user_reactivated', userId)
      return requireAdminUser(tx, userId, online)
    })
  }

  /** Signs the user out on every device (a lost laptop), without deactivating the account. */
  signOutEverywhere(actor: AdminActor, userId: number): Promise<SessionsRevoked> {
    return this.unitOfWork.run(async (tx) => {
      requireStillAdmin(await lockActiveAdmins(tx), actor)
      await requireUser(tx, userId)
      const revoked = await revokeAllTokens(tx, userId, 'signed out by an administrator')
      await this.record(tx, actor, 'sessions_revoked', userId, {
        signed_out_sessions: revoked.live,
      })
      return { signed_out_sessions: revoked.live }
    })
  }

  /** The audit entry of an administrator's action on a user. */
  private record(
    tx: Tx,
    actor: AdminActor,
    kind: 'role_changed' | 'user_deactivated' | 'user_reactivated' | 'sessions_revoked',
    userId: number,
    details?: AuditDetails,
  ): Promise<void> {
    return this.audit.append(tx, {
      kind,
      actorId: actor.caller.user.id,
      targetId: userId,
      address: actor.address,
      details,
    })
  }

  /** Tells every active user the user as they are now. */
  private async announce(
    tx: Tx,
    type: Extract<EventType, 'user_deactivated' | 'user_reactivated' | 'user_role_changed'>,
    userId: number,
    online: ReadonlySet<number>,
  ): Promise<void> {
    const row = await requireUser(tx, userId)
    tx.events.emit(type, { user: personOf(row, online) }, await this.accounts.activeUserIds(tx))
  }
}

/**
 * The ids of the active administrators, in id order. On PostgreSQL their rows stay locked until
 * the unit commits (see UserAdministration), in id order so that two units never wait on each
 * other in a circle; SQLite runs one unit at a time and has no `for update`.
 */
async function lockActiveAdmins(tx: Tx): Promise<number[]> {
  const query = tx.q
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('deactivated_at', 'is', null)
    .orderBy('id')
  const rows = await tx.all(tx.dialect === 'postgres' ? query.forUpdate() : query)
  return rows.map((row) => row.id)
}

/** The request was authenticated as an administrator; another request may have changed that. */
function requireStillAdmin(admins: readonly number[], actor: AdminActor): void {
  if (!admins.includes(actor.caller.user.id)) {
    throw forbidden('You are no longer an administrator.')
  }
}

function withoutUser(ids: readonly number[], userId: number): number[] {
  return ids.filter((id) => id !== userId)
}

async function requireUser(db: Queryable, userId: number): Promise<UserRow> {
  const row = await db.first(db.q.selectFrom('users').select(USER_COLUMNS).where('id', '=', userId))
  if (!row) throw notFound('User')
  return row
}

async function requireAdminUser(
  db: Queryable,
  userId: number,
  online: ReadonlySet<number>,
): Promise<AdminUser> {
  const [user] = await adminUsers(db, online, userId)
  if (!user) throw notFound('User')
  return user
}

/** The user as everyone's lists show them: a deactivated account is marked, and never online. */
function personOf(row: UserRow, online: ReadonlySet<number>): Person {
  const user = {
    id: row.id,
    username: row.username,
    display_name: row.display_name,
    role: row.role,
  }
  return row.deactivated_at === null
    ? { ...user, online: online.has(row.id) }
    : { ...user, online: false, deactivated: true }
}

/** Every user (or one), with their devices: the sessions (unexpired tokens) each holds. */
async function adminUsers(
  db: Queryable,
  online: ReadonlySet<number>,
  userId?: number,
): Promise<AdminUser[]> {
  let users = db.q.selectFrom('users').select(USER_COLUMNS).orderBy('display_name').orderBy('id')
  let tokens = db.q
    .selectFrom('tokens')
    .select((eb) => ['user_id', eb.fn.countAll<number>().as('devices')])
    .where('expires_at', '>', nowIso())
    .groupBy('user_id')
  if (userId !== undefined) {
    users = users.where('id', '=', userId)
    tokens = tokens.where('user_id', '=', userId)
  }
  const [rows, counts] = await Promise.all([db.all(users), db.all(tokens)])
  const devices = new Map(counts.map((row) => [row.user_id, Number(row.devices)]))
  return rows.map((row) => ({
    ...row,
    state: row.deactivated_at === null ? 'active' : 'deactivated',
    online: row.deactivated_at === null && online.has(row.id),
    devices: devices.get(row.id) ?? 0,
  }))
}
