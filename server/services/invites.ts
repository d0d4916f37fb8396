import { randomBytes } from 'node:crypto'
import type { CreatedInvite, Invite, InviteState } from '../../src/shared/models'
import { nowIso } from '../clock'
import { conflict, notFound } from '../http/httpError'
import type { Database, Queryable } from '../storage/database'
import type { UnitOfWork } from '../storage/unitOfWork'
import type { AuditLog } from './auditLog'
import { hashSecret } from './tokens'
import { userRef } from './userRef'

const INVITE_LIFETIME_HOURS = 72
/** The newest invites an administrator sees; older ones are history nobody acts on. */
const LISTED_INVITES = 500

/** Who does something to invites, and from where (for the audit log). */
export interface InviteActor {
  userId: number
  address: string | null
}

/**
 * Invites to register: made by an administrator, each code single use and shown once (only its
 * SHA-256 is stored), listed with who made it, when it expires and who used it, and revoked
 * while unused. Registration consumes them (Accounts.register).
 */
export class Invites {
  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditLog,
  ) {}

  create(
    actor: InviteActor,
    options: { expires_in_hours?: number; note?: string } = {},
  ): Promise<CreatedInvite> {
    const code = randomBytes(12).toString('base64url')
    const hours = options.expires_in_hours ?? INVITE_LIFETIME_HOURS
    const expiresAt = new Date(Date.now() + hours * 3600_000).toISOString()
    const note = options.note?.trim() || null
    return this.unitOfWork.transaction(async (tx) => {
      const row = await tx.first(
        tx.q
          .insertInto('invites')
          .values({
            code_hash: hashSecret(code),
            note,
            created_by: actor.userId,
            created_at: nowIso(),
            expires_at: expiresAt,
            used_by: null,
            used_at: null,
            revoked_at: null,
          })
          .returning('id'),
      )
      const id = row!.id
      await this.audit.append(tx, {
        kind: 'invite_created',
        actorId: actor.userId,
        address: actor.address,
        details: { invite_id: id, expires_at: expiresAt, note },
      })
      return { ...(await this.get(tx, id)), code }
    })
  }

  /** The newest invites first. */
  async list(): Promise<Invite[]> {
    const rows = await this.db.all(
      this.select(this.db).orderBy('i.id', 'desc').limit(LISTED_INVITES),
    )
    return rows.map(toInvite)
  }

  /**
   * Withdraws an unused invite: its code no longer registers anyone. Revoking one already revoked
   * changes nothing; one already used cannot be (409).
   */
  revoke(actor: InviteActor, id: number): Promise<Invite> {
    return this.unitOfWork.transaction(async (tx) => {
      const invite = await this.get(tx, id)
      if (invite.state === 'revoked') return invite
      if (invite.state === 'used') throw conflict('This invite was already used.')
      const revoked = await tx.run(
        tx.q
          .updateTable('invites')
          .set({ revoked_at: nowIso() })
          .where('id', '=', id)
          .where('used_at', 'is', null)
          .where('revoked_at', 'is', null),
      )
      // A registration with it committed after the read above.
      if (revoked !== 1) throw conflict('This invite was already used.')
      await this.audit.append(tx, {
        kind: 'invite_revoked',
        actorId: actor.userId,
        address: actor.address,
        details: { invite_id: id, note: invite.note },
      })
      return this.get(tx, id)
    })
  }

  private async get(db: Queryable, id: number): Promise<Invite> {
    const row = await db.first(this.select(db).where('i.id', '=', id))
    if (!row) throw notFound('Invite')
    return toInvite(row)
  }

  private select(db: Queryable) {
    return db.q
      .selectFrom('invites as i')
      .leftJoin('users as creator', 'creator.id', 'i.created_by')
      .leftJoin('users as invitee', 'invitee.id', 'i.used_by')
      .select([
        'i.id',
        'i.note',
        'i.created_at',
        'i.expires_at',
        'i.used_at',
        'i.revoked_at',
        'i.created_by',
        'creator.username as creator_username',
        'creator.display_name as creator_display_name',
        'i.used_by',
        'invitee.username as invitee_username',
        'invitee.display_name as invitee_display_name',
      ])
  }
}

interface InviteRow {
  id: number
  note: string | null
  created_at: string
  expires_at: string
  used_at: string | null
  revoked_at: string | null
  created_by: number
  creator_username: string | null
  creator_display_name: string | null
  used_by: number | null
  invitee_username: string | null
  invitee_display_name: string | null
}

function toInvite(row: InviteRow): Invite {
  const state: InviteState =
    row.used_at !== null
      ? 'used'
      : row.revoked_at !== null
        ? 'revoked'
        : row.expires_at <= nowIso()
          ? 'expired'
          : 'pending'
  return {
    id: row.id,
    note: row.note,
    created_by: userRef(row.created_by, row.creator_username, row.creator_display_name),
    created_at: row.created_at,
    expires_at: row.expires_at,
    state,
    used_by: userRef(row.used_by, row.invitee_username, row.invitee_display_name),
    used_at: row.used_at,
    revoked_at: row.revoked_at,
  }
}
