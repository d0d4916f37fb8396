import { Readable } from 'node:stream'
import { ZipFile } from 'yazl'
import { formatTimestamp } from '../../src/shared/time'
import type { Conversation, Message, User } from '../../src/shared/models'
import type { Database } from '../storage/database'
import type { Attachments } from './attachments'
import type { Conversations } from './conversations'
import { selectMessages, toMessage, withExtras } from './messageRows'

/** Messages read per query: a page of keyset pagination, what the export holds at a time. */
export const EXPORT_PAGE = 500

/** What the export's profile.json holds. */
export interface ExportProfile {
  user: User
  exported_at: string
  /** The organization's timezone, in which the HTML shows every time. */
  timezone: string
}

/**
 * A user's own data as a ZIP, produced while it is sent: their profile and every message they
 * can see (every conversation they are a member of, its whole history as GET …/messages gives
 * it), with the files those messages carry.
 *
 *   index.html                        readable: the profile and the conversations
 *   profile.json                      the user, when, the organization's timezone
 *   conversations.json                the conversations, with their members
 *   conversations/<id>.html           a conversation's messages, readable
 *   conversations/<id>/messages.json  a conversation's messages, as the API gives them
 *   attachments/<id>-<name>           each file a message carries
 *
 * Nothing is held whole: each entry is a stream (yazl reads the next entry only when the one
 * before is written, and a file's bytes only then), messages are read a page at a time by id
 * (keyset pagination, never an offset) as the compressor asks for more, and the HTTP response
 * carries the ZIP as it is made, so memory stays bounded by a page whatever the history's size.
 */
export class DataExport {
  constructor(
    private readonly db: Database,
    private readonly conversations: Conversations,
    private readonly attachments: Attachments,
  ) {}

  /** The ZIP of `user`'s data, as a stream; reading it drives the queries. */
  async zip(user: User, timezone: string): Promise<Readable> {
    const conversations = await this.conversations.listFor(user.id)
    conversations.sort((a, b) => a.id - b.id)
    const profile: ExportProfile = { user, exported_at: new Date().toISOString(), timezone }
    const zip = new ZipFile()
    const lazy = (name: string, make: () => Readable) =>
      zip.addReadStreamLazy(name, (callback) => callback(null, make()))
    zip.addBuffer(Buffer.from(json(profile)), 'profile.json')
    zip.addBuffer(
      Buffer.from(json(conversations.map(({ last_message: _, unread_count: __, ...c }) => c))),
      'conversations.json',
    )
    zip.addBuffer(Buffer.from(indexHtml(profile, conversations)), 'index.html')
    for (const conversation of conversations) {
      lazy(`conversations/${conversation.id}/messages.json`, () =>
        Readable.from(this.messagesJson(conversation.id)),
      )
      lazy(`conversations/${conversation.id}.html`, () =>
        Readable.from(this.conversationHtml(conversation, timezone)),
      )
    }
    // Files are listed a page at a time too, and added as the ZIP gets to them.
    const files = this.fileEntries(conversations.map((c) => c.id))
    const addFiles = async () => {
      for await (const file of files) {
        lazy(fileEntryName(file.id, file.name), () => this.fileBytes(file.id, file.size))
      }
      zip.end()
    }
    const output = zip.outputStream as Readable
    // A failed read (the database gone during a shutdown) ends the download, never the process.
    zip.on('error', (error: Error) => output.destroy(error))
    addFiles().catch((error: unknown) => output.destroy(error as Error))
    return output
  }

  /** A conversation's messages, oldest first, a page per query. */
  private async *messages(conversationId: number): AsyncGenerator<Message[]> {
    let after = 0
    for (;;) {
      const rows = await this.db.all(
        selectMessages(this.db.q)
          .where('m.conversation_id', '=', conversationId)
          .where('m.id', '>', after)
          .where('m.deleted_at', 'is', null)
          .orderBy('m.id')
          .limit(EXPORT_PAGE),
      )
      if (rows.length === 0) return
      yield await withExtras(this.db, rows.map(toMessage))
      after = rows.at(-1)!.id
      if (rows.length < EXPORT_PAGE) return
    }
  }

  /** A page at a time: one chunk per page, not one per message, for the compressor's sake. */
  private async *messagesJson(conversationId: number): AsyncGenerator<string> {
    let first = true
    yield '['
    for await (const page of this.messages(conversationId)) {
      const items = page.map((message) => JSON.stringify(message)).join(',\n  ')
      yield `${first ? '' : ','}\n  ${items}`
      first = false
    }
    yield '\n]\n'
  }

