import type { EmailState, ExternalMessageRecord, Message } from '../../src/shared/models'
import { Limits } from '../../src/shared/limits'
import { nowIso } from '../clock'
import { HttpError } from '../http/httpError'
import type { Database, Queryable } from '../storage/database'
import type { ExternalMessagesTable } from '../storage/schema'
import type { Tx } from '../storage/unitOfWork'
import type { Conversations } from './conversations'
import type { Messages } from './messages'
import { messageEventData, receiverNameOf } from './messageEventData'
import type { AccountRow } from './platformAccounts'
import { hashSecret } from './tokens'

type ExternalMessageRow = ExternalMessagesTable

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

/** The headers an outgoing message is queued with. */
export interface OutboundFields {
  externalId: string
  subject: string | null
  from: string | null
  fromName: string | null
  to: string[]
  inReplyTo: string | null
  references: string | null
}

/** 409 for actions that do not fit the message's delivery state. */
export const wrongState = (message: string) => new HttpError(409, 'conflict', message)

/**
 * The platform side of messages (external_messages): the external id of each message that came
 * from a platform or goes to one, its headers, and the delivery state machine of outgoing ones
 * (queued → sending → sent | failed, retried back to queued), whose every transition names the
 * states it may leave so that two deliveries of one message cannot both happen.
 */
export class ExternalMessages {
  constructor(
    private readonly db: Database,
    private readonly conversations: Conversations,
    private readonly messages: Messages,
  ) {}

  async row(messageId: number, db: Queryable = this.db): Promise<ExternalMessageRow | undefined> {
    return db.first(
      db.q.selectFrom('external_messages').selectAll().where('message_id', '=', messageId),
    )
  }

  async record(messageId: number, db: Queryable = this.db) {
    const row = await this.row(messageId, db)
    return row && toExternalRecord(row)
  }

  byExternalId(db: Queryable, accountId: number, externalId: string) {
    return db.first(
      db.q
        .selectFrom('external_messages')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('external_id', '=', externalId),
    )
  }

  /** The conversation holding any of these external ids (newest first), for threading replies. */
  async conversationOfAny(
    db: Queryable,
    accountId: number,
    externalIds: string[],
  ): Promise<number | undefined> {
    if (externalIds.length === 0) return undefined
    const row = await db.first(
      db.q
        .selectFrom('external_messages')
        .select('conversation_id')
        .where('account_id', '=', accountId)
        .where('external_id', 'in', externalIds)
        .orderBy('message_id', 'desc')
        .limit(1),
    )
    return row?.conversation_id
  }

  /** External ids of a conversation's messages, oldest first (for References). */
  async idsOf(db: Queryable, conversationId: number): Promise<string[]> {
    const rows = await db.all(
      db.q
        .selectFrom('external_messages')
        .select('external_id')
        .where('conversation_id', '=', conversationId)
        .orderBy('message_id'),
    )
    return rows.map((row) => row.external_id)
  }

  /** The newest platform record of a conversation (its subject is what a reply answers). */
  latestOf(db: Queryable, conversationId: number) {
    return db.first(
      db.q
        .selectFrom('external_messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .orderBy('message_id', 'desc')
        .limit(1),
    )
  }

  async list(
    accountId: number,
    filter: { direction?: 'in' | 'out'; state?: EmailState },
  ): Promise<ExternalMessageRecord[]> {
    let query = this.db.q
      .selectFrom('external_messages')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('message_id', 'desc')
      .limit(500)
    if (filter.direction) query = query.where('direction', '=', filter.direction)
    if (filter.state) query = query.where('state', '=', filter.state)
    return (await this.db.all(query)).map(toExternalRecord)
  }

  /**
   * Stores a message that arrived from the platform, in the account owner's conversation, and
   * announces it as message_received. Idempotent by external id: a repeat returns the stored one.
   */
  async storeInbound(
    tx: Tx,
    account: AccountRow,
    inbound: InboundMessage,
  ): Promise<{ message: Message; record: ExternalMessageRecord; created: boolean }> {
    const existing = await this.byExternalId(tx, account.id, inbound.externalId)
    if (existing) {
      return {
        message: (await this.messages.get(tx, existing.message_id))!,
        record: toExternalRecord(existing),
        created: false,
      }
    }
    const now = nowIso()
    let text = inbound.text.trim() ? inbound.text : '(no text)'
    if (text.length > Limits.maxMessageChars) {
      text = `${text.slice(0, Limits.maxMessageChars - 20)}\n… (shortened)`
    }
    const inserted = await tx.first(
      tx.q
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
    await tx.run(
      tx.q.insertInto('external_messages').values({
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
    const message = (await this.messages.get(tx, inserted.id))!
    const conversation = await this.conversations.get(tx, inbound.conversationId, null)
    tx.events.toConversation(
      'message_received',
      messageEventData(
        message,
        conversation.title,
        receiverNameOf(conversation, message.sender_id),
        conversation.platform,
      ),
      conversation.id,
    )
    const record = toExternalRecord((await this.row(inserted.id, tx))!)
    return { message, record, created: true }
  }

  /** Records an outgoing message of a platform conversation as queued for delivery. */
  async queueOutbound(
    tx: Tx,
    message: Message,
    accountId: number,
    fields: OutboundFields,
  ): Promise<void> {
    const now = nowIso()
    await tx.run(
      tx.q.insertInto('external_messages').values({
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
  async transition(
    db: Queryable,
    messageId: number,
    from: EmailState[],
    to: EmailState,
    reason: string | null,
    countAttempt = false,
  ): Promise<boolean> {
    const changes = await db.run(
      db.q
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
    return changes === 1
  }

  /** Queued outgoing messages of a bridged account, oldest first, with their thread key. */
  queuedForBridge(accountId: number) {
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

  /** Outgoing messages of an account left queued or sending, to deliver again. */
  async pendingOutbound(accountId: number): Promise<{ message_id: number; state: string }[]> {
    return this.db.all(
      this.db.q
        .selectFrom('external_messages')
        .select(['message_id', 'state'])
        .where('account_id', '=', accountId)
        .where('direction', '=', 'out')
        .where('state', 'in', ['queued', 'sending'])
        .orderBy('message_id'),
    )
  }
}
