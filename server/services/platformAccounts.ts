import { randomBytes } from 'node:crypto'
import type { CreateAccountBody, MailServerBody, UpdateAccountBody } from '../../src/shared/api'
import type { AccountEventData } from '../../src/shared/events'
import type {
  AccountState,
  CreatedPlatformAccount,
  ExternalPlatform,
  MailServerSettings,
  PlatformAccount,
} from '../../src/shared/models'
import { nowIso } from '../clock'
import { badRequest, notFound } from '../http/httpError'
import type { Database, Queryable } from '../storage/database'
import type { PlatformAccountsTable } from '../storage/schema'
import type { Tx } from '../storage/unitOfWork'
import type { SecretBox } from './secretBox'
import { hashSecret } from './tokens'

export type AccountRow = Omit<PlatformAccountsTable, 'id' | 'platform' | 'state'> & {
  id: number
  platform: ExternalPlatform
  state: AccountState
}

/** The settings column: mail servers without their passwords. */
interface StoredSettings {
  smtp?: MailServerSettings
  imap?: MailServerSettings
}

/** The credentials column, sealed: the mail passwords. */
export interface AccountCredentials {
  smtp_password?: string
  imap_password?: string
}

/** A mail server with its password, as the mail code needs it. */
export interface MailServer extends MailServerSettings {
  password: string
}

const CREDENTIALS_PURPOSE = 'platform_accounts.credentials'

function withoutPassword(server: MailServerBody): MailServerSettings {
  return { host: server.host, port: server.port, secure: server.secure, username: server.username }
}

/**
 * Connected platform accounts of users: email accounts (SMTP + IMAP) and bridged messengers. Owns
 * the account rows, their sealed credentials and their connection states. Passwords are sealed
 * with the SecretBox; the bridge secret is stored only as a hash. Which conversation an external
 * thread lands in is ExternalThreads'; the platform side of messages is ExternalMessages'.
 */
export class PlatformAccounts {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  /** The account row, for internal use (no owner check). */
  async find(accountId: number, db: Queryable = this.db): Promise<AccountRow | undefined> {
    return (await db.first(
      db.q.selectFrom('platform_accounts').selectAll().where('id', '=', accountId),
    )) as AccountRow | undefined
  }

  /** The caller's account row; someone else's is a 404 like a missing one. */
  async requireOwned(ownerId: number, accountId: number, db: Queryable = this.db) {
    const row = await this.find(accountId, db)
    if (!row || row.owner_id !== ownerId) throw notFound('Account')
    return row
  }

  toAccount(row: AccountRow): PlatformAccount {
    const settings = JSON.parse(row.settings) as StoredSettings
    const account: PlatformAccount = {
      id: row.id,
      platform: row.platform,
      display_name: row.display_name,
      address: row.address,
      state: row.state,
      state_reason: row.state_reason,
      state_changed_at: row.state_changed_at,
      last_sync_at: row.last_sync_at,
      created_at: row.created_at,
    }
    if (settings.smtp) account.smtp = settings.smtp
    if (settings.imap) account.imap = settings.imap
    return account
  }

  async list(ownerId: number): Promise<PlatformAccount[]> {
    const rows = (await this.db.all(
      this.db.q
        .selectFrom('platform_accounts')
        .selectAll()
        .where('owner_id', '=', ownerId)
        .orderBy('id'),
    )) as AccountRow[]
    return rows.map((row) => this.toAccount(row))
  }

  /** Ids of every email account, for starting their mail connections. */
  async emailAccountIds(): Promise<number[]> {
    const rows = await this.db.all(
      this.db.q.selectFrom('platform_accounts').select('id').where('platform', '=', 'email'),
    )
    return rows.map((row) => row.id)
  }

  async create(tx: Tx, ownerId: number, body: CreateAccountBody): Promise<CreatedPlatformAccount> {
    let address: string | null = body.address?.trim() || null
    let settings: StoredSettings = {}
    let credentials: string | null = null
    if (body.platform === 'email') {
      if (!body.email_address || !body.smtp || !body.imap) {
        throw badRequest('An email account needs email_address, smtp and imap.')
      }
      address = body.email_address.trim()
      settings = { smtp: withoutPassword(body.smtp), imap: withoutPassword(body.imap) }
      credentials = this.box.sealJson(
        { smtp_password: body.smtp.password, imap_password: body.imap.password },
        CREDENTIALS_PURPOSE,
      )
    } else if (body.smtp || body.imap || body.email_address) {
      throw badRequest(`A ${body.platform} account is connected through a bridge, not by mail.`)
    }
    const secret = `tb_${randomBytes(32).toString('base64url')}`
    const now = nowIso()
    // A bridged account is usable as soon as it exists; mail is 'connecting' until IMAP logs in.
    const state: AccountState = body.platform === 'email' ? 'connecting' : 'connected'
    const inserted = await tx.first(
      tx.q
        .insertInto('platform_accounts')
        .values({
          owner_id: ownerId,
          platform: body.platform,
          display_name: body.display_name.trim(),
          address,
          settings: JSON.stringify(settings),
          credentials,
          bridge_secret_hash: hashSecret(secret),
          state,
          state_reason: null,
          state_changed_at: now,
          last_sync_at: null,
          imap_uid_validity: null,
          imap_last_uid: 0,
          created_at: now,
          updated_at: now,
        })
        .returning('id'),
    )
    if (!inserted) throw new Error('account insert returned nothing')
    const account = this.toAccount((await this.find(inserted.id, tx))!)
    if (state === 'connected') {
      tx.events.emit('account_connected', this.eventData(account), [ownerId])
    }
    return { ...account, bridge_secret: secret }
  }

