import type {
  Attachment,
  Conversation,
  Message,
  MessagePage,
  ReplyPreview,
  User,
} from '../../src/shared/models'
import type { ReceiptBody } from '../../src/shared/api'
import { Limits } from '../../src/shared/limits'
import type { Database } from '../db/database'
import type { EventSink } from '../realtime/eventLog'
import { nowIso } from '../clock'
import { badRequest, conflict, forbidden, notFound } from '../http/httpError'
import type { Conversations } from './conversations'
import {
  MESSAGE_COLUMNS,
  MESSAGE_FROM,
  selectMessages,
  toMessage,
  toReplyPreview,
  type MessageRow,
  type ReplyOriginalRow,
} from './messageRows'
import { AttachmentRows } from './attachmentRows'
import { ReactionReader } from './reactionRows'

/**
 * Called inside the unit of work of a send into a conversation of another platform (email, a
 * bridge), to queue its delivery there; throwing cancels the send.
 */
export type PlatformSendHook = (
  events: EventSink,
  message: Message,
  conversation: Conversation,
) => void

/** Called inside the unit of work of an edit or a delete, with the message as it is now. */
export type MessageChangeHook = (message: Message) => void

/** Called inside the unit of work of a delete with the ids of the files it let go of. */
export type AttachmentsReleasedHook = (attachmentIds: number[]) => void

const MESSAGE_SELECT = `select ${MESSAGE_COLUMNS.join(', ')} from ${MESSAGE_FROM}`

/** A reply's original, with what its send checks: that it is of the same conversation. */
type ReplyTargetRow = ReplyOriginalRow & { conversation_id: number }

const NOT_A_REPLY_TARGET =
  'reply_to_id must name a message of this conversation that is not deleted.'

const NOT_SENDABLE_ATTACHMENTS =
  'attachment_ids must name your own uploads to this conversation that no message carries yet.'

/** Messages: idempotent sends, history, edits, deletes and receipts. */
export class Messages {
  private platformSend: PlatformSendHook | undefined
  private changed: MessageChangeHook | undefined
  private attachmentsReleased: AttachmentsReleasedHook | undefined
  /**
   * The statements of a send, the hottest path of the server, prepared once: building them with
   * the query builder on every call would cost as much as running them.
   */
  private readonly sendStatements
  private readonly reactions: ReactionReader
  private readonly attachments: AttachmentRows

  constructor(
    private readonly db: Database,
    private readonly conversations: Conversations,
  ) {
    this.reactions = new ReactionReader(db)
    this.attachments = new AttachmentRows(db)
    const s = db.sqlite
    this.sendStatements = {
      insert: s.prepare<[number, number, string, string, string, number | null], { id: number }>(
        `insert into messages (conversation_id, sender_id, client_id, text, created_at, reply_to_id)
         values (?, ?, ?, ?, ?, ?) on conflict (sender_id, client_id) do nothing returning id`,
      ),
      // Only a reply runs it: one lookup by primary key (and its sender's).
      replyTarget: s.prepare<[number], ReplyTargetRow>(
        `select r.conversation_id, r.sender_id, ru.display_name as sender_name, r.text,
           r.deleted_at, r.external_sender_handle, r.external_sender_name
         from messages r join users ru on ru.id = r.sender_id where r.id = ?`,
      ),
      byId: s.prepare<[number], MessageRow>(`${MESSAGE_SELECT} where m.id = ?`),
      bySenderClientId: s.prepare<[number, string], MessageRow>(
        `${MESSAGE_SELECT} where m.sender_id = ? and m.client_id = ?`,
      ),
    }
  }

  /** Installs the delivery of messages sent into platform conversations (server/email). */
  onPlatformSend(hook: PlatformSendHook): void {
    this.platformSend = hook
  }

  /** Installs what follows edits and deletes (the search index); sends never call it. */
  onChange(hook: MessageChangeHook): void {
    this.changed = hook
  }

  /** Installs what follows a deletion that let go of files (removing them once committed). */
  onAttachmentsReleased(hook: AttachmentsReleasedHook): void {
    this.attachmentsReleased = hook
  }

