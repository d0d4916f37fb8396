import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation, Message, MessageSearchPage } from '../../src/shared/models'
import { Limits } from '../../src/shared/limits'
import {
  createConversation,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'

describe('message search', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let bob: TestAccount
  let carol: TestAccount
  let group: Conversation
  let direct: Conversation

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol'])
    admin = team.admin
    ;[alice, bob, carol] = team.members as [TestAccount, TestAccount, TestAccount]
    group = await createConversation(alice, [bob, carol], 'Planning')
    direct = await createConversation(alice, [bob])
  })
  afterAll(async () => {
    await server.stop()
  })

  type Params = Partial<Record<'q' | 'conversation_id' | 'before' | 'limit', string | number>>
  const search = (account: TestAccount, params: Params) => {
    const query = new URLSearchParams()
    for (const [key, value] of Object.entries(params)) query.set(key, String(value))
    return account.rest.get<MessageSearchPage>(`/search/messages?${query.toString()}`)
  }
  const ids = async (account: TestAccount, params: Params) =>
    (await search(account, params)).data.results.map((result) => result.message.id)

  it('finds by word prefix, ignoring case and diacritics, with a plain-text snippet', async () => {
    const sent = await sendMessage(alice, group.id, 'The Café Müller quarterly report is ready')
    const other = await sendMessage(bob, group.id, 'Lunch at noon?')

    const page = (await search(bob, { q: 'cafe MULL quart' })).data
    expect(page.next_before).toBeNull()
    expect(page.results).toEqual([
      {
        message: sent,
        conversation_id: group.id,
        conversation_title: 'Planning',
        snippet: [
          { text: 'The ', match: false },
          { text: 'Café', match: true },
          { text: ' ', match: false },
          { text: 'Müller', match: true },
          { text: ' ', match: false },
          { text: 'quarterly', match: true },
          { text: ' report is ready', match: false },
        ],
      },
    ])
    expect(await ids(bob, { q: 'lunch' })).toEqual([other.id])
    // Every word must match.
    expect(await ids(bob, { q: 'cafe lunch' })).toEqual([])
  })

  it('finds a run of Chinese or Japanese characters anywhere in a sentence', async () => {
    const japanese = await sendMessage(alice, group.id, '昨日は東京都に行きました')
    const chinese = await sendMessage(bob, group.id, '我们明天在北京大学见面吧')
    const katakana = await sendMessage(alice, group.id, 'コンピューターを買った')

    // Inside a sentence, where unicode61 alone saw one token for the whole run.
    expect(await ids(carol, { q: '京都' })).toEqual([japanese.id])
    expect(await ids(carol, { q: '行き' })).toEqual([japanese.id])
    expect(await ids(carol, { q: '北京' })).toEqual([chinese.id])
    expect(await ids(carol, { q: '大学' })).toEqual([chinese.id])
    expect(await ids(carol, { q: 'ピュータ' })).toEqual([katakana.id])
    // The characters must be adjacent and in order: 京 and 都 apart, or reversed, is no match.
    expect(await ids(carol, { q: '都京' })).toEqual([])
    expect(await ids(carol, { q: '北大' })).toEqual([])
    // Every word must match, as for other scripts.
    expect(await ids(carol, { q: '北京 見面' })).toEqual([])
    expect(await ids(carol, { q: '北京 见面' })).toEqual([chinese.id])
  })

  it('finds Latin words next to Chinese or Japanese text, and snippets show the original', async () => {
    const mixed = await sendMessage(
      alice,
      group.id,
      '新しいiPhone15を買いました。Battery life は最高です',
    )
    const short = await sendMessage(bob, group.id, 'ええ、東京 の夜景はきれい')

    expect(await ids(carol, { q: 'iphone' })).toEqual([mixed.id])
    expect(await ids(carol, { q: 'iPhone15' })).toEqual([mixed.id])
    expect(await ids(carol, { q: 'しいiPhone' })).toEqual([mixed.id])
    expect(await ids(carol, { q: 'batt 最高' })).toEqual([mixed.id])
    // A Chinese or Japanese character counts as a word of the snippet's 16.
    const [result] = (await search(carol, { q: '買い' })).data.results
    expect(result?.snippet).toEqual([
      { text: '新しいiPhone15を', match: false },
      { text: '買い', match: true },
      { text: 'ました。Battery life は最高で…', match: false },
    ])
    // Joined, the parts are the message's own text: nothing added between the characters, and
    // its own space kept.
    const [whole] = (await search(carol, { q: '夜景' })).data.results
    expect(whole?.message.id).toBe(short.id)
    expect(whole?.snippet).toEqual([
      { text: 'ええ、東京 の', match: false },
      { text: '夜景', match: true },
      { text: 'はきれい', match: false },
    ])
  })

  it('finds Korean words by their start, as words separated by spaces', async () => {
    const korean = await sendMessage(bob, group.id, '안녕하세요 내일 회의가 있습니다')
    expect(await ids(carol, { q: '안녕' })).toEqual([korean.id])
    expect(await ids(carol, { q: '회의' })).toEqual([korean.id])
    // A word's middle is not its start, as in English.
    expect(await ids(carol, { q: '하세요' })).toEqual([])
  })

  it('searches messages that arrived from a bridged platform too', async () => {
    const created = await carol.rest.post<{ bridge_secret: string }>('/accounts', {
      platform: 'whatsapp',
      display_name: 'Carol on WhatsApp',
      address: '+1 555 0101',
    })
    const response = await fetch(`${server.url}/integrations/whatsapp/inbound`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bridge ${created.data.bridge_secret}`,
      },
      body: JSON.stringify({
        external_thread_id: 'chat-1',
        sender: { handle: '+1 555 0199', name: 'Dora' },
        text: 'Bridged zucchini recipe',
        external_id: 'wamid.1',
      }),
    })
    expect(response.status).toBe(201)
    const { data } = (await response.json()) as { data: { message: Message } }
    const results = (await search(carol, { q: 'zucch' })).data.results
    expect(results.map((result) => result.message)).toEqual([data.message])
    // Only its owner's conversation: nobody else sees it.
    expect(await ids(alice, { q: 'zucch' })).toEqual([])
  })

  it('finds only messages of conversations the caller is a member of now', async () => {
    const secret = await sendMessage(alice, direct.id, 'Secret walrus plan')
    const shared = await sendMessage(alice, group.id, 'Shared walrus plan')
    expect(await ids(bob, { q: 'walrus' })).toEqual([shared.id, secret.id])
    // Carol is in the group only; the admin in neither.
    expect(await ids(carol, { q: 'walrus' })).toEqual([shared.id])
    expect(await ids(admin, { q: 'walrus' })).toEqual([])
    // Restricted to one conversation, which must be the caller's.
    expect(await ids(bob, { q: 'walrus', conversation_id: direct.id })).toEqual([secret.id])
    expect((await search(carol, { q: 'walrus', conversation_id: direct.id })).status).toBe(403)
    expect((await search(carol, { q: 'walrus', conversation_id: 999_999 })).status).toBe(404)

    // Removed from the group: nothing from it any more, not even what was found before.
    const removed = await alice.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)
    expect(removed.status).toBe(200)
    expect(await ids(carol, { q: 'walrus' })).toEqual([])
    await alice.rest.post(`/conversations/${group.id}/members`, { user_ids: [carol.user.id] })
    expect(await ids(carol, { q: 'walrus' })).toEqual([shared.id])
  })

  it('never finds a deleted message, deleted before or after it was indexed', async () => {
    const early = await sendMessage(alice, direct.id, 'Tombstone giraffe one')
    // Deleted before any search indexed it.
    expect((await alice.rest.delete(`/messages/${early.id}`)).status).toBe(200)
    const late = await sendMessage(alice, direct.id, 'Tombstone giraffe two')
    expect(await ids(bob, { q: 'giraffe' })).toEqual([late.id])
    // Deleted once indexed.
    expect((await alice.rest.delete(`/messages/${late.id}`)).status).toBe(200)
    expect(await ids(bob, { q: 'giraffe' })).toEqual([])
    expect(await ids(bob, { q: 'tombstone' })).toEqual([])
  })

  it('finds the edited text and not the old one, edited before or after it was indexed', async () => {
    const before = await sendMessage(alice, direct.id, 'Original pelican text')
    await alice.rest.patch(`/messages/${before.id}`, { text: 'Revised flamingo text' })
    expect(await ids(bob, { q: 'flamingo' })).toEqual([before.id])
    expect(await ids(bob, { q: 'pelican' })).toEqual([])

    const after = await sendMessage(alice, direct.id, 'Original heron text')
    expect(await ids(bob, { q: 'heron' })).toEqual([after.id])
    const edited = await alice.rest.patch<Message>(`/messages/${after.id}`, {
      text: 'Revised stork text',
    })
    expect(await ids(bob, { q: 'heron' })).toEqual([])
    const results = (await search(bob, { q: 'stork' })).data.results
    expect(results.map((result) => result.message)).toEqual([edited.data])
  })

  it('pages newest first with before and next_before', async () => {
    const sent: Message[] = []
    for (let i = 1; i <= 5; i++) sent.push(await sendMessage(bob, group.id, `Paging otter ${i}`))
    const newestFirst = sent.map((message) => message.id).reverse()

    const first = (await search(alice, { q: 'otter', limit: 2 })).data
    expect(first.results.map((result) => result.message.id)).toEqual(newestFirst.slice(0, 2))
    expect(first.next_before).toBe(newestFirst[1])
    const second = (await search(alice, { q: 'otter', limit: 2, before: first.next_before! })).data
    expect(second.results.map((result) => result.message.id)).toEqual(newestFirst.slice(2, 4))
    const third = (await search(alice, { q: 'otter', limit: 2, before: second.next_before! })).data
    expect(third.results.map((result) => result.message.id)).toEqual(newestFirst.slice(4))
    expect(third.next_before).toBeNull()
    // The default page is 20, the largest 50.
    expect((await search(alice, { q: 'otter', limit: Limits.searchMaxPageSize })).status).toBe(200)
    expect((await search(alice, { q: 'otter', limit: Limits.searchMaxPageSize + 1 })).status).toBe(
      400,
    )
  })

  it('refuses a missing, blank or too long query with 400 invalid_request', async () => {
    const refused: Params[] = [
      {},
      { q: '' },
      { q: '   ' },
      { q: 'x'.repeat(Limits.maxSearchQueryChars + 1) },
      { q: 'ok', before: 0 },
      { q: 'ok', limit: 0 },
    ]
    for (const params of refused) {
      const response = await search(bob, params)
      expect(response.status, JSON.stringify(params)).toBe(400)
      expect(response.error.code).toBe('invalid_request')
    }
    expect((await search(bob, { q: 'x'.repeat(Limits.maxSearchQueryChars) })).status).toBe(200)
    const anonymous = await fetch(`${server.url}/search/messages?q=otter`)
    expect(anonymous.status).toBe(401)
  })

  it('takes FTS5 syntax in a query as text and never fails on it', async () => {
    const sent = await sendMessage(alice, direct.id, 'Say "NEAR" AND mean it: e-mail is -fine*')
    for (const q of [
      '"',
      '""',
      '*',
      'AND',
      'OR NOT',
      'NEAR(',
      'NEAR(a b)',
      '-',
      ':',
      'a:b',
      '^',
      '(',
    ]) {
      const response = await search(bob, { q })
      expect(response.status, q).toBe(200)
    }
    // Punctuation only: nothing to look for, an empty page.
    expect((await search(bob, { q: '" * - : ( )' })).data).toEqual({
      results: [],
      next_before: null,
    })
    // The words are still found, operators and quotes included.
    expect(await ids(bob, { q: '"near" AND' })).toEqual([sent.id])
    expect(await ids(bob, { q: 'NEAR(' })).toEqual([sent.id])
    expect(await ids(bob, { q: 'mean: -fine' })).toEqual([sent.id])
    expect(await ids(bob, { q: 'e-mail' })).toEqual([sent.id])
    expect(await ids(bob, { q: 'fine* -' })).toEqual([sent.id])
  })

  it('finds a message sent after an earlier search, and keeps working across a restart', async () => {
    expect(await ids(bob, { q: 'pangolin' })).toEqual([])
    const later = await sendMessage(alice, direct.id, 'A pangolin appears')
    expect(await ids(bob, { q: 'pangolin' })).toEqual([later.id])

    const beforeRestart = await sendMessage(alice, direct.id, 'Quokka before restart')
    // On another port: a keep-alive socket to the old server is no use after its close.
    await server.restart({ port: 0 })
    const aliceAgain = { ...alice, rest: new RestClient(server.url, alice.token) }
    const bobAgain = { ...bob, rest: new RestClient(server.url, bob.token) }
    const afterRestart = await sendMessage(aliceAgain, direct.id, 'Quokka after restart')
    expect(await ids(bobAgain, { q: 'quokka' })).toEqual([afterRestart.id, beforeRestart.id])
    expect(await ids(bobAgain, { q: 'pangolin' })).toEqual([later.id])
    // An edit of a message indexed before the restart still replaces its text.
    await aliceAgain.rest.patch(`/messages/${later.id}`, { text: 'An armadillo appears' })
    expect(await ids(bobAgain, { q: 'pangolin' })).toEqual([])
    expect(await ids(bobAgain, { q: 'armadillo' })).toEqual([later.id])
  })
})
