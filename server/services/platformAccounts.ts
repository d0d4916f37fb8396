import { randomBytes } from 'node:crypto'
import type { CreateAccountBody, MailServerBody, UpdateAccountBody } from '../../src/shared/api'
import type { AccountEventData } from '../../src/shared/events'
import type {
  AccountState,
  CreatedPlatformAccount,
  EmailState,
  ExternalMessageRecord,
  ExternalPlatform,
  MailServerSettings,
  Message,
  PlatformAccount,
} from '../../src/shared/models'
import { Limits } from '../../src/shared/limits'
import type { Database } from '../db/database'
import type { ExternalMessagesTable, PlatformAccountsTable } from '../db/schema'
import type { EventSink } from '../realtime/eventLog'
import { nowIso } from '../clock'
import { HttpError, badRequest, notFound } from '../http/httpError'
import type { Conversations } from './conversations'
import type { Messages } from './messages'
import type { SecretBox } from './secretBox'
import { hashSecret } from './tokens'

export type AccountRow = Omit<PlatformAccountsTable, 'id' | 'platform' | 'state'> & {
  id: number
  platform: ExternalPlatform
  state: AccountState
}

type ExternalMessageRow = ExternalMessagesTable

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

export function toExternalRecord(row: ExternalMessageRow): ExternalMessageRecord {
  return {
    message_id: row.message_id,
    account_id: row.account_id,
    conversation_id: row.conversation_id,
    direction: row.direction,
    external_id: row.external_id,
    subject: row.subject,
    from_address: row.from_address,
    from_name: row.from_name,
    to: JSON.parse(row.to_addresses) as string[],
    in_reply_to: row.in_reply_to,
    state: row.state as EmailState,
    reason: row.reason,
    attempts: row.attempts,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** What arrives from a platform for one message. */
export interface InboundMessage {
  conversationId: number
  sender: { handle: string; name: string }
  text: string
  externalId: string
  state: EmailState
  reason?: string | null
  subject?: string | null
  to?: string[]
  inReplyTo?: string | null
  references?: string | null
  raw?: string | null
}

/**
 * Connected platform accounts of users: email accounts (SMTP + IMAP) and bridged messengers. Owns
 * the account rows and their state transitions, which conversation an external thread lands in,
 * and the platform side of messages (external ids, delivery states). Passwords are sealed with the
 * SecretBox; the bridge secret is stored only as a hash.
 */
export class PlatformAccounts {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly conversations: Conversations,
    private readonly messages: Messages,
  ) {}

  // ---- accounts ------------------------------------------------------------------------------

  private row(accountId: number): AccountRow | undefined {
    return this.db.first(
      this.db.q.selectFrom('platform_accounts').selectAll().where('id', '=', accountId),
    ) as AccountRow | undefined
  }

  /** The account row, for internal use (no owner check). */
  find(accountId: number): AccountRow | undefined {
    return this.row(accountId)
  }

  /** The caller's account row; someone else's is a 404 like a missing one. */
  requireOwned(ownerId: number, accountId: number): AccountRow {
    const row = this.row(accountId)
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

  list(ownerId: number): PlatformAccount[] {
    const rows = this.db.all(
      this.db.q
        .selectFrom('platform_accounts')
        .selectAll()
        .where('owner_id', '=', ownerId)
        .orderBy('id'),
    ) as AccountRow[]
    return rows.map((row) => this.toAccount(row))
  }

  /** Ids of every email account, for starting their mail connections. */
  emailAccountIds(): number[] {
    return this.db
      .all(this.db.q.selectFrom('platform_accounts').select('id').where('platform', '=', 'email'))
      .map((row) => row.id)
  }

  create(events: EventSink, ownerId: number, body: CreateAccountBody): CreatedPlatformAccount {
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
    const inserted = this.db.first(
      this.db.q
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
    const account = this.toAccount(this.row(inserted.id)!)
    if (state === 'connected') {
      events.emit('account_connected', this.eventData(account), [ownerId])
    }
    return { ...account, bridge_secret: secret }
  }

  /** Applies changes; returns whether mail settings changed (the connection must restart). */
  update(ownerId: number, accountId: number, body: UpdateAccountBody): boolean {
    const row = this.requireOwned(ownerId, accountId)
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
    this.db.run(
      this.db.q
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
  remove(events: EventSink, ownerId: number, accountId: number): PlatformAccount {
    const row = this.requireOwned(ownerId, accountId)
    const account: PlatformAccount = {
      ...this.toAccount(row),
      state: 'disconnected',
      state_reason: 'Removed by its owner.',
      state_changed_at: nowIso(),
    }
    this.db.run(this.db.q.deleteFrom('platform_accounts').where('id', '=', accountId))
    events.emit('account_disconnected', this.eventData(account), [ownerId])
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
  setState(
    events: EventSink,
    accountId: number,
    state: AccountState,
    reason: string | null,
  ): PlatformAccount | undefined {
    const row = this.row(accountId)
    if (!row) return undefined
    const stateReason = state === 'connected' ? null : reason
    if (row.state === state && row.state_reason === stateReason) return this.toAccount(row)
    const now = nowIso()
    this.db.run(
      this.db.q
        .updateTable('platform_accounts')
        .set({ state, state_reason: stateReason, state_changed_at: now, updated_at: now })
        .where('id', '=', accountId),
    )
    const account = this.toAccount(this.row(accountId)!)
    if (state === 'connected' && row.state !== 'connected') {
      events.emit('account_connected', this.eventData(account), [row.owner_id])
    } else if (state === 'error' && row.state !== 'error') {
      events.emit('account_disconnected', this.eventData(account), [row.owner_id])
    }
    return account
  }

  /** Stores how far the mailbox has been read; call in the unit of work of the import. */
  saveMailCursor(accountId: number, uidValidity: string, lastUid: number): void {
    const now = nowIso()
    this.db.run(
      this.db.q
        .updateTable('platform_accounts')
        .set({ imap_uid_validity: uidValidity, imap_last_uid: lastUid, last_sync_at: now })
        .where('id', '=', accountId),
    )
  }

  markSynced(accountId: number): void {
    this.db.run(
      this.db.q
        .updateTable('platform_accounts')
        .set({ last_sync_at: nowIso() })
        .where('id', '=', accountId),
    )
  }

  /** The account a bridge secret belongs to, if it is of this platform. */
  authenticateBridge(platform: string, secret: string | undefined): AccountRow | undefined {
    if (!secret || secret.length > 256) return undefined
    const row = this.db.first(
      this.db.q
        .selectFrom('platform_accounts')
        .selectAll()
        .where('bridge_secret_hash', '=', hashSecret(secret)),
    ) as AccountRow | undefined
    return row && row.platform === platform ? row : undefined
  }

  // ---- threads -------------------------------------------------------------------------------

  threadByKey(accountId: number, key: string): { conversation_id: number } | undefined {
    return this.db.first(
      this.db.q
        .selectFrom('external_threads')
        .select('conversation_id')
        .where('account_id', '=', accountId)
        .where('thread_key', '=', key),
    )
  }

  /** The newest thread of the account whose normalized subject is this one. */
  threadBySubject(accountId: number, subject: string): { conversation_id: number } | undefined {
    return this.db.first(
      this.db.q
        .selectFrom('external_threads')
        .select('conversation_id')
        .where('account_id', '=', accountId)
        .where('subject', '=', subject)
        .orderBy('id', 'desc')
        .limit(1),
    )
  }

  threadOfConversation(conversationId: number):
    | {
        account_id: number
        subject: string | null
        participants: string[]
      }
    | undefined {
    const row = this.db.first(
      this.db.q
        .selectFrom('external_threads')
        .select(['account_id', 'subject', 'participants'])
        .where('conversation_id', '=', conversationId),
    )
    return row && { ...row, participants: JSON.parse(row.participants) as string[] }
  }

  /** Creates the conversation of a new external thread, with the account owner as its member. */
  createThread(
    events: EventSink,
    account: AccountRow,
    key: string,
    title: string,
    subject: string | null,
    participants: string[],
  ): number {
    const { conversation } = this.conversations.create(
      events,
      account.owner_id,
      [],
      title.slice(0, 128),
      account.platform,
    )
    this.db.run(
      this.db.q.insertInto('external_threads').values({
        account_id: account.id,
        thread_key: key,
        conversation_id: conversation.id,
        subject,
        participants: JSON.stringify([...new Set(participants)]),
        created_at: nowIso(),
      }),
    )
    return conversation.id
  }

  /** Adds addresses to the people a thread's replies go to. */
  addParticipants(conversationId: number, addresses: string[]): void {
    const thread = this.threadOfConversation(conversationId)
    if (!thread) return
    const known = new Set(thread.participants.map((a) => a.toLowerCase()))
    const added = addresses.filter((a) => !known.has(a.toLowerCase()))
    if (added.length === 0) return
    this.db.run(
      this.db.q
        .updateTable('external_threads')
        .set({ participants: JSON.stringify([...thread.participants, ...added]) })
        .where('conversation_id', '=', conversationId),
    )
  }

  // ---- messages ------------------------------------------------------------------------------

  externalRow(messageId: number): ExternalMessageRow | undefined {
    return this.db.first(
      this.db.q.selectFrom('external_messages').selectAll().where('message_id', '=', messageId),
    )
  }

  record(messageId: number): ExternalMessageRecord | undefined {
    const row = this.externalRow(messageId)
    return row && toExternalRecord(row)
  }

  byExternalId(accountId: number, externalId: string): ExternalMessageRow | undefined {
    return this.db.first(
      this.db.q
        .selectFrom('external_messages')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('external_id', '=', externalId),
    )
  }

  /** The conversation holding any of these external ids (newest first), for threading replies. */
  conversationOfAny(accountId: number, externalIds: string[]): number | undefined {
    if (externalIds.length === 0) return undefined
    return this.db.first(
      this.db.q
        .selectFrom('external_messages')
        .select('conversation_id')
        .where('account_id', '=', accountId)
        .where('external_id', 'in', externalIds)
        .orderBy('message_id', 'desc')
        .limit(1),
    )?.conversation_id
  }

  /** External ids of a conversation's messages, oldest first (for References). */
  externalIdsOf(conversationId: number): string[] {
    return this.db
      .all(
        this.db.q
          .selectFrom('external_messages')
          .select('external_id')
          .where('conversation_id', '=', conversationId)
          .orderBy('message_id'),
      )
      .map((row) => row.external_id)
  }

  /** The newest platform record of a conversation (its subject is what a reply answers). */
  latestOf(conversationId: number): ExternalMessageRow | undefined {
    return this.db.first(
      this.db.q
        .selectFrom('external_messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .orderBy('message_id', 'desc')
        .limit(1),
    )
  }

  listRecords(
    accountId: number,
    filter: { direction?: 'in' | 'out'; state?: EmailState },
  ): ExternalMessageRecord[] {
    let query = this.db.q
      .selectFrom('external_messages')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('message_id', 'desc')
      .limit(500)
    if (filter.direction) query = query.where('direction', '=', filter.direction)
    if (filter.state) query = query.where('state', '=', filter.state)
    return this.db.all(query).map(toExternalRecord)
  }

  /**
   * Stores a message that arrived from the platform, in the account owner's conversation, and
   * announces it as message_received. Idempotent by external id: a repeat returns the stored one.
   */
  storeInbound(
    events: EventSink,
    account: AccountRow,
    inbound: InboundMessage,
  ): { message: Message; record: ExternalMessageRecord; created: boolean } {
    const existing = this.byExternalId(account.id, inbound.externalId)
    if (existing) {
      return {
        message: this.messages.get(existing.message_id)!,
        record: toExternalRecord(existing),
        created: false,
      }
    }
    const now = nowIso()
    let text = inbound.text.trim() ? inbound.text : '(no text)'
    if (text.length > Limits.maxMessageChars) {
      text = `${text.slice(0, Limits.maxMessageChars - 20)}\n… (shortened)`
    }
    const inserted = this.db.first(
      this.db.q
        .insertInto('messages')
        .values({
          conversation_id: inbound.conversationId,
          sender_id: account.owner_id,
          client_id: `ext:${account.id}:${hashSecret(inbound.externalId).slice(0, 32)}`,
          text,
          created_at: now,
          edited_at: null,
          deleted_at: null,
          external_sender_handle: inbound.sender.handle,
          external_sender_name: inbound.sender.name,
        })
        .returning('id'),
    )
    if (!inserted) throw new Error('message insert returned nothing')
    this.db.run(
      this.db.q.insertInto('external_messages').values({
        message_id: inserted.id,
        account_id: account.id,
        conversation_id: inbound.conversationId,
        direction: 'in',
        external_id: inbound.externalId,
        subject: inbound.subject ?? null,
        from_address: inbound.sender.handle,
        from_name: inbound.sender.name,
        to_addresses: JSON.stringify(inbound.to ?? []),
        in_reply_to: inbound.inReplyTo ?? null,
        references_header: inbound.references ?? null,
        state: inbound.state,
        reason: inbound.reason ?? null,
        attempts: 0,
        raw: inbound.raw ?? null,
        created_at: now,
        updated_at: now,
      }),
    )
    const message = this.messages.get(inserted.id)!
    const conversation = this.conversations.get(inbound.conversationId, null)
    events.toConversation(
      'message_received',
      {
        conversation_id: conversation.id,
        conversation_title: conversation.title,
        sender_name: message.sender_name,
        message,
      },
      conversation.id,
    )
    return { message, record: toExternalRecord(this.externalRow(inserted.id)!), created: true }
  }

  /** Records an outgoing message of a platform conversation as queued for delivery. */
  queueOutbound(
    message: Message,
    accountId: number,
    fields: {
      externalId: string
      subject: string | null
      from: string | null
      fromName: string | null
      to: string[]
      inReplyTo: string | null
      references: string | null
    },
  ): void {
    const now = nowIso()
    this.db.run(
      this.db.q.insertInto('external_messages').values({
        message_id: message.id,
        account_id: accountId,
        conversation_id: message.conversation_id,
        direction: 'out',
        external_id: fields.externalId,
        subject: fields.subject,
        from_address: fields.from,
        from_name: fields.fromName,
        to_addresses: JSON.stringify(fields.to),
        in_reply_to: fields.inReplyTo,
        references_header: fields.references,
        state: 'queued',
        reason: null,
        attempts: 0,
        raw: null,
        created_at: now,
        updated_at: now,
      }),
    )
  }

  /**
   * Moves an outgoing message between delivery states; `from` guards against two deliveries of
   * one message (the update only applies when the state is still one of them).
   */
  transition(
    messageId: number,
    from: EmailState[],
    to: EmailState,
    reason: string | null,
    countAttempt = false,
  ): boolean {
    const result = this.db.run(
      this.db.q
        .updateTable('external_messages')
        .set((eb) => ({
          state: to,
          reason,
          updated_at: nowIso(),
          attempts: countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
        }))
        .where('message_id', '=', messageId)
        .where('state', 'in', from),
    )
    return result.changes === 1
  }

  /** Queued outgoing messages of a bridged account, oldest first, with their thread key. */
  queuedForBridge(
    accountId: number,
  ): { message_id: number; conversation_id: number; thread_key: string | null }[] {
    return this.db.all(
      this.db.q
        .selectFrom('external_messages as x')
        .leftJoin('external_threads as t', 't.conversation_id', 'x.conversation_id')
        .select(['x.message_id', 'x.conversation_id', 't.thread_key'])
        .where('x.account_id', '=', accountId)
        .where('x.direction', '=', 'out')
        .where('x.state', '=', 'queued')
        .orderBy('x.message_id')
        .limit(500),
    )
  }

  /** Outgoing messages left queued or sending by a previous run, to deliver again. */
  pendingOutbound(accountId: number): number[] {
    return this.db
      .all(
        this.db.q
          .selectFrom('external_messages')
          .select('message_id')
          .where('account_id', '=', accountId)
          .where('direction', '=', 'out')
          .where('state', 'in', ['queued', 'sending'])
          .orderBy('message_id'),
      )
      .map((row) => row.message_id)
  }
}

/** 409 for actions that do not fit the message's delivery state. */
export const wrongState = (message: string) => new HttpError(409, 'conflict', message)
