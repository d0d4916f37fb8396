import { beforeEach, describe, expect, it } from 'vitest'
import type { MessageSearchPage, MessageSearchResult } from '../../src/shared/models'
import { applyEvent } from '../../src/renderer/src/actions/applyEvent'
import { openConversation, openSearchResult } from '../../src/renderer/src/actions/navigation'
import { applySession, resetUserData } from '../../src/renderer/src/actions/userData'
import { useConversations } from '../../src/renderer/src/stores/conversations'
import { useSearch } from '../../src/renderer/src/stores/search'
import {
  BOB,
  SESSION,
  conversation,
  event,
  installFakeTidings,
  message,
  type FakeTidings,
} from './fakeTidings'

function result(id: number, text: string): MessageSearchResult {
  return {
    message: message(id, 7, BOB, text),
    conversation_id: 7,
    conversation_title: null,
    snippet: [{ text, match: true }],
  }
}

/** A promise settled from outside, to control when an answer arrives. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('search store', () => {
  let fake: FakeTidings

  beforeEach(() => {
    fake = installFakeTidings()
    useSearch.getState().reset()
  })

  it('searches the trimmed query, pages with next_before, and clears', async () => {
    const pages: Record<string, MessageSearchPage> = {
      first: { results: [result(9, 'otter 2'), result(8, 'otter 1')], next_before: 8 },
      more: { results: [result(4, 'otter 0')], next_before: null },
    }
    fake.handlers['messages/search'] = (request) =>
      (request as { before?: number }).before === 8 ? pages.more : pages.first
    const search = useSearch.getState()
    search.setQuery('  otter ')
    expect(useSearch.getState().status).toBe('idle')
    const running = useSearch.getState().run()
    expect(useSearch.getState().status).toBe('searching')
    await running
    expect(fake.callsTo('messages/search')).toEqual([{ q: 'otter' }])
    expect(useSearch.getState()).toMatchObject({ status: 'done', searched: 'otter', nextBefore: 8 })

    // The same query again is not searched again.
    await useSearch.getState().run()
    expect(fake.callsTo('messages/search')).toHaveLength(1)

    await useSearch.getState().loadMore()
    expect(fake.callsTo('messages/search')[1]).toEqual({ q: 'otter', before: 8 })
    expect(useSearch.getState().results.map((r) => r.message.id)).toEqual([9, 8, 4])
    expect(useSearch.getState().nextBefore).toBeNull()
    // No next page: nothing more is asked for.
    await useSearch.getState().loadMore()
    expect(fake.callsTo('messages/search')).toHaveLength(2)

    useSearch.getState().clear()
    expect(useSearch.getState()).toMatchObject({ query: '', status: 'idle', results: [] })
  })

  it('drops the answer to a query that was replaced or cleared meanwhile', async () => {
    const answers = [deferred<MessageSearchPage>(), deferred<MessageSearchPage>()]
    let call = 0
    fake.handlers['messages/search'] = () => answers[call++]!.promise
    useSearch.getState().setQuery('ott')
    const first = useSearch.getState().run()
    useSearch.getState().setQuery('otter')
    const second = useSearch.getState().run()
    answers[1]!.resolve({ results: [result(2, 'otter')], next_before: null })
    await second
    answers[0]!.resolve({ results: [result(1, 'ott')], next_before: null })
    await first
    expect(useSearch.getState().searched).toBe('otter')
    expect(useSearch.getState().results.map((r) => r.message.id)).toEqual([2])

    // Emptied while a search runs: its answer does not bring results back.
    const third = deferred<MessageSearchPage>()
    fake.handlers['messages/search'] = () => third.promise
    useSearch.getState().setQuery('walrus')
    const running = useSearch.getState().run()
    useSearch.getState().setQuery('   ')
    third.resolve({ results: [result(3, 'walrus')], next_before: null })
    await running
    expect(useSearch.getState()).toMatchObject({ status: 'idle', results: [], searched: '' })
  })

  it('reports a failed search, and searches the same query again after it', async () => {
    fake.handlers['messages/search'] = () => {
      throw new Error('The search query is blank.')
    }
    useSearch.getState().setQuery('otter')
    await useSearch.getState().run()
    expect(useSearch.getState()).toMatchObject({
      status: 'error',
      error: 'The search query is blank.',
    })
    fake.handlers['messages/search'] = () => ({ results: [result(5, 'otter')], next_before: null })
    await useSearch.getState().run()
    expect(useSearch.getState()).toMatchObject({ status: 'done', error: null })
    expect(useSearch.getState().results).toHaveLength(1)
    // Asked again (Enter), the same query is searched again: newer messages may match.
    fake.handlers['messages/search'] = () => ({
      results: [result(6, 'otter'), result(5, 'otter')],
      next_before: null,
    })
    await useSearch.getState().run(true)
    expect(useSearch.getState().results.map((r) => r.message.id)).toEqual([6, 5])
  })
})

describe('results follow edits and deletions', () => {
  beforeEach(async () => {
    const fake = installFakeTidings()
    resetUserData()
    fake.handlers['conversations/list'] = () => [conversation(7, [BOB])]
    fake.handlers['users/list'] = () => [{ ...BOB, online: true }]
    fake.handlers['outbox/list'] = () => []
    await applySession(SESSION)
    fake.handlers['messages/search'] = () => ({
      results: [result(9, 'the otter swims'), result(8, 'an otter naps')],
      next_before: null,
    })
    useSearch.getState().setQuery('otter')
    await useSearch.getState().run()
  })

  const texts = () => useSearch.getState().results.map((r) => r.message.text)

  it('shows the edited text, marked where it still matches, and keeps it on a reaction', () => {
    const edited = {
      ...message(9, 7, BOB, 'Two Ötters swim, then one otter sleeps'),
      edited_at: '2026-01-15T16:00:00Z',
    }
    applyEvent(event('message_updated', { conversation_id: 7, message: edited }))
    expect(texts()).toEqual(['Two Ötters swim, then one otter sleeps', 'an otter naps'])
    expect(useSearch.getState().results[0]?.snippet).toEqual([
      { text: 'Two ', match: false },
      { text: 'Ötters', match: true },
      { text: ' swim, then one ', match: false },
      { text: 'otter', match: true },
      { text: ' sleeps', match: false },
    ])
    // A reaction: the message changes, its words and their marks do not.
    const server = useSearch.getState().results[1]!.snippet
    const reacted = {
      ...message(8, 7, BOB, 'an otter naps'),
      reactions: [{ emoji: '👍', user_ids: [1] }],
    }
    applyEvent(event('message_updated', { conversation_id: 7, message: reacted }))
    expect(useSearch.getState().results[1]?.message.reactions).toHaveLength(1)
    expect(useSearch.getState().results[1]?.snippet).toBe(server)
  })

  it('takes a deleted message out of the results', () => {
    const deleted = { ...message(8, 7, BOB, ''), deleted_at: '2026-01-15T16:00:00Z' }
    applyEvent(event('message_deleted', { conversation_id: 7, message_id: 8, message: deleted }))
    expect(texts()).toEqual(['the otter swims'])
    expect(useSearch.getState().status).toBe('done')
  })

  it('cuts a long edited text around its first match, as the server does', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`)
    words[20] = 'otters'
    const edited = { ...message(9, 7, BOB, words.join(' ')), edited_at: '2026-01-15T16:00:00Z' }
    applyEvent(event('message_updated', { conversation_id: 7, message: edited }))
    expect(useSearch.getState().results[0]?.snippet).toEqual([
      { text: '…w16 w17 w18 w19 ', match: false },
      { text: 'otters', match: true },
      { text: ' w21 w22 w23 w24 w25 w26 w27 w28 w29 w30 w31…', match: false },
    ])
  })
})

describe('opening a search result', () => {
  beforeEach(async () => {
    const fake = installFakeTidings()
    resetUserData()
    fake.handlers['conversations/list'] = () => [conversation(7, [BOB]), conversation(8, [BOB])]
    fake.handlers['users/list'] = () => [{ ...BOB, online: true }]
    fake.handlers['outbox/list'] = () => []
    fake.handlers['conversations/focus'] = () => undefined
    fake.handlers['messages/markRead'] = () => undefined
    fake.handlers['messages/history'] = () => ({ messages: [], next_before: null })
    await applySession(SESSION)
  })

  it('opens its conversation with the message as the target; another conversation drops it', async () => {
    await openSearchResult(result(42, 'otter'))
    expect(useConversations.getState().activeId).toBe(7)
    expect(useSearch.getState().target).toEqual({ conversationId: 7, messageId: 42, shown: false })
    // The same conversation again keeps it; another one drops it.
    await openConversation(7)
    expect(useSearch.getState().target).not.toBeNull()
    await openConversation(8)
    expect(useSearch.getState().target).toBeNull()
  })

  it('forgets the query, results and target of the previous user', async () => {
    await openSearchResult(result(42, 'otter'))
    useSearch.getState().setQuery('otter')
    resetUserData()
    expect(useSearch.getState()).toMatchObject({ query: '', results: [], target: null })
  })
})
