import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../server/storage/migrations'
import type {
  Conversation,
  Message,
  MessagePage,
  MessageSearchPage,
  Reaction,
} from '../../src/shared/models'
import {
  accountFrom,
  createConversation,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { Limits } from '../../src/shared/limits'
import { rewindSqliteSchema } from '../support/sqliteSchema'
import { openStore } from '../support/store'
import { onPostgres } from '../support/testDatabase'
import { startHarness, type TestServer } from '../support/serverHarness'
import { eventsIn, type WsTestClient } from '../support/wsTestClient'

const reactionsPath = (conversationId: number, messageId: number) =>
  `/conversations/${conversationId}/messages/${messageId}/reactions`
/** The route of clients from before several reactions per member: "my reaction". */
const legacyPath = (conversationId: number, messageId: number) =>
  `/conversations/${conversationId}/messages/${messageId}/reaction`

/** Reactions: any emoji, several per member, live to every member as message_updated. */
describe('reactions', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let bob: TestAccount
  let outsider: TestAccount
  let group: Conversation
  let sockets: WsTestClient[]

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'outsider'])
    admin = team.admin
    ;[alice, bob, outsider] = team.members as [TestAccount, TestAccount, TestAccount]
    group = await createConversation(admin, [alice, bob], 'Team')
    // Two devices of alice's, one each for admin and bob.
    sockets = await Promise.all([admin.connect(), alice.connect(), alice.connect(), bob.connect()])
  })
  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()))
    await server.stop()
  })

  const react = (account: TestAccount, message: Message, emoji: string) =>
    account.rest.put<Message>(reactionsPath(message.conversation_id, message.id), { emoji })
  const unreact = (account: TestAccount, message: Message, emoji: string) =>
    account.rest.delete<Message>(
      `${reactionsPath(message.conversation_id, message.id)}?emoji=${encodeURIComponent(emoji)}`,
    )

  /** Waits on every member's socket for the message_updated of `messageId` after the marks. */
  async function updatesEverywhere(marks: number[], messageId: number): Promise<Message[]> {
    return Promise.all(
      sockets.map(async (socket, i) => {
        const event = await socket.waitForEvent('message_updated', {
          after: marks[i]!,
          where: (e) => e.data.message?.id === messageId,
        })
        return event.data.message!
      }),
    )
  }

  async function historyOf(account: TestAccount, messageId: number): Promise<Message> {
    const page = await account.rest.get<MessagePage>(
      `/conversations/${group.id}/messages?limit=200`,
    )
    return page.data.messages.find((m) => m.id === messageId)!
  }

  it('adds and takes back reactions, several per member, each time live to every device of every member', async () => {
    const message = await sendMessage(alice, group.id, 'Shipped the release')
    expect(message).not.toHaveProperty('reactions')

    let marks = sockets.map((s) => s.mark())
    const set = await react(bob, message, '👍')
    expect(set.status).toBe(200)
    const thumbs: Reaction[] = [{ emoji: '👍', user_ids: [bob.user.id] }]
    expect(set.data.reactions).toEqual(thumbs)
    for (const seen of await updatesEverywhere(marks, message.id)) {
      expect(seen).toEqual(set.data)
    }

    marks = sockets.map((s) => s.mark())
    await react(alice, message, '❤️')
    await updatesEverywhere(marks, message.id)

    // A second emoji of bob's joins his first, as in Slack; it replaces nothing.
    marks = sockets.map((s) => s.mark())
    const second = await react(bob, message, '❤️')
    expect(second.data.reactions).toEqual([
      { emoji: '👍', user_ids: [bob.user.id] },
      { emoji: '❤️', user_ids: [alice.user.id, bob.user.id] },
    ])
    for (const seen of await updatesEverywhere(marks, message.id)) {
      expect(seen.reactions).toEqual(second.data.reactions)
    }
    const third = await react(bob, message, '🎉')
    expect(third.data.reactions?.map((r) => r.emoji)).toEqual(['👍', '❤️', '🎉'])

    // Taking one back leaves the others.
    marks = sockets.map((s) => s.mark())
    const removed = await unreact(bob, message, '❤️')
    expect(removed.data.reactions).toEqual([
      { emoji: '👍', user_ids: [bob.user.id] },
      { emoji: '❤️', user_ids: [alice.user.id] },
      { emoji: '🎉', user_ids: [bob.user.id] },
    ])
    for (const seen of await updatesEverywhere(marks, message.id)) {
      expect(seen.reactions).toEqual(removed.data.reactions)
    }

    await unreact(alice, message, '❤️')
    await unreact(bob, message, '👍')
    marks = sockets.map((s) => s.mark())
    const none = await unreact(bob, message, '🎉')
    expect(none.status).toBe(200)
    expect(none.data).not.toHaveProperty('reactions')
    for (const seen of await updatesEverywhere(marks, message.id)) {
      expect(seen).not.toHaveProperty('reactions')
    }
    expect(await historyOf(admin, message.id)).not.toHaveProperty('reactions')
  })

  it('stores a text-style spelling as the emoji it is, so both spellings are one chip', async () => {
    const message = await sendMessage(alice, group.id, 'Spellings')
    await react(alice, message, '❤️')
    // U+2764 alone, as some keyboards type the heart: the same emoji, stored with U+FE0F.
    const bare = await react(bob, message, '\u2764')
    expect(bare.status).toBe(200)
    expect(bare.data.reactions).toEqual([
      { emoji: '\u2764\uFE0F', user_ids: [alice.user.id, bob.user.id] },
    ])
    // And taken back by either spelling.
    const back = await unreact(bob, message, '\u2764')
    expect(back.data.reactions).toEqual([{ emoji: '\u2764\uFE0F', user_ids: [alice.user.id] }])
  })

  it(`refuses a new emoji past ${Limits.reactionEmojiPerMessage} different ones on a message (409), but not one already there`, async () => {
    const message = await sendMessage(alice, group.id, 'So many feelings')
    // The first emoji of the data's smileys, a different one per reaction.
    const emoji = Array.from({ length: Limits.reactionEmojiPerMessage + 1 }, (_, i) =>
      String.fromCodePoint(0x1f600 + i),
    )
    for (const [i, one] of emoji.slice(0, -1).entries()) {
      const answer = await react(i % 2 === 0 ? alice : bob, message, one)
      expect(answer.status).toBe(200)
    }
    const past = await react(bob, message, emoji.at(-1)!)
    expect(past.status).toBe(409)
    expect(past.error.code).toBe('conflict')
    expect(past.error.message).toContain(
      `at most ${Limits.reactionEmojiPerMessage} different emoji`,
    )
    // Joining an emoji that is already there is always possible.
    const joined = await react(admin, message, emoji[0]!)
    expect(joined.status).toBe(200)
    expect(joined.data.reactions).toHaveLength(Limits.reactionEmojiPerMessage)
    expect(joined.data.reactions?.[0]).toEqual({
      emoji: emoji[0],
      user_ids: [alice.user.id, admin.user.id],
    })
  })

  it("keeps the route of older clients: PUT /reaction makes the caller's reactions that one emoji, DELETE /reaction takes them all back", async () => {
    const message = await sendMessage(alice, group.id, 'Old and new clients')
    await react(bob, message, '👍')
    await react(bob, message, '🎉')
    await react(alice, message, '🎉')
    const path = legacyPath(group.id, message.id)

    let marks = sockets.map((s) => s.mark())
    const set = await bob.rest.put<Message>(path, { emoji: '😂' })
    expect(set.status).toBe(200)
    expect(set.data.reactions).toEqual([
      { emoji: '🎉', user_ids: [alice.user.id] },
      { emoji: '😂', user_ids: [bob.user.id] },
    ])
    await updatesEverywhere(marks, message.id)

    // Already exactly that emoji: nothing changes and nothing is sent.
    marks = sockets.map((s) => s.mark())
    const again = await bob.rest.put<Message>(path, { emoji: '😂' })
    expect(again.data).toEqual(set.data)
    for (const [i, socket] of sockets.entries()) {
      expect(eventsIn(await socket.sync(marks[i]!))).toEqual([])
    }

    await bob.rest.put<Message>(path, { emoji: '👀' })
    await react(bob, message, '🚀')
    const cleared = await bob.rest.delete<Message>(path)
    expect(cleared.data.reactions).toEqual([{ emoji: '🎉', user_ids: [alice.user.id] }])
    expect((await bob.rest.put(path, { emoji: 'yes' })).status).toBe(400)
  })

  it('orders emojis by their first standing reaction and carries them in history, search and last_message', async () => {
    const plain = await sendMessage(admin, group.id, 'No reactions on this one')
    const message = await sendMessage(bob, group.id, 'Marmalade sandwiches on Friday')
    await react(alice, message, '😂')
    await react(admin, message, '🙏')
    const answer = await react(bob, message, '😂')
    const expected: Reaction[] = [
      { emoji: '😂', user_ids: [alice.user.id, bob.user.id] },
      { emoji: '🙏', user_ids: [admin.user.id] },
    ]
    expect(answer.data.reactions).toEqual(expected)
    expect((await historyOf(alice, message.id)).reactions).toEqual(expected)
    // A message without reactions has no field at all, not an empty list.
    expect(await historyOf(alice, plain.id)).not.toHaveProperty('reactions')

    const found = await alice.rest.get<MessageSearchPage>(
      `/search/messages?q=marmalade&conversation_id=${group.id}`,
    )
    expect(found.data.results.map((r) => r.message.reactions)).toEqual([expected])
    const conversation = await alice.rest.get<Conversation>(`/conversations/${group.id}`)
    expect(conversation.data.last_message?.reactions).toEqual(expected)
    const list = await alice.rest.get<Conversation[]>('/conversations')
    expect(list.data.find((c) => c.id === group.id)?.last_message?.reactions).toEqual(expected)
  })

  it('changes nothing and emits nothing on a repeat of the same reaction, or removing none', async () => {
    const message = await sendMessage(alice, group.id, 'Idempotent')
    const first = await react(bob, message, '😮')
    await sockets[0]!.waitForEvent('message_updated', {
      where: (e) => e.data.message?.id === message.id,
    })
    const marks = sockets.map((s) => s.mark())
    const again = await react(bob, message, '😮')
    expect(again.status).toBe(200)
    expect(again.data).toEqual(first.data)
    const removedNone = await unreact(admin, message, '😮')
    expect(removedNone.status).toBe(200)
    const otherNone = await unreact(bob, message, '👍')
    expect(otherNone.status).toBe(200)
    expect(otherNone.data).toEqual(first.data)
    for (const [i, socket] of sockets.entries()) {
      expect(eventsIn(await socket.sync(marks[i]!))).toEqual([])
    }
  })

  it('refuses non-members (403), unknown messages (404) and messages of another conversation (404)', async () => {
    const message = await sendMessage(alice, group.id, 'Members only')
    const outsiders = await react(outsider, message, '👍')
    expect(outsiders.status).toBe(403)
    expect(outsiders.error.code).toBe('forbidden')
    expect((await unreact(outsider, message, '👍')).status).toBe(403)
    expect(
      (await outsider.rest.put(legacyPath(group.id, message.id), { emoji: '👍' })).status,
    ).toBe(403)
    expect((await outsider.rest.delete(legacyPath(group.id, message.id))).status).toBe(403)

    const unknown = await admin.rest.put(reactionsPath(group.id, 999_999), { emoji: '👍' })
    expect(unknown.status).toBe(404)
    expect(unknown.error.code).toBe('not_found')

    const elsewhere = await createConversation(admin, [outsider])
    const wrongConversation = await admin.rest.put(reactionsPath(elsewhere.id, message.id), {
      emoji: '👍',
    })
    expect(wrongConversation.status).toBe(404)
    expect((await historyOf(admin, message.id)).reactions).toBeUndefined()
  })

  it('refuses reactions to a deleted message, and a deletion drops the reactions it had', async () => {
    const message = await sendMessage(alice, group.id, 'About to go')
    await react(bob, message, '😢')
    const marks = sockets.map((s) => s.mark())
    const deleted = await alice.rest.delete<Message>(`/messages/${message.id}`)
    expect(deleted.data).not.toHaveProperty('reactions')
    const event = await sockets[3]!.waitForEvent('message_deleted', {
      after: marks[3]!,
      where: (e) => e.data.message_id === message.id,
    })
    expect(event.data.message).not.toHaveProperty('reactions')
    expect(await historyOf(bob, message.id)).not.toHaveProperty('reactions')
    // Dropped, not only hidden.
    const store = await openStore(server.dataDir)
    try {
      const [stored] = await store.all<{ n: number }>(
        'select count(*) as n from message_reactions where message_id = ?',
        message.id,
      )
      expect(Number(stored!.n)).toBe(0)
    } finally {
      await store.close()
    }

    const refused = await react(bob, message, '👍')
    expect(refused.status).toBe(409)
    expect(refused.error.code).toBe('conflict')
    expect((await unreact(bob, message, '😢')).status).toBe(409)
  })

  it.each([
    ['text', 'ok'],
    ['a letter', 'a'],
    ['two emoji', '👍👍'],
    ['an emoji with text', '👍 yes'],
    ['a digit', '1'],
    ['a lone regional indicator', '🇫'],
    ['two regional indicators that name no country', '🇿🇿'],
    ['two skin tones on one emoji', '👍🏽🏽'],
    ['two emoji joined by a ZWJ into no emoji', '😀\u200D😀'],
    ['a skin tone alone after text', 'a🏽'],
    ['a long string', '👍'.repeat(40)],
    ['an empty string', ''],
  ])('refuses %s as an emoji with 400 invalid_request', async (_what, emoji) => {
    const message = await sendMessage(alice, group.id, 'Validate me')
    const response = await react(bob, message, emoji)
    expect(response.status).toBe(400)
    expect(response.error.code).toBe('invalid_request')
    expect(response.error.message).toMatch(/emoji/)
    const removal = await unreact(bob, message, emoji)
    expect(removal.status).toBe(400)
    expect(removal.error.code).toBe('invalid_request')
  })

  it.each([
    ['a skin tone', '👍🏽'],
    ['a ZWJ family', '👨‍👩‍👧‍👦'],
    ['a ZWJ sequence with skin tones', '🧑🏻‍❤️‍💋‍🧑🏼'],
    ['a profession with a skin tone', '👩🏾‍💻'],
    ['a flag', '🇫🇷'],
    ['a keycap', '1️⃣'],
    ['a subdivision flag', '🏴󠁧󠁢󠁥󠁮󠁧󠁿'],
    ['an Emoji 15 face', '🫨'],
  ])('accepts %s', async (_what, emoji) => {
    const message = await sendMessage(alice, group.id, 'Any emoji')
    const response = await react(bob, message, emoji)
    expect(response.status).toBe(200)
    expect(response.data.reactions).toEqual([{ emoji, user_ids: [bob.user.id] }])
  })

  it('replays a reaction to a device that resumes after it', async () => {
    const message = await sendMessage(alice, group.id, 'Resume me')
    const device = await bob.connect()
    const since = device.greeting.latest_event_id
    await device.close()
    const answer = await react(alice, message, '🙏')
    const resumed = await bob.connect({ since })
    try {
      const replayed = await resumed.waitForEvent('message_updated', {
        where: (e) => e.data.message?.id === message.id,
      })
      expect(replayed.data.message).toEqual(answer.data)
    } finally {
      await resumed.close()
    }
  })
})

