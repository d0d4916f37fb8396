import { beforeEach, describe, expect, it } from 'vitest'
import { EN, renderWithIntl } from './intl'
import { DEFAULT_TIME_LOCALE } from '../../src/shared/time'
import type { Reaction } from '../../src/shared/models'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { MessageRow } from '../../src/renderer/src/components/MessageRow'
import { ReactionChips } from '../../src/renderer/src/components/ReactionChips'
import { applyEvent } from '../../src/renderer/src/actions/applyEvent'
import { applySession, resetUserData } from '../../src/renderer/src/actions/userData'
import { buildThread, useMessages } from '../../src/renderer/src/stores/messages'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { usePresence } from '../../src/renderer/src/stores/presence'
import {
  addsReaction,
  myReactions,
  reactionLabel,
  reactorNames,
} from '../../src/renderer/src/stores/reactions'
import { useSession } from '../../src/renderer/src/stores/session'
import {
  BOB,
  JANE,
  ME,
  SESSION,
  conversation,
  event,
  installFakeTidings,
  message,
  type FakeTidings,
} from './fakeTidings'

// Reactions in the renderer: which emoji are the user's, what choosing one does (Slack's
// toggle), who the chips name, and that the thread changes with the event, not the answer.

let fake: FakeTidings

beforeEach(async () => {
  fake = installFakeTidings()
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
  fake.handlers['conversations/list'] = () => [conversation(10, [JANE, BOB])]
  fake.handlers['users/list'] = () => [
    { ...JANE, online: true },
    { ...BOB, online: false },
  ]
  fake.handlers['outbox/list'] = () => []
  fake.handlers['conversations/focus'] = () => undefined
  fake.handlers['messages/history'] = () => ({ messages: [], next_before: null })
  await applySession(SESSION)
  await usePresence.getState().load()
})

const hearts: Reaction = { emoji: '❤️', user_ids: [JANE.id, ME.id] }
const thumbs: Reaction = { emoji: '👍', user_ids: [BOB.id] }

describe('reaction logic', () => {
  const party: Reaction = { emoji: '🎉', user_ids: [ME.id] }

  it('finds the user’s own emoji, any number of them', () => {
    expect(myReactions([thumbs, hearts, party], ME.id)).toEqual(new Set(['❤️', '🎉']))
    expect(myReactions([thumbs], ME.id)).toEqual(new Set())
    expect(myReactions(undefined, ME.id)).toEqual(new Set())
    expect(myReactions([hearts], null)).toEqual(new Set())
  })

  it('takes back the user’s emoji chosen again, adds any other beside theirs', () => {
    expect(addsReaction([thumbs, hearts, party], ME.id, '❤️')).toBe(false)
    expect(addsReaction([thumbs, hearts, party], ME.id, '🎉')).toBe(false)
    expect(addsReaction([thumbs, hearts], ME.id, '👍')).toBe(true)
    expect(addsReaction(undefined, ME.id, '😂')).toBe(true)
  })

  it('names who reacted, the user as "You"', () => {
    const people = usePresence.getState().people
    expect(reactorNames([JANE.id, ME.id, 99], ME.id, people, EN)).toEqual([
      'Jane',
      'You',
      'Someone',
    ])
    expect(reactionLabel(hearts, ME.id, people, EN)).toBe('❤️ 2 reactions: Jane, You')
    expect(reactionLabel(thumbs, ME.id, people, EN)).toBe('👍 1 reaction: Bob')
  })
})