  /** The message as it is now, with its reactions and files (never called by a send). */
  get(messageId: number): Message | undefined {
    const row = this.sendStatements.byId.get(messageId)
    return row ? this.withExtras([toMessage(row)])[0] : undefined
  }

  /** Reactions and files of a page of messages: one query each. */
  private withExtras(messages: Message[]): Message[] {
    return this.attachments.attach(this.reactions.attach(messages))
  }

  /**
   * Stores a message and emits message_sent to the sender and message_received to the others. A
   * repeated client_id returns the stored message with `created: false` and emits nothing.
   * `replyToId` names the message it replies to: one of the same conversation, not deleted.
   * `attachmentIds` names the sender's unsent uploads to this conversation that it carries; the
   * text may then be blank.
   */
  send(
    events: EventSink,
    sender: Pick<User, 'id' | 'display_name'>,
    conversationId: number,
    text: string,
    clientId: string,
    replyToId?: number,
    attachmentIds?: readonly number[],
  ): { message: Message; created: boolean } {
    const senderId = sender.id
    const statements = this.sendStatements
    const target = this.conversations.requireMember(conversationId, senderId)
    if (text.trim().length === 0 && attachmentIds === undefined) {
      throw badRequest('A message cannot be blank.')
    }
    if (attachmentIds !== undefined && target.platform !== 'tidings') {
      throw badRequest(`Attachments cannot be sent to a ${target.platform} conversation yet.`)
    }
    let replyTo: ReplyPreview | null = null
    if (replyToId !== undefined) {
      const original = statements.replyTarget.get(replyToId)
      // One answer whether the id is unknown, of another conversation or deleted: a send must not
      // tell what exists outside the sender's conversations.
      if (!original || original.conversation_id !== conversationId || original.deleted_at) {
        // A retry of a reply whose original was deleted since is still answered with what it stored.
        const stored = this.stored(senderId, clientId, conversationId)
        if (stored) return stored
        throw badRequest(NOT_A_REPLY_TARGET)
      }
      replyTo = toReplyPreview(replyToId, original)
    }
    const now = nowIso()
    // The unique (sender_id, client_id) makes a retried send a no-op that returns the original.
    const inserted = statements.insert.get(
      conversationId,
      senderId,
      clientId,
      text,
      now,
      replyToId ?? null,
    )
    if (!inserted) return this.stored(senderId, clientId, conversationId)!
    let attachments: Attachment[] | undefined
    if (attachmentIds !== undefined) {
      attachments = this.attachments.claim(attachmentIds, inserted.id, conversationId, senderId)
      // Thrown inside the unit of work's savepoint: the message row goes with it.
      if (!attachments) throw badRequest(NOT_SENDABLE_ATTACHMENTS)
    }
    // The conversation's row is not touched: its latest activity is read off its last message
    // (Conversations.get), which saves every send a write to one more page.
    // Everything the stored row holds is known here: no need to read it back.
    const message: Message = {
      id: inserted.id,
      conversation_id: conversationId,
      sender_id: senderId,
      sender_name: sender.display_name,
      client_id: clientId,
      text,
      created_at: now,
      edited_at: null,
      deleted_at: null,
      reply_to: replyTo,
    }
    if (attachments) message.attachments = attachments
    // A Tidings send needs only the title and the member ids: the full Conversation view (members
    // joined to users, sorted, and the last message) is built only for bridged platforms.
    if (target.platform !== 'tidings') {
      this.platformSend?.(events, message, this.conversations.getBare(conversationId, null))
    }
    const data = {
      conversation_id: conversationId,
      conversation_title: target.title,
      sender_name: message.sender_name,
      message,
    }
    events.toMember('message_sent', data, conversationId, senderId)
    events.toConversation('message_received', data, conversationId, senderId)
    return { message, created: true }
  }

  /** The message an earlier send with this client_id stored, for its retry; undefined if none. */
  private stored(
    senderId: number,
    clientId: string,
    conversationId: number,
  ): { message: Message; created: false } | undefined {
    const row = this.sendStatements.bySenderClientId.get(senderId, clientId)
    if (!row) return undefined
    const existing = toMessage(row)
    if (existing.conversation_id !== conversationId) {
      throw conflict('That client_id was already used for a message in another conversation.')
    }
    return { message: this.attachments.attach([existing])[0]!, created: false }
  }