// The upgrade of a SQLite file made by an older server; PostgreSQL has no such history.
describe.skipIf(onPostgres)('reactions on a database from before them (migration 8)', () => {
  let before: TestServer
  let after: TestServer | undefined

  afterAll(async () => {
    await after?.stop()
    await before.stop()
  })

  it('adds the table: older messages have no reactions and take new ones', async () => {
    before = await startHarness()
    const { admin, members } = await registerTeam(before.url, ['alice'])
    const alice = members[0]!
    const direct = await createConversation(admin, [alice])
    const old = await sendMessage(alice, direct.id, 'Written before reactions existed')
    await before.close()

    // The file as a server of schema version 7 left it: no message_reactions (nor attachments) table.
    rewindSqliteSchema(join(before.dataDir, 'tidings.db'), 7)

    after = await startHarness({ dataDir: before.dataDir })
    const upgraded = new Database(join(after.dataDir, 'tidings.db'), { readonly: true })
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(8)
    upgraded.close()
    const adminNow = accountFrom(after.url, { token: admin.token, user: admin.user })
    const page = await adminNow.rest.get<MessagePage>(`/conversations/${direct.id}/messages`)
    expect(page.data.messages).toEqual([old])
    const reacted = await adminNow.rest.put<Message>(reactionsPath(direct.id, old.id), {
      emoji: '👍',
    })
    expect(reacted.data.reactions).toEqual([{ emoji: '👍', user_ids: [admin.user.id] }])
  })
})

