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
import { nowIso } from '../clock'
import { badRequest, conflict, forbidden, notFound } from '../http/httpError'
import { rawSql, type Database, type Queryable } from '../storage/database'
import type { Tx } from '../storage/unitOfWork'
import { claimFiles, releaseFiles, attachFiles } from './attachmentRows'
import type { Conversations, SendTarget } from './conversations'
import { messageEventData } from './messageEventData'
import { followOnReply } from './threadFollows'
import {
  MESSAGE_COLUMNS,
  MESSAGE_FROM,
  inChannel,
  selectMessages,
  toMessage,
  toReplyPreview,
  withExtras,
  type MessageRow,
  type ReplyOriginalRow,
} from './messageRows'

/**
 * Called inside the unit of work of a send into a conversation of another platform (email, a
 * bridge), to queue its delivery there; throwing cancels the send.
 */
export type PlatformSendHook = (
  tx: Tx,
  message: Message,
  conversation: Conversation,
) => Promise<void>

/** Called inside the unit of work of an edit or a delete, with the message as it is now. */
export type MessageChangeHook = (tx: Tx, message: Message) => Promise<void>

/**
 * Called inside the unit of work of an edit, once the new text is stored and before the message
 * is read for its event: what the edit changes besides the text (the link preview) is in it.
 */
export type TextEditedHook = (tx: Tx, before: Message, text: string) => Promise<void>

/** Called inside the unit of work of a delete with the ids of the files it let go of. */
export type AttachmentsReleasedHook = (tx: Tx, attachmentIds: number[]) => void

const MESSAGE_SELECT = `select ${MESSAGE_COLUMNS.join(', ')} from ${MESSAGE_FROM}`

/** A reply's original, with what its send checks: that it is of the same conversation. */
type ReplyTargetRow = ReplyOriginalRow & { conversation_id: number }

const NOT_A_REPLY_TARGET =
  'reply_to_id must name a message of this conversation that is not deleted.'

/** A thread's root, with what a reply in it checks. */
interface ThreadRootRow {
  conversation_id: number
  sender_id: number
  deleted_at: string | null
  thread_root_id: number | null
}

const NOT_A_THREAD_ROOT =
  'thread_root_id must name a message of this conversation that is not deleted and not itself a thread reply.'

/** The SendOptions of a send's wire body (REST or the send_message frame). */
export function sendOptions(body: {
  reply_to_id?: number
  attachment_ids?: readonly number[]
  thread_root_id?: number
  also_to_channel?: boolean
}): SendOptions {
  return {
    replyToId: body.reply_to_id,
    attachmentIds: body.attachment_ids,
    threadRootId: body.thread_root_id,
    alsoToChannel: body.also_to_channel,
  }
}

/** What a send may add to its text: a quote, files, a thread. */
export interface SendOptions {
  /** The message it replies to (a quote): one of the same conversation, not deleted. */
  replyToId?: number
  /** The sender's unsent uploads to this conversation that it carries. */
  attachmentIds?: readonly number[]
  /** The root of the thread it replies in: a message of the same conversation, not deleted. */
  threadRootId?: number
  /** With threadRootId: it shows in the channel as well. */
  alsoToChannel?: boolean
}

const NOT_SENDABLE_ATTACHMENTS =
  'attachment_ids must name your own uploads to this conversation that no message carries yet.'

/**
 * The statements of a send, the hottest path of the server, written once: building them with the
 * query builder on every call would cost as much as running them.
 */
const SEND = {
  insert: rawSql(
    `insert into messages (conversation_id, sender_id, client_id, text, created_at, reply_to_id)
     values (?, ?, ?, ?, ?, ?) on conflict (sender_id, client_id) do nothing returning id`,
  ),
  // insert, for a send whose target was read ahead (Messages.send's `ahead`): it stores the row
  // only if the sender is a member, checked in the same statement and transaction.
  insertAsMember: rawSql(
    `insert into messages (conversation_id, sender_id, client_id, text, created_at, reply_to_id)
     select ?, ?, ?, ?, ?, ? where exists (select 1 from conversation_members
       where conversation_id = ? and user_id = ?)
     on conflict (sender_id, client_id) do nothing returning id`,
  ),
  // Only a reply runs it: one lookup by primary key (and its sender's).
  replyTarget: rawSql(
    `select r.conversation_id, r.sender_id, ru.display_name as sender_name, r.text,
       r.deleted_at, r.external_sender_handle, r.external_sender_name
     from messages r join users ru on ru.id = r.sender_id where r.id = ?`,
  ),
  // A thread reply's own statement, so that other sends bind nothing more than before.
  insertInThread: rawSql(
    `insert into messages
       (conversation_id, sender_id, client_id, text, created_at, reply_to_id, thread_root_id,
        thread_in_channel)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (sender_id, client_id) do nothing returning id`,
  ),
  insertInThreadAsMember: rawSql(
    `insert into messages
       (conversation_id, sender_id, client_id, text, created_at, reply_to_id, thread_root_id,
        thread_in_channel)
     select ?, ?, ?, ?, ?, ?, ?, ? where exists (select 1 from conversation_members
       where conversation_id = ? and user_id = ?)
     on conflict (sender_id, client_id) do nothing returning id`,
  ),
  // Only a thread reply runs it: its root, by primary key.
  threadRoot: rawSql(
    'select conversation_id, sender_id, deleted_at, thread_root_id from messages where id = ?',
  ),
  byId: rawSql(`${MESSAGE_SELECT} where m.id = ?`),
  bySenderClientId: rawSql(`${MESSAGE_SELECT} where m.sender_id = ? and m.client_id = ?`),
}

