import type { MessageSearchPage } from '../../src/shared/models'
import type { SearchMessagesQuery } from '../../src/shared/api'
import { Limits } from '../../src/shared/limits'
import { badRequest } from '../http/httpError'
import { rawSql, type Database } from '../storage/database'
import type { Conversations } from './conversations'
import type { MessageIndex } from './messageIndex'
import { MESSAGE_COLUMNS, toMessage, withExtras, type MessageRow } from './messageRows'
import { highlightSnippet } from './searchSnippet'
import { MATCH_END, MATCH_START, queryWords, snippetParts, toFtsQuery } from './searchText'

/** Tokens of context a snippet shows around the matches. */
export const SNIPPET_TOKENS = 16

/**
 * One page of matches for a user. Membership is joined at query time, so a removed member finds
 * nothing from there any more. The order and the cursor are on the index's own key (the message
 * id), which FTS5 walks newest first itself, so a page stops after `limit` matches: ordered by
 * m.id instead, SQLite gathered and sorted every match first (`npm run bench:search`: 200 ms for
 * a common word over 300,000 messages, against 13 ms this way).
 * Parameters: the snippet's match start and end markers and ellipsis, the user id, the FTS5 query,
 * the cursor (ids below it), the conversation id or null (twice), and the row limit.
 */
export const SEARCH_SQL = `select ${MESSAGE_COLUMNS.join(', ')}, c.title as conversation_title,
    snippet(message_search, 0, ?, ?, ?, ${SNIPPET_TOKENS}) as snippet
  from message_search
  join messages m on m.id = message_search.rowid
  join conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = ?
  join conversations c on c.id = m.conversation_id
  join users u on u.id = m.sender_id
  left join messages r on r.id = m.reply_to_id left join users ru on ru.id = r.sender_id
  where message_search match ? and message_search.rowid < ? and m.deleted_at is null
    and (? is null or m.conversation_id = ?)
  order by message_search.rowid desc
  limit ?`

/**
 * The same on PostgreSQL, over the tsvector index: each word of the query (`queryWords`) is a
 * phrase of its tokens with the last one a prefix, all of which must match
 * (tidings_search_query, see postgres/postgresSchema), and the snippet is cut from the indexed
 * text here rather than in SQL (highlightSnippet), the way FTS5 cuts it.
 * Parameters: the user id, the words, the cursor, the conversation id or null, the row limit.
 */
const SEARCH_SQL_POSTGRES = `select ${MESSAGE_COLUMNS.join(', ')}, c.title as conversation_title,
    s.body as snippet
  from message_search s
  join messages m on m.id = s.message_id
  join conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = $1
  join conversations c on c.id = m.conversation_id
  join users u on u.id = m.sender_id
  left join messages r on r.id = m.reply_to_id left join users ru on ru.id = r.sender_id
  where s.document @@ tidings_search_query($2::text[]) and s.message_id < $3
    and m.deleted_at is null and ($4::bigint is null or m.conversation_id = $4)
  order by s.message_id desc
  limit $5`

const SEARCH = rawSql(SEARCH_SQL, SEARCH_SQL_POSTGRES)

type ResultRow = MessageRow & { conversation_title: string | null; snippet: string }

/** Full-text search over the messages of the conversations a user is a member of now. */
export class MessageSearch {
  constructor(
    private readonly db: Database,
    private readonly index: MessageIndex,
    private readonly conversations: Conversations,
  ) {}

  /** A page of matches, newest first; catches the index up first. */
  async messages(userId: number, request: SearchMessagesQuery): Promise<MessageSearchPage> {
    const db = this.db
    if (request.q.trim().length === 0) throw badRequest('The search query is blank.')
    if (request.conversation_id !== undefined) {
      await this.conversations.requireMember(db, request.conversation_id, userId)
    }
    const match = toFtsQuery(request.q)
    if (match === null) return { results: [], next_before: null }
    await this.index.catchUp()
    const pageSize = request.limit ?? Limits.searchPageSize
    const conversationId = request.conversation_id ?? null
    const before = request.before ?? Number.MAX_SAFE_INTEGER
    const words = queryWords(request.q)
    const rows = await db.allRaw<ResultRow>(
      SEARCH,
      db.dialect === 'sqlite'
        ? [
            MATCH_START,
            MATCH_END,
            '…',
            userId,
            match,
            before,
            conversationId,
            conversationId,
          ].concat(pageSize + 1)
        : [userId, words, before, conversationId, pageSize + 1],
    )
    const page = rows.slice(0, pageSize)
    // One query for the reactions of the whole page, one for its files.
    const messages = await withExtras(
      db,
      page.map(({ conversation_title: _title, snippet: _snippet, ...row }) => toMessage(row)),
    )
    return {
      results: page.map((row, i) => ({
        message: messages[i]!,
        conversation_id: row.conversation_id,
        conversation_title: row.conversation_title,
        snippet:
          db.dialect === 'sqlite'
            ? snippetParts(row.snippet)
            : snippetParts(highlightSnippet(row.snippet, words, SNIPPET_TOKENS)),
      })),
      next_before: rows.length > pageSize ? (page.at(-1)?.id ?? null) : null,
    }
  }
}