describe.skipIf(onPostgres)(
  'reactions on a database of one reaction per member (migration 13)',
  () => {
    let before: TestServer
    let after: TestServer | undefined

    afterAll(async () => {
      await after?.stop()
      await before.stop()
    })

    it('keeps every reaction and lets a member add a second emoji', async () => {
      before = await startHarness()
      const { admin, members } = await registerTeam(before.url, ['alice'])
      const alice = members[0]!
      const direct = await createConversation(admin, [alice])
      const old = await sendMessage(alice, direct.id, 'Reacted to before the upgrade')
      await admin.rest.put(reactionsPath(direct.id, old.id), { emoji: '👍' })
      await alice.rest.put(reactionsPath(direct.id, old.id), { emoji: '👍' })
      await before.close()

      // Just before migration 13, whichever migrations other features numbered below it.
      rewindSqliteSchema(join(before.dataDir, 'tidings.db'), 12)
      const rewound = new Database(join(before.dataDir, 'tidings.db'), { readonly: true })
      const keyBefore = rewound
        .prepare("select name from pragma_table_info('message_reactions') where pk > 0 order by pk")
        .all()
      rewound.close()
      expect(keyBefore).toEqual([{ name: 'message_id' }, { name: 'user_id' }])

      after = await startHarness({ dataDir: before.dataDir })
      const adminNow = accountFrom(after.url, { token: admin.token, user: admin.user })
      const page = await adminNow.rest.get<MessagePage>(`/conversations/${direct.id}/messages`)
      expect(page.data.messages[0]!.reactions).toEqual([
        { emoji: '👍', user_ids: [admin.user.id, alice.user.id] },
      ])
      const second = await adminNow.rest.put<Message>(reactionsPath(direct.id, old.id), {
        emoji: '🎉',
      })
      expect(second.data.reactions).toEqual([
        { emoji: '👍', user_ids: [admin.user.id, alice.user.id] },
        { emoji: '🎉', user_ids: [admin.user.id] },
      ])
    })
  },
)