/**
 * Moves a member's markers forward, never back, in one statement (so that two devices sending
 * receipts at once, on any node, cannot move one back); read implies delivered. Parameters, in
 * order: is_read (1 or 0), up_to ×4, conversation, user, up_to, is_read, up_to.
 */
const MOVE_RECEIPT = rawSql(
  `update conversation_members set
     last_read_message_id = case when ? = 1 and last_read_message_id < ?
       then ? else last_read_message_id end,
     last_delivered_message_id = case when last_delivered_message_id < ?
       then ? else last_delivered_message_id end
   where conversation_id = ? and user_id = ?
     and (last_delivered_message_id < ? or (? = 1 and last_read_message_id < ?))`,
)

/** Messages: idempotent sends, history, edits, deletes and receipts. */
export class Messages {
  private platformSend: PlatformSendHook | undefined
  private changed: MessageChangeHook | undefined
  private attachmentsReleased: AttachmentsReleasedHook | undefined
  private sent: ((message: Message) => void) | undefined
  private textEdited: TextEditedHook | undefined

  constructor(
    private readonly db: Database,
    private readonly conversations: Conversations,
  ) {}

  /** Installs the delivery of messages sent into platform conversations (server/email). */
  onPlatformSend(hook: PlatformSendHook): void {
    this.platformSend = hook
  }

  /** Installs what follows edits and deletes (the search index); sends never call it. */
  onChange(hook: MessageChangeHook): void {
    this.changed = hook
  }

  /**
   * Installs what follows a new message of a Tidings conversation, in its unit of work (link
   * previews: unfurled once committed). Mail and bridged sends do not call it: fetching their links
   * could tell a sender that the mail was read.
   */
  onSent(hook: (message: Message) => void): void {
    this.sent = hook
  }

  /** Installs what an edit changes besides the text (link previews: the new first link's). */
  onTextEdited(hook: TextEditedHook): void {
    this.textEdited = hook
  }

  /** Installs what follows a deletion that let go of files (removing them once committed). */
  onAttachmentsReleased(hook: AttachmentsReleasedHook): void {
    this.attachmentsReleased = hook
  }

  /** The message as it is now, with its reactions and files (never called by a send). */
  async get(db: Queryable, messageId: number): Promise<Message | undefined> {
    const row = await db.firstRaw<MessageRow>(SEND.byId, [messageId])
    return row ? (await withExtras(db, [toMessage(row)]))[0] : undefined
  }

