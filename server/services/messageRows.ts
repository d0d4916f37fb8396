import { sql, type Kysely, type SqlBool } from 'kysely'
import { Limits } from '../../src/shared/limits'
import type { Message, ReplyPreview } from '../../src/shared/models'
import type { Queryable } from '../storage/database'
import type { DB } from '../storage/schema'
import { attachFiles } from './attachmentRows'
import { attachLinkPreviews } from './linkPreviewRows'
import { attachReactions } from './reactionRows'
import { attachThreads } from './threadRows'

/**
 * The columns a Message is built from, for queries over `messages as m` joined to `users as u`,
 * with the original of a reply left-joined as `messages as r` and its sender as `users as ru`
 * (MESSAGE_FROM, selectMessages): a page of history gets its quotes in the same query.
 */
export const MESSAGE_COLUMNS = [
  'm.id',
  'm.conversation_id',
  'm.sender_id',
  'u.display_name as sender_name',
  'm.client_id',
  'm.text',
  'm.created_at',
  'm.edited_at',
  'm.deleted_at',
  'm.external_sender_handle',
  'm.external_sender_name',
  'm.reply_to_id',
  'm.thread_root_id',
  'm.thread_in_channel',
  'r.sender_id as reply_sender_id',
  'ru.display_name as reply_sender_name',
  'r.text as reply_text',
  'r.deleted_at as reply_deleted_at',
  'r.external_sender_handle as reply_external_sender_handle',
  'r.external_sender_name as reply_external_sender_name',
] as const

/** The joins MESSAGE_COLUMNS reads from, for SQL written by hand. */
export const MESSAGE_FROM = `messages m join users u on u.id = m.sender_id
  left join messages r on r.id = m.reply_to_id left join users ru on ru.id = r.sender_id`

/** MESSAGE_COLUMNS from MESSAGE_FROM, for the query builder. */
export function selectMessages(q: Kysely<DB>) {
  return q
    .selectFrom('messages as m')
    .innerJoin('users as u', 'u.id', 'm.sender_id')
    .leftJoin('messages as r', 'r.id', 'm.reply_to_id')
    .leftJoin('users as ru', 'ru.id', 'r.sender_id')
    .select(MESSAGE_COLUMNS)
}

/** What a reply's quote is built from: the original's row and its sender's name. */
export interface ReplyOriginalRow {
  sender_id: number
  sender_name: string
  text: string
  deleted_at: string | null
  external_sender_handle: string | null
  external_sender_name: string | null
}

/** A row selected with MESSAGE_COLUMNS: the wire Message plus who sent it on another platform. */
export interface MessageRow extends Omit<
  Message,
  'external_sender' | 'reply_to' | 'thread_root_id' | 'in_channel' | 'thread'
> {
  thread_root_id: number | null
  thread_in_channel: number | null
  external_sender_handle: string | null
  external_sender_name: string | null
  reply_to_id: number | null
  reply_sender_id: number | null
  reply_sender_name: string | null
  reply_text: string | null
  reply_deleted_at: string | null
  reply_external_sender_handle: string | null
  reply_external_sender_name: string | null
}

export function toMessage(row: MessageRow): Message {
  const {
    external_sender_handle: handle,
    external_sender_name: name,
    reply_to_id: replyToId,
    reply_sender_id: replySenderId,
    reply_sender_name: replySenderName,
    reply_text: replyText,
    reply_deleted_at: replyDeletedAt,
    reply_external_sender_handle: replyHandle,
    reply_external_sender_name: replyName,
    thread_root_id: threadRootId,
    thread_in_channel: inChannel,
    ...rest
  } = row
  let replyTo: ReplyPreview | null = null
  if (replyToId !== null) {
    replyTo =
      replySenderId === null
        ? // The original's row is gone (it never is short of removing rows by hand): a deletion.
          { id: replyToId, sender_id: 0, sender_name: '', text: '', deleted: true }
        : toReplyPreview(replyToId, {
            sender_id: replySenderId,
            sender_name: replySenderName ?? '',
            text: replyText ?? '',
            deleted_at: replyDeletedAt,
            external_sender_handle: replyHandle,
            external_sender_name: replyName,
          })
  }
  const message: Message = { ...rest, text: row.deleted_at ? '' : row.text, reply_to: replyTo }
  // Present only on thread replies, so that other messages carry no extra bytes.
  if (threadRootId !== null) {
    message.thread_root_id = threadRootId
    if (inChannel) message.in_channel = true
  }
  // A message from another platform: its sender is someone out there, not the account owner.
  if (handle !== null) {
    message.sender_name = name ?? handle
    message.external_sender = { handle, name: name ?? handle }
  }
  return message
}

export function toReplyPreview(id: number, original: ReplyOriginalRow): ReplyPreview {
  const deleted = original.deleted_at !== null
  const handle = original.external_sender_handle
  return {
    id,
    sender_id: original.sender_id,
    sender_name: handle !== null ? (original.external_sender_name ?? handle) : original.sender_name,
    text: deleted ? '' : previewText(original.text),
    deleted,
  }
}

/** The start of a text, cut between characters (never inside a surrogate pair). */
function previewText(text: string): string {
  const max = Limits.replyPreviewChars
  if (text.length <= max) return text
  const lastKept = text.charCodeAt(max - 1)
  return text.slice(0, lastKept >= 0xd800 && lastKept <= 0xdbff ? max - 1 : max)
}

/** Sets the reactions, files, thread summaries and link previews of messages: one query each. */
export async function withExtras<T extends Message>(db: Queryable, messages: T[]): Promise<T[]> {
  const withFiles = await attachFiles(db, await attachReactions(db, messages))
  return attachLinkPreviews(db, await attachThreads(db, withFiles))
}

/**
 * A channel's messages: all but the thread replies that were not also sent to it. A condition for
 * `.where()` of queries over `messages as m` (or over `messages` alone, with `table` '').
 */
export function inChannel(table = 'm') {
  const column = (name: string) => sql.ref(table ? `${table}.${name}` : name)
  return sql<SqlBool>`(${column('thread_root_id')} is null or ${column('thread_in_channel')} = 1)`
}
