import { beforeEach, describe, expect, it } from 'vitest'
import type { MessageSearchPage, MessageSearchResult } from '../../src/shared/models'
import {
  applySession,
  openConversation,
  openSearchResult,
  resetUserData,
} from '../../src/renderer/src/stores/actions'
import { useConversations } from '../../src/renderer/src/stores/conversations'
import { useSearch } from '../../src/renderer/src/stores/search'
import {
  BOB,
  SESSION,
  conversation,
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