  /**
   * Stores a message and emits message_sent to the sender and message_received to the others. A
   * repeated client_id returns the stored message with `created: false` and emits nothing.
   * With `attachmentIds` (SendOptions) the text may be blank. A thread reply also makes the
   * replier and the root's sender follow the thread, and emits the root's message_updated with
   * its new thread summary.
   * `ahead` is the conversation's head read before the unit of work (sendTargetAhead): the unit
   * then skips that read and its insert checks membership itself, which on PostgreSQL takes one
   * round trip off the node's serial path of units (see postgres/postgresUnitOfWork).
   */
  async send(
    tx: Tx,
    sender: Pick<User, 'id' | 'display_name'>,
    conversationId: number,
    text: string,
    clientId: string,
    options: SendOptions = {},
    ahead?: SendTarget,
  ): Promise<{ message: Message; created: boolean }> {
    const { replyToId, attachmentIds, threadRootId, alsoToChannel } = options
    const senderId = sender.id
    const target = ahead ?? (await this.conversations.requireSender(tx, conversationId, sender))
    if (text.trim().length === 0 && attachmentIds === undefined) {
      throw badRequest('A message cannot be blank.')
    }
    if (attachmentIds !== undefined && target.platform !== 'tidings') {
      throw badRequest(`Attachments cannot be sent to a ${target.platform} conversation yet.`)
    }
    let replyTo: ReplyPreview | null = null
    if (replyToId !== undefined) {
      const original = await tx.firstRaw<ReplyTargetRow>(SEND.replyTarget, [replyToId])
      // One answer whether the id is unknown, of another conversation or deleted: a send must not
      // tell what exists outside the sender's conversations.
      if (!original || original.conversation_id !== conversationId || original.deleted_at) {
        // A retry of a reply whose original was deleted since is still answered with what it stored.
        const stored = await this.stored(tx, senderId, clientId, conversationId)
        if (stored) return stored
        throw badRequest(NOT_A_REPLY_TARGET)
      }
      replyTo = toReplyPreview(replyToId, original)
    }
    if (alsoToChannel !== undefined && threadRootId === undefined) {
      throw badRequest('also_to_channel is for thread replies: send it with thread_root_id.')
    }
    let root: ThreadRootRow | undefined
    if (threadRootId !== undefined) {
      if (target.platform !== 'tidings') {
        throw badRequest(`A ${target.platform} conversation has no threads.`)
      }
      root = await tx.firstRaw<ThreadRootRow>(SEND.threadRoot, [threadRootId])
      // One answer for every refusal, as for reply_to_id.
      if (
        !root ||
        root.conversation_id !== conversationId ||
        root.deleted_at ||
        root.thread_root_id !== null
      ) {
        const stored = await this.stored(tx, senderId, clientId, conversationId)
        if (stored) return stored
        throw badRequest(NOT_A_THREAD_ROOT)
      }
    }
    const now = nowIso()
    // The unique (sender_id, client_id) makes a retried send a no-op that returns the original.
    const values: unknown[] = [conversationId, senderId, clientId, text, now, replyToId ?? null]
    if (threadRootId !== undefined) values.push(threadRootId, alsoToChannel ? 1 : null)
    const statement = ahead
      ? threadRootId === undefined
        ? SEND.insertAsMember
        : SEND.insertInThreadAsMember
      : threadRootId === undefined
        ? SEND.insert
        : SEND.insertInThread
    if (ahead) values.push(conversationId, senderId)
    const inserted = await tx.firstRaw<{ id: number }>(statement, values)
    if (!inserted) {
      // Read ahead, the insert stored nothing either because the client_id was used before or
      // because the sender is no longer a member: requireSender tells which, in this transaction.
      if (ahead) await this.conversations.requireSender(tx, conversationId, sender)
      return (await this.stored(tx, senderId, clientId, conversationId))!
    }
    let attachments: Attachment[] | undefined
    if (attachmentIds !== undefined) {
      attachments = await claimFiles(tx, attachmentIds, inserted.id, conversationId, senderId)
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
    if (threadRootId !== undefined) {
      message.thread_root_id = threadRootId
      if (alsoToChannel) message.in_channel = true
    }
    // A Tidings send needs only the title and the member ids: the full Conversation view (members
    // joined to users, sorted, and the last message) is built only for bridged platforms.
    if (target.platform !== 'tidings') {
      await this.platformSend?.(
        tx,
        message,
        await this.conversations.getBare(tx, conversationId, null),
      )
    }
    const data = messageEventData(message, target.title, target.receiver_name, target.platform)
    if (root && threadRootId !== undefined) {
      data.thread_follower_ids = await followOnReply(tx, {
        rootId: threadRootId,
        rootSenderId: Number(root.sender_id),
        conversationId,
        id: inserted.id,
        senderId,
      })
    }
    tx.events.toMember('message_sent', data, conversationId, senderId)
    tx.events.toConversation('message_received', data, conversationId, senderId)
    if (threadRootId !== undefined) await this.threadChanged(tx, conversationId, threadRootId)
    if (target.platform === 'tidings') this.sent?.(message)
    return { message, created: true }
  }

  /** The root of a thread whose replies changed, with its new summary, to the members. */
  private async threadChanged(tx: Tx, conversationId: number, rootId: number): Promise<void> {
    const root = await this.get(tx, rootId)
    if (!root) return
    tx.events.toConversation(
      'message_updated',
      { conversation_id: conversationId, message: root },
      conversationId,
    )
  }

  /** The message an earlier send with this client_id stored, for its retry; undefined if none. */
  private async stored(
    db: Queryable,
    senderId: number,
    clientId: string,
    conversationId: number,
  ): Promise<{ message: Message; created: false } | undefined> {
    const row = await db.firstRaw<MessageRow>(SEND.bySenderClientId, [senderId, clientId])
    if (!row) return undefined
    const existing = toMessage(row)
    if (existing.conversation_id !== conversationId) {
      throw conflict('That client_id was already used for a message in another conversation.')
    }
    return { message: (await attachFiles(db, [existing]))[0]!, created: false }
  }

  /** A page of history, oldest first within the page, walking back with `before`. */
  async history(
    userId: number,
    conversationId: number,
    before: number | undefined,
    limit: number | undefined,
  ): Promise<MessagePage> {
    const db = this.db
    await this.conversations.requireMember(db, conversationId, userId)
    const pageSize = Math.min(limit ?? Limits.historyPageSize, Limits.historyMaxPageSize)
    let query = selectMessages(db.q)
      .where('m.conversation_id', '=', conversationId)
      .where(inChannel())
      .orderBy('m.id', 'desc')
      .limit(pageSize + 1)
    if (before !== undefined) query = query.where('m.id', '<', before)
    const rows = await db.all(query)
    const hasMore = rows.length > pageSize
    const page = await withExtras(db, rows.slice(0, pageSize).reverse().map(toMessage))
    return { messages: page, next_before: hasMore && page[0] ? page[0].id : null }
  }

  private async requireOwn(db: Queryable, messageId: number, userId: number): Promise<Message> {
    const message = await this.get(db, messageId)
    if (!message) throw notFound('Message')
    if (!(await this.conversations.isMember(db, message.conversation_id, userId))) {
      throw notFound('Message')
    }
    if (message.sender_id !== userId || message.external_sender) {
      throw forbidden('Only the sender can change this message.')
    }
    if (message.deleted_at) throw conflict('The message was deleted.')
    return message
  }

  async edit(tx: Tx, userId: number, messageId: number, text: string): Promise<Message> {
    const before = await this.requireOwn(tx, messageId, userId)
    if (text.trim().length === 0) throw badRequest('A message cannot be blank.')
    await tx.run(
      tx.q.updateTable('messages').set({ text, edited_at: nowIso() }).where('id', '=', messageId),
    )
    await this.textEdited?.(tx, before, text)
    const message = (await this.get(tx, messageId))!
    await this.changed?.(tx, message)
    tx.events.toConversation(
      'message_updated',
      { conversation_id: before.conversation_id, message },
      before.conversation_id,
    )
    return message
  }

  async delete(tx: Tx, userId: number, messageId: number): Promise<Message> {
    const before = await this.requireOwn(tx, messageId, userId)
    await tx.run(
      tx.q.updateTable('messages').set({ deleted_at: nowIso() }).where('id', '=', messageId),
    )
    // A deleted message keeps no reactions, as in Signal: its tombstone shows nothing of it.
    await tx.run(tx.q.deleteFrom('message_reactions').where('message_id', '=', messageId))
    // Nor its files: their rows go now, their bytes once this is committed.
    const released = await releaseFiles(tx, messageId)
    if (released.length > 0) this.attachmentsReleased?.(tx, released)
    const message = (await this.get(tx, messageId))!
    await this.changed?.(tx, message)
    tx.events.toConversation(
      'message_deleted',
      { conversation_id: before.conversation_id, message_id: messageId, message },
      before.conversation_id,
    )
    // A thread reply fewer: its root shows the new count.
    if (before.thread_root_id !== undefined) {
      await this.threadChanged(tx, before.conversation_id, before.thread_root_id)
    }
    return message
  }

  /**
   * Moves the caller's delivered or read marker forward (never back; read implies delivered) and
   * tells the members. Returns false when the marker was already there.
   */
  async receipt(
    tx: Tx,
    userId: number,
    conversationId: number,
    body: ReceiptBody,
  ): Promise<boolean> {
    await this.conversations.requireMember(tx, conversationId, userId)
    const latest = await this.conversations.latestMessageId(tx, conversationId)
    const upTo = body.up_to_message_id
    if (upTo > latest) {
      throw badRequest(`Message ${upTo} is not in this conversation.`)
    }
    const read = body.kind === 'read' ? 1 : 0
    const moved = await tx.runRaw(MOVE_RECEIPT, [
      read,
      upTo,
      upTo,
      upTo,
      upTo,
      conversationId,
      userId,
      upTo,
      read,
      upTo,
    ])
    if (moved === 0) return false
    tx.events.toConversation(
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
