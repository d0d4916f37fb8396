import { findMentions, mentionsUser, usernameKey } from '../../shared/mentions'
import type { Conversation, Message, Person, User } from '../../shared/models'
import { isOwnMessage } from './stores/messages'

/** Someone a message may mention, as a mention chip shows them. */
export interface MentionTarget {
  username: string
  display_name: string
  me: boolean
}

/** The people mentions resolve to, by `usernameKey`; an `@name` of anyone else is plain text. */
export type MentionDirectory = ReadonlyMap<string, MentionTarget>

let last: { people: Record<number, Person>; me: User | null; directory: MentionDirectory } | null =
  null

/**
 * Everyone the user may talk to (the people store), and the user themselves. Every row of a
 * thread asks with the same two objects, so the last answer is kept rather than rebuilt per row.
 */
export function mentionDirectory(
  people: Record<number, Person>,
  me: User | null,
): MentionDirectory {
  if (last && last.people === people && last.me === me) return last.directory
  const directory = buildDirectory(people, me)
  last = { people, me, directory }
  return directory
}

function buildDirectory(people: Record<number, Person>, me: User | null): MentionDirectory {
  const directory = new Map<string, MentionTarget>()
  for (const person of Object.values(people)) {
    directory.set(usernameKey(person.username), {
      username: person.username,
      display_name: person.display_name,
      me: person.id === me?.id,
    })
  }
  if (me) {
    directory.set(usernameKey(me.username), {
      username: me.username,
      display_name: me.display_name,
      me: true,
    })
  }
  return directory
}

/** A message's text cut into plain runs and mentions of known people, in order. */
export type MentionPart = string | { text: string; target: MentionTarget }

export function splitMentions(text: string, directory: MentionDirectory): MentionPart[] {
  const mentions = text.includes('@')
    ? findMentions(text, (name) => directory.has(usernameKey(name)))
    : []
  const parts: MentionPart[] = []
  let from = 0
  for (const mention of mentions) {
    if (mention.start > from) parts.push(text.slice(from, mention.start))
    parts.push({
      text: text.slice(mention.start, mention.end),
      target: directory.get(usernameKey(mention.username))!,
    })
    from = mention.end
  }
  if (from < text.length) parts.push(text.slice(from))
  return parts
}

/** Whether someone else's message mentions the signed-in user (own messages never count). */
export function mentionsMe(message: Message, me: User | null): boolean {
  if (!me || isOwnMessage(message, me.id) || message.deleted_at !== null) return false
  return mentionsUser(message.text, me.username)
}

/**
 * Whether a conversation has an unread message that mentions the user, for the list's "@" sign:
 * one counted from its event (`mentionIds`, from the conversations store) after the user's read
 * marker, or its last message. Without a server count of mentions, one older than the last
 * message that arrived while this window was closed goes unmarked.
 */
export function hasUnreadMention(
  conversation: Conversation,
  mentionIds: readonly number[] | undefined,
  me: User | null,
): boolean {
  if (conversation.unread_count === 0 || !me) return false
  const marker = conversation.members.find((m) => m.user_id === me.id)?.last_read_message_id ?? 0
  if (mentionIds?.some((id) => id > marker)) return true
  const last = conversation.last_message
  return last !== null && last.id > marker && mentionsMe(last, me)
}
