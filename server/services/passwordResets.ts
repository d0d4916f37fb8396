import { randomBytes } from 'node:crypto'
import { Limits } from '../../src/shared/limits'
import type { AuthResult, PasswordResetIssued } from '../../src/shared/models'
import { nowIso } from '../clock'
import { HttpError, conflict, notFound } from '../http/httpError'
import type { Database } from '../storage/database'
import type { UnitOfWork } from '../storage/unitOfWork'
import { issueToken, revokeAllTokens, touchActiveUser } from './accounts'
import type { AuditLog } from './auditLog'
import type { PasswordHasher } from './passwords'
import type { AdminActor } from './userAdministration'
import { hashSecret } from './tokens'

/** Every refusal of a code reads the same: nothing tells a wrong code from a used one. */
export const invalidResetCode = () =>
  new HttpError(
    403,
    'invalid_reset_code',
    'This reset code is invalid, expired or already used. Ask an administrator for a new one.',
  )

/**
 * An administrator's password reset for someone who forgot theirs: a one-time code (or the
 * `tidings://reset-password` link that carries it) to hand over, valid 24 hours, stored only as
 * its SHA-256 like a token. A new code replaces the user's earlier unused ones. Using it sets
 * the new password, signs out every device the user was signed in on and signs in the one that
 * used it. Users who know their password change it themselves (Accounts.changePassword).
 */
export class PasswordResets {
  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditLog,
  ) {}

  issue(actor: AdminActor, userId: number): Promise<PasswordResetIssued> {
    const code = randomBytes(12).toString('base64url')
    const now = Date.now()
    const expiresAt = new Date(now + Limits.passwordResetHours * 3600_000).toISOString()
    return this.unitOfWork.transaction(async (tx) => {
      const user = await tx.first(
        tx.q.selectFrom('users').select(['id', 'deactivated_at']).where('id', '=', userId),
      )
      if (!user) throw notFound('User')
      if (user.deactivated_at !== null) {
        throw conflict('Reactivate the account before resetting its password.')
      }
      await tx.run(
        tx.q
          .deleteFrom('password_resets')
          .where('user_id', '=', userId)
          .where('used_at', 'is', null),
      )
      await tx.run(
        tx.q.insertInto('password_resets').values({
          code_hash: hashSecret(code),
          user_id: userId,
          created_by: actor.caller.user.id,
          created_at: new Date(now).toISOString(),
          expires_at: expiresAt,
          used_at: null,
        }),
      )
      await this.audit.append(tx, {
        kind: 'password_reset_issued',
        actorId: actor.caller.user.id,
        targetId: userId,
        address: actor.address,
        details: { expires_at: expiresAt },
      })
      return { user_id: userId, code, expires_at: expiresAt }
    })
  }

  /**
   * Uses a code: the new password replaces the old, every token of the user is revoked (their
   * sockets closed with 4001 everywhere), and the caller is signed in with a new one. `address`
   * is the client's, for the audit log; `hashTurn` whose turn it is in the hashing pool (the
   * address, IPv6 by /64). A code that is not usable is refused before the new password is
   * hashed, so a wrong code costs no scrypt (the code itself is stored as its SHA-256, like a
   * token: 96 random bits need no slow hash).
   */
  async redeem(
    code: string,
    newPassword: string,
    address: string,
    hashTurn: string = address,
  ): Promise<AuthResult> {
    const codeHash = hashSecret(code)
    if (!(await this.codeUsable(codeHash))) throw invalidResetCode()
    // Hash before the unit of work: the slow part must not hold the database. The code is
    // claimed again where it decides: two requests may race for it.
    const passwordHash = await this.hasher.hash(newPassword, hashTurn)
    return this.unitOfWork.run(async (tx) => {
      const now = nowIso()
      // Claimed by a conditional update: of two requests with one code, one claims it.
      const claimed = await tx.first(
        tx.q
          .updateTable('password_resets')
          .set({ used_at: now })
          .where('code_hash', '=', codeHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('user_id'),
      )
      if (!claimed) throw invalidResetCode()
      const userId = claimed.user_id
      // Deactivated since it was issued: the unit rolls back, the code stays unused.
      if (!(await touchActiveUser(tx, userId))) throw invalidResetCode()
      await tx.run(
        tx.q.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId),
      )
      const revoked = await revokeAllTokens(tx, userId, 'password reset')
      await this.audit.append(tx, {
        kind: 'password_reset_used',
        actorId: userId,
        address,
        details: { signed_out_sessions: revoked.live },
      })
      const user = await tx.first(
        tx.q
          .selectFrom('users')
          .select(['id', 'username', 'display_name', 'role'])
          .where('id', '=', userId),
      )
      return { token: await issueToken(tx, userId), user: user! }
    })
  }

  /** True when `codeHash` is a code neither used nor expired (nothing is claimed). */
  private async codeUsable(codeHash: string): Promise<boolean> {
    const row = await this.db.first(
      this.db.q
        .selectFrom('password_resets')
        .select('user_id')
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', nowIso()),
    )
    return row !== undefined
  }
}
