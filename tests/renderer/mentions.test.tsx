import { renderToStaticMarkup } from 'react-dom/server'
import { beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { LinkifiedText } from '../../src/renderer/src/components/LinkifiedText'
import { insertMention, mentionOptions, mentionQueryAt } from '../../src/renderer/src/mentionQuery'
import {
  hasUnreadMention,
  mentionDirectory,
  mentionsMe,
  splitMentions,
} from '../../src/renderer/src/mentions'
import { applyEvent } from '../../src/renderer/src/actions/applyEvent'
import { applySession, resetUserData } from '../../src/renderer/src/actions/userData'
import { useConversations } from '../../src/renderer/src/stores/conversations'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { usePresence } from '../../src/renderer/src/stores/presence'
import { useSession } from '../../src/renderer/src/stores/session'
import { useToasts } from '../../src/renderer/src/stores/toasts'
import {
  BOB,
  JANE,
  ME,
  SESSION,
  conversation,
  event,
  installFakeTidings,
  member,
  message,
  until,
  type FakeTidings,
} from './fakeTidings'

// @mentions in the renderer: the composer's completion (what is being typed, whom it offers,
// what a pick inserts), the chips and highlight in a message, and the list's "@" sign.

// The fake session's username is too short to be a real one (3 to 32 characters).
const SELF = { ...ME, username: 'mia' }

const PEOPLE = {
  [JANE.id]: { ...JANE, online: true },
  [BOB.id]: { ...BOB, display_name: 'Bob Builder', online: false },
}

let fake: FakeTidings

beforeEach(async () => {
  fake = installFakeTidings()
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
  fake.handlers['conversations/list'] = () => [
    conversation(10, [JANE, BOB], { title: 'Launch' }),
    conversation(20, [JANE]),
  ]
  fake.handlers['users/list'] = () => Object.values(PEOPLE)
  fake.handlers['outbox/list'] = () => []
  fake.handlers['drafts/list'] = () => []
  await applySession({ ...SESSION, user: SELF })
  await until(() => useConversations.getState().loaded && usePresence.getState().loaded)
})

describe('the mention being typed', () => {
  it('is an @ at a word boundary followed by letters, up to the caret', () => {
    expect(mentionQueryAt('hi @bo', 6)).toEqual({ start: 3, query: 'bo' })
    expect(mentionQueryAt('@b', 2)).toEqual({ start: 0, query: 'b' })
    expect(mentionQueryAt('(@jan', 5)).toEqual({ start: 1, query: 'jan' })
    // The caret inside the word: only what is before it.
    expect(mentionQueryAt('@bob x', 3)).toEqual({ start: 0, query: 'bo' })
  })

  it('is nothing for a bare @, an e-mail address, a URL, a space typed or a selection', () => {
    expect(mentionQueryAt('hi @', 4)).toBeNull()
    expect(mentionQueryAt('ann@exa', 7)).toBeNull()
    expect(mentionQueryAt('https://x.com/@bo', 17)).toBeNull()
    expect(mentionQueryAt('@bob ', 5)).toBeNull()
    expect(mentionQueryAt('@bob', 1, 4)).toBeNull()
    expect(mentionQueryAt('@.b', 3)).toBeNull()
  })
})

describe('whom the composer offers', () => {
  const members = [member(ME), member(JANE), member({ ...BOB, display_name: 'Old name' })]

  it('matches the other members by username or a word of the display name, any case', () => {
    const names = (query: string) =>
      mentionOptions(members, PEOPLE, ME.id, query).map((o) => o.username)
    expect(names('bo')).toEqual(['bob'])
    expect(names('BUI')).toEqual(['bob'])
    expect(names('j')).toEqual(['jane'])
    // Never the user themselves; nobody for a query nobody matches.
    expect(names('me')).toEqual([])
    expect(names('zed')).toEqual([])
  })

  it('leaves out a member deactivated since, and offers them again once reactivated', () => {
    usePresence.setState({ people: { ...PEOPLE } })
    const deactivatedBob = { ...PEOPLE[BOB.id]!, deactivated: true as const }
    applyEvent(event('user_deactivated', { user: deactivatedBob }))
    const people = () => usePresence.getState().people
    expect(people()[BOB.id]).toMatchObject({ deactivated: true, online: false })
    expect(mentionOptions(members, people(), ME.id, 'bo')).toEqual([])
    applyEvent(event('user_reactivated', { user: PEOPLE[BOB.id]! }))
    expect(people()[BOB.id]?.deactivated).toBeUndefined()
    expect(mentionOptions(members, people(), ME.id, 'bo').map((o) => o.username)).toEqual(['bob'])
  })

  it('shows the display name the people store has now', () => {
    expect(mentionOptions(members, PEOPLE, ME.id, 'bob')[0]?.display_name).toBe('Bob Builder')
  })

  it('replaces the query with @username and a space, the caret after it', () => {
    const text = 'ask @bo about it'
    expect(insertMention(text, { start: 4, query: 'bo' }, 7, 'bob')).toEqual({
      text: 'ask @bob about it',
      caret: 9,
    })
    expect(insertMention('@j', { start: 0, query: 'j' }, 2, 'jane')).toEqual({
      text: '@jane ',
      caret: 6,
    })
  })
})

describe('mentions in message text', () => {
  const directory = mentionDirectory(PEOPLE, SELF)

  it('cuts the text into plain runs and mentions of people it knows', () => {
    expect(splitMentions('hi @Bob, and @nobody @mia', directory)).toEqual([
      'hi ',
      { text: '@Bob', target: { username: 'bob', display_name: 'Bob Builder', me: false } },
      ', and @nobody ',
      { text: '@mia', target: { username: 'mia', display_name: 'Me Myself', me: true } },
    ])
  })

  it('renders chips with the display name alongside links in the same text', () => {
    const html = renderToStaticMarkup(
      <LinkifiedText text="@bob see https://example.com/@jane and @mia." mentions={directory} />,
    )
    expect(html).toBe(
      '<span class="mention" title="Bob Builder" data-testid="mention" data-username="bob">' +
        '<span aria-hidden="true">@bob</span>' +
        '<span class="visually-hidden mention__spoken">@Bob Builder</span></span>' +
        ' see <a href="https://example.com/@jane" target="_blank" rel="noopener noreferrer" class="text-link">https://example.com/@jane</a> and ' +
        '<span class="mention mention--me" title="Me Myself" data-testid="mention" data-username="mia">' +
        '<span aria-hidden="true">@mia</span>' +
        '<span class="visually-hidden mention__spoken">@Me Myself</span></span>.',
    )
  })

  it('counts a message as mentioning the user only when it is someone else’s', () => {
    expect(mentionsMe(message(6, 10, JANE, '@Mia can you look?'), SELF)).toBe(true)
    expect(mentionsMe(message(6, 10, JANE, '@bob can you look?'), SELF)).toBe(false)
    expect(mentionsMe(message(6, 10, JANE, 'mail mia@example.com'), SELF)).toBe(false)
    // Own messages never count as calling oneself; a deleted one says nothing any more.
    expect(mentionsMe(message(6, 10, SELF, 'note to @mia'), SELF)).toBe(false)
    const gone = { ...message(6, 10, JANE, '@mia'), deleted_at: '2026-01-15T16:00:00Z' }
    expect(mentionsMe(gone, SELF)).toBe(false)
    expect(mentionsMe(message(6, 10, JANE, '@mia'), null)).toBe(false)
  })
})

describe('the unread "@" sign in the conversation list', () => {
  const received = (id: number, conversationId: number, text: string) =>
    event('message_received', {
      conversation_id: conversationId,
      conversation_title: null,
      sender_name: JANE.display_name,
      message: message(id, conversationId, JANE, text),
    })
  const mentioned = (id: number) =>
    hasUnreadMention(
      useConversations.getState().byId[id]!,
      useConversations.getState().mentions[id],
      SELF,
    )

  it('shows while a message that mentions the user is unread, even under newer ones', () => {
    applyEvent(received(31, 10, 'hey @mia, look'))
    applyEvent(received(32, 10, 'and something else'))
    applyEvent(received(33, 20, 'no mention, @bob'))
    expect(useConversations.getState().byId[10]?.unread_count).toBe(2)
    expect(mentioned(10)).toBe(true)
    expect(mentioned(20)).toBe(false)

    // Read: the sign goes with the count.
    useConversations.getState().setUnread(10, 0)
    expect(mentioned(10)).toBe(false)
    applyEvent(received(34, 10, 'later'))
    expect(mentioned(10)).toBe(false)
  })

  it('goes when the mentioning message is deleted or edited to mention someone else', () => {
    applyEvent(received(41, 10, '@mia first'))
    applyEvent(received(42, 10, 'then this'))
    applyEvent(
      event('message_deleted', {
        conversation_id: 10,
        message_id: 41,
        message: { ...message(41, 10, JANE, ''), deleted_at: '2026-01-15T16:00:00Z' },
      }),
    )
    expect(mentioned(10)).toBe(false)

    applyEvent(received(43, 10, '@mia again'))
    applyEvent(received(44, 10, 'and more'))
    expect(mentioned(10)).toBe(true)
    applyEvent(
      event('message_updated', {
        conversation_id: 10,
        message: { ...message(43, 10, JANE, '@bob again'), edited_at: '2026-01-15T16:00:00Z' },
      }),
    )
    expect(mentioned(10)).toBe(false)
  })

  it('shows for a last message that mentions the user in the loaded list', () => {
    const c = conversation(10, [JANE], {
      unread_count: 1,
      last_message: message(50, 10, JANE, 'ping @MIA'),
    })
    expect(hasUnreadMention(c, undefined, SELF)).toBe(true)
    expect(hasUnreadMention({ ...c, unread_count: 0 }, undefined, SELF)).toBe(false)
    const read = { ...c, members: [{ ...member(ME), last_read_message_id: 50 }, member(JANE)] }
    expect(hasUnreadMention(read, undefined, SELF)).toBe(false)
  })

  it('lets a mention through a mute as an in-app notice naming it', () => {
    usePreferences.setState({ prefs: { ...DEFAULT_PREFERENCES, muted_conversation_ids: [10] } })
    applyEvent(received(61, 10, 'muted chatter'))
    applyEvent(received(62, 10, '@mia need you'))
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual([
      'Jane mentioned you in Launch',
    ])
  })
})