  /** Applies changes; returns whether mail settings changed (the connection must restart). */
  async update(tx: Tx, ownerId: number, accountId: number, body: UpdateAccountBody) {
    const row = await this.requireOwned(ownerId, accountId, tx)
    if ((body.smtp || body.imap) && row.platform !== 'email') {
      throw badRequest('Only an email account has mail servers.')
    }
    const settings = JSON.parse(row.settings) as StoredSettings
    const credentials = this.credentials(row)
    if (body.smtp) {
      settings.smtp = withoutPassword(body.smtp)
      credentials.smtp_password = body.smtp.password
    }
    if (body.imap) {
      settings.imap = withoutPassword(body.imap)
      credentials.imap_password = body.imap.password
    }
    const imapChanged = body.imap !== undefined
    await tx.run(
      tx.q
        .updateTable('platform_accounts')
        .set({
          display_name: body.display_name?.trim() ?? row.display_name,
          settings: JSON.stringify(settings),
          credentials:
            row.platform === 'email' ? this.box.sealJson(credentials, CREDENTIALS_PURPOSE) : null,
          updated_at: nowIso(),
          // A new mailbox login: start over, Message-IDs still keep anything from doubling.
          ...(imapChanged ? { imap_uid_validity: null, imap_last_uid: 0 } : {}),
        })
        .where('id', '=', accountId),
    )
    return body.smtp !== undefined || imapChanged
  }

  /** Removes the account; its conversations stay as history. */
  async remove(tx: Tx, ownerId: number, accountId: number): Promise<PlatformAccount> {
    const row = await this.requireOwned(ownerId, accountId, tx)
    const account: PlatformAccount = {
      ...this.toAccount(row),
      state: 'disconnected',
      state_reason: 'Removed by its owner.',
      state_changed_at: nowIso(),
    }
    await tx.run(tx.q.deleteFrom('platform_accounts').where('id', '=', accountId))
    tx.events.emit('account_disconnected', this.eventData(account), [ownerId])
    return account
  }

  /** The decrypted passwords of an account. */
  credentials(row: AccountRow): AccountCredentials {
    return row.credentials ? this.box.openJson(row.credentials, CREDENTIALS_PURPOSE) : {}
  }

  /** A mail server with its password, or undefined when the account has none configured. */
  mailServer(row: AccountRow, which: 'smtp' | 'imap'): MailServer | undefined {
    const settings = (JSON.parse(row.settings) as StoredSettings)[which]
    const password = this.credentials(row)[`${which}_password`]
    return settings && password !== undefined ? { ...settings, password } : undefined
  }

  eventData(account: PlatformAccount): AccountEventData {
    return {
      account_id: account.id,
      platform: account.platform,
      display_name: account.display_name,
      state: account.state,
      reason: account.state === 'connected' ? null : account.state_reason,
      account,
    }
  }

  /**
   * Records a connection state. Entering 'connected' announces account_connected; entering
   * 'error' announces account_disconnected. Staying in a state is silent (a new reason while in
   * error is stored and shown by GET /accounts), so automatic retries do not flood the owner's
   * devices.
   */
  async setState(
    tx: Tx,
    accountId: number,
    state: AccountState,
    reason: string | null,
  ): Promise<PlatformAccount | undefined> {
    const row = await this.find(accountId, tx)
    if (!row) return undefined
    const stateReason = state === 'connected' ? null : reason
    if (row.state === state && row.state_reason === stateReason) return this.toAccount(row)
    const now = nowIso()
    await tx.run(
      tx.q
        .updateTable('platform_accounts')
        .set({ state, state_reason: stateReason, state_changed_at: now, updated_at: now })
        .where('id', '=', accountId),
    )
    const account = this.toAccount((await this.find(accountId, tx))!)
    if (state === 'connected' && row.state !== 'connected') {
      tx.events.emit('account_connected', this.eventData(account), [row.owner_id])
    } else if (state === 'error' && row.state !== 'error') {
      tx.events.emit('account_disconnected', this.eventData(account), [row.owner_id])
    }
    return account
  }

  /** Stores how far the mailbox has been read; call in the unit of work of the import. */
  async saveMailCursor(tx: Tx, accountId: number, uidValidity: string, lastUid: number) {
    await tx.run(
      tx.q
        .updateTable('platform_accounts')
        .set({ imap_uid_validity: uidValidity, imap_last_uid: lastUid, last_sync_at: nowIso() })
        .where('id', '=', accountId),
    )
  }

  async markSynced(tx: Queryable, accountId: number): Promise<void> {
    await tx.run(
      tx.q
        .updateTable('platform_accounts')
        .set({ last_sync_at: nowIso() })
        .where('id', '=', accountId),
    )
  }

  /** The account a bridge secret belongs to, if it is of this platform. */
  async authenticateBridge(platform: string, secret: string | undefined) {
    if (!secret || secret.length > 256) return undefined
    const row = (await this.db.first(
      this.db.q
        .selectFrom('platform_accounts')
        .selectAll()
        .where('bridge_secret_hash', '=', hashSecret(secret)),
    )) as AccountRow | undefined
    return row && row.platform === platform ? row : undefined
  }
}