  private async *conversationHtml(
    conversation: Conversation,
    timezone: string,
  ): AsyncGenerator<string> {
    const title = conversationTitle(conversation)
    yield page(
      title,
      `<p><a href="../index.html">All conversations</a></p>\n<h1>${escapeHtml(title)}</h1>\n<ol class="messages">`,
    )
    for await (const messages of this.messages(conversation.id)) {
      yield messages.map((message) => messageHtml(message, timezone)).join('')
    }
    yield '</ol>\n</body>\n</html>\n'
  }

  /** The files of messages in these conversations, by id, a page per query. */
  private async *fileEntries(
    conversationIds: number[],
  ): AsyncGenerator<{ id: number; name: string; size: number }> {
    if (conversationIds.length === 0) return
    let after = 0
    for (;;) {
      const rows = await this.db.all(
        this.db.q
          .selectFrom('attachments')
          .select(['id', 'name', 'size'])
          .where('conversation_id', 'in', conversationIds)
          .where('message_id', 'is not', null)
          .where('id', '>', after)
          .orderBy('id')
          .limit(EXPORT_PAGE),
      )
      yield* rows
      if (rows.length < EXPORT_PAGE) return
      after = rows.at(-1)!.id
    }
  }

  /** A file's bytes; an empty entry when they are gone (deleted since it was listed). */
  private fileBytes(id: number, size: number): Readable {
    return Readable.from(
      (async function* (attachments: Attachments) {
        const bytes = await attachments.storedBytes(id, size)
        if (bytes) yield* bytes
      })(this.attachments),
    )
  }
}

/** Where a file goes in the ZIP: its id (unique) and its name (already without separators). */
export function fileEntryName(id: number, name: string): string {
  return `attachments/${id}-${name}`
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

function conversationTitle(conversation: Conversation): string {
  if (conversation.title) return conversation.title
  return conversation.members.map((member) => member.display_name).join(', ') || 'Conversation'
}

/** The start of a page: no script, no remote resource, one inline style. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self'">
<title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}
.messages{list-style:none;padding:0}.messages li{margin:0 0 1rem}.meta{color:#555;font-size:13px}
.text{white-space:pre-wrap}</style>
</head>
<body>
${body}
`
}

function indexHtml(profile: ExportProfile, conversations: Conversation[]): string {
  const { user } = profile
  const rows = conversations
    .map(
      (conversation) =>
        `<li><a href="conversations/${conversation.id}.html">${escapeHtml(conversationTitle(conversation))}</a>` +
        ` <span class="meta">(${conversation.kind}, ${conversation.members.length} members)</span></li>`,
    )
    .join('\n')
  return `${page(
    `Tidings export of ${user.display_name}`,
    `<h1>Tidings export of ${escapeHtml(user.display_name)}</h1>
<p>Username <b>${escapeHtml(user.username)}</b>, ${escapeHtml(user.role)}. Exported ${escapeHtml(
      formatTimestamp(profile.exported_at, profile.timezone, { withZone: true }),
    )}; every time is in ${escapeHtml(profile.timezone)}.</p>
<h2>Conversations</h2>
<ul>
${rows}
</ul>
<p>The same data as JSON: profile.json, conversations.json and conversations/&lt;id&gt;/messages.json.</p>`,
  )}</body>\n</html>\n`
}

function messageHtml(message: Message, timezone: string): string {
  const files = (message.attachments ?? [])
    .map(
      (file) =>
        `<li><a href="../attachments/${file.id}-${escapeHtml(encodeURIComponent(file.name))}">${escapeHtml(file.name)}</a> <span class="meta">(${file.size} bytes)</span></li>`,
    )
    .join('')
  const reply = message.reply_to
    ? `<div class="meta">In reply to ${escapeHtml(message.reply_to.sender_name)}: ${escapeHtml(message.reply_to.text)}</div>`
    : ''
  return `<li id="m${message.id}"><div class="meta"><b>${escapeHtml(message.sender_name)}</b> ${escapeHtml(
    formatTimestamp(message.created_at, timezone),
  )}${message.edited_at ? ' (edited)' : ''}</div>${reply}<div class="text">${escapeHtml(message.text)}</div>${
    files ? `<ul>${files}</ul>` : ''
  }</li>\n`
}