  /** A page of history, oldest first within the page, walking back with `before`. */
  history(
    userId: number,
    conversationId: number,
    before: number | undefined,
    limit: number | undefined,
  ): MessagePage {
    this.conversations.requireMember(conversationId, userId)
    const pageSize = Math.min(limit ?? Limits.historyPageSize, Limits.historyMaxPageSize)
    let query = selectMessages(this.db.q)
      .where('m.conversation_id', '=', conversationId)
      .orderBy('m.id', 'desc')
      .limit(pageSize + 1)
    if (before !== undefined) query = query.where('m.id', '<', before)
    const rows = this.db.all(query)
    const hasMore = rows.length > pageSize
    const page = this.withExtras(rows.slice(0, pageSize).reverse().map(toMessage))
    return { messages: page, next_before: hasMore && page[0] ? page[0].id : null }
  }

  private requireOwn(messageId: number, userId: number): Message {
    const message = this.get(messageId)
    if (!message) throw notFound('Message')
    if (!this.conversations.isMember(message.conversation_id, userId)) throw notFound('Message')
    if (message.sender_id !== userId || message.external_sender) {
      throw forbidden('Only the sender can change this message.')
    }
    if (message.deleted_at) throw conflict('The message was deleted.')
    return message
  }

  edit(events: EventSink, userId: number, messageId: number, text: string): Message {
    const before = this.requireOwn(messageId, userId)
    if (text.trim().length === 0) throw badRequest('A message cannot be blank.')
    this.db.run(
      this.db.q
        .updateTable('messages')
        .set({ text, edited_at: nowIso() })
        .where('id', '=', messageId),
    )
    const message = this.get(messageId)!
    this.changed?.(message)
    events.toConversation(
      'message_updated',
      { conversation_id: before.conversation_id, message },
      before.conversation_id,
    )
    return message
  }

  delete(events: EventSink, userId: number, messageId: number): Message {
    const before = this.requireOwn(messageId, userId)
    this.db.run(
      this.db.q.updateTable('messages').set({ deleted_at: nowIso() }).where('id', '=', messageId),
    )
    // A deleted message keeps no reactions, as in Signal: its tombstone shows nothing of it.
    this.db.run(this.db.q.deleteFrom('message_reactions').where('message_id', '=', messageId))
    // Nor its files: their rows go now, their bytes once this is committed.
    const released = this.attachments.release(messageId)
    if (released.length > 0) this.attachmentsReleased?.(released)
    const message = this.get(messageId)!
    this.changed?.(message)
    events.toConversation(
      'message_deleted',
      { conversation_id: before.conversation_id, message_id: messageId, message },
      before.conversation_id,
    )
    return message
  }

  /**
   * Moves the caller's delivered or read marker forward (never back; read implies delivered) and
   * tells the members. Returns false when the marker was already there.
   */
  receipt(events: EventSink, userId: number, conversationId: number, body: ReceiptBody): boolean {
    this.conversations.requireMember(conversationId, userId)
    const latest = this.conversations.latestMessageId(conversationId)
    if (body.up_to_message_id > latest) {
      throw badRequest(`Message ${body.up_to_message_id} is not in this conversation.`)
    }
    const row = this.db.first(
      this.db.q
        .selectFrom('conversation_members')
        .select(['last_read_message_id', 'last_delivered_message_id'])
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId),
    )!
    const upTo = body.up_to_message_id
    const readMoves = body.kind === 'read' && upTo > row.last_read_message_id
    const deliveredMoves = upTo > row.last_delivered_message_id
    if (!readMoves && !deliveredMoves) return false
    this.db.run(
      this.db.q
        .updateTable('conversation_members')
        .set({
          last_read_message_id: readMoves ? upTo : row.last_read_message_id,
          last_delivered_message_id: deliveredMoves ? upTo : row.last_delivered_message_id,
        })
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId),
    )
    events.toConversation(
      'message_updated',
      {
        conversation_id: conversationId,
        receipt: { user_id: userId, kind: body.kind, up_to_message_id: upTo },
      },
      conversationId,
    )
    return true
  }
}