describe('reacting', () => {
  it('asks main, and the thread changes with the message_updated event', async () => {
    const original = message(5, 10, JANE, 'Lunch?')
    useMessages.getState().upsert(original)
    const reacted = { ...original, reactions: [{ emoji: '👍', user_ids: [ME.id] }] }
    fake.handlers['messages/react'] = () => reacted
    expect(await useMessages.getState().react(10, 5, '👍', true)).toBe(true)
    expect(fake.callsTo('messages/react')).toEqual([
      { conversation_id: 10, message_id: 5, emoji: '👍', add: true },
    ])
    // The answer alone does not change the thread: the event every device gets does.
    expect(useMessages.getState().threads[10]?.messages[0]).toEqual(original)
    applyEvent(event('message_updated', { conversation_id: 10, message: reacted }))
    expect(useMessages.getState().threads[10]?.messages[0]?.reactions).toEqual(reacted.reactions)

    // Removing the last reaction: the message comes without the field.
    applyEvent(event('message_updated', { conversation_id: 10, message: original }))
    expect(useMessages.getState().threads[10]?.messages[0]).not.toHaveProperty('reactions')
  })

  it('keeps a reaction that arrived while a history page was on its way', async () => {
    const lunch = message(5, 10, JANE, 'Lunch?')
    const older = message(3, 10, BOB, 'Morning')
    const reacted = (m: typeof lunch) => ({ ...m, reactions: [thumbs] })
    const answers: (() => void)[] = []
    fake.handlers['messages/history'] = (request) => {
      // The server's answers: snapshots taken before the reactions.
      const { before } = request as { before?: number }
      const page = before === undefined ? [lunch] : [older]
      return new Promise((resolve) =>
        answers.push(() =>
          resolve({ messages: page, next_before: before === undefined ? 5 : null }),
        ),
      )
    }
    // The newest page, asked again (a reopened thread) while the reaction's event arrives.
    useMessages.getState().upsert(lunch)
    const latest = useMessages.getState().loadLatest(10)
    applyEvent(event('message_updated', { conversation_id: 10, message: reacted(lunch) }))
    answers.shift()!()
    await latest
    expect(useMessages.getState().threads[10]?.messages[0]?.reactions).toEqual([thumbs])
    // An older page: the event comes before the message is in the thread at all.
    const page = useMessages.getState().loadOlder(10)
    applyEvent(event('message_updated', { conversation_id: 10, message: reacted(older) }))
    answers.shift()!()
    await page
    const messages = useMessages.getState().threads[10]?.messages
    expect(messages?.map((m) => [m.id, m.reactions])).toEqual([
      [3, [thumbs]],
      [5, [thumbs]],
    ])
    // Once no page is awaited, a page's copy is the newest again.
    fake.handlers['messages/history'] = () => ({ messages: [lunch], next_before: 5 })
    await useMessages.getState().loadLatest(10)
    expect(useMessages.getState().threads[10]?.messages[1]).not.toHaveProperty('reactions')
  })

  it('says why a reaction failed', async () => {
    fake.handlers['messages/react'] = () => {
      throw Object.assign(new Error('The message was deleted: it takes no reactions.'), {
        code: 'conflict',
      })
    }
    expect(await useMessages.getState().react(10, 5, '👍', false)).toBe(false)
    expect(useMessages.getState().actionError).toMatch(/^The reaction was not saved: /)
  })

  it('renders a React button on a message, and a chip per emoji under it', () => {
    useMessages
      .getState()
      .upsert({ ...message(5, 10, JANE, 'Lunch?'), reactions: [thumbs, hearts] })
    const [entry] = buildThread(useMessages.getState().threads[10], {}, 10, ME.id)
    const html = renderWithIntl(
      <MessageRow
        conversationId={10}
        entry={entry!}
        zone="UTC"
        clock="24h"
        locale={DEFAULT_TIME_LOCALE}
        receipt={null}
      />,
    )
    expect(html).toContain('data-testid="react-message"')
    expect(html.match(/data-testid="reaction-chip"/g)).toHaveLength(2)
  })

  it('renders each chip with its count, who reacted, and the user’s own pressed', () => {
    const html = renderWithIntl(
      <ReactionChips
        reactions={[thumbs, hearts]}
        me={ME.id}
        people={usePresence.getState().people}
        onChoose={() => undefined}
      />,
    )
    const chips = [...html.matchAll(/<button[^>]*data-testid="reaction-chip"[^>]*>/g)].map(
      (m) => m[0],
    )
    expect(chips).toHaveLength(2)
    expect(chips[0]).toContain('aria-pressed="false"')
    expect(chips[0]).toContain('aria-label="👍 1 reaction: Bob"')
    expect(chips[1]).toContain('aria-pressed="true"')
    expect(chips[1]).toContain('aria-label="❤️ 2 reactions: Jane, You"')
    expect(html).toMatch(/reaction-chip__count[^>]*>2</)
  })

  it('renders no reactions under a deleted message', () => {
    useMessages.getState().upsert({
      ...message(5, 10, JANE, ''),
      deleted_at: '2026-01-15T16:00:00Z',
      reactions: [thumbs],
    })
    const [entry] = buildThread(useMessages.getState().threads[10], {}, 10, ME.id)
    const html = renderWithIntl(
      <MessageRow
        conversationId={10}
        entry={entry!}
        zone="UTC"
        clock="24h"
        locale={DEFAULT_TIME_LOCALE}
        receipt={null}
      />,
    )
    expect(html).not.toContain('reaction-chip')
    expect(html).not.toContain('react-message')
  })
})
