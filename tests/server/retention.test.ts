import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RETENTION_BATCH } from '../../server/services/messageRetention'
import type { TidingsEvent } from '../../src/shared/events'
import type {
  Conversation,
  Message,
  MessagePage,
  MessageSearchPage,
  RetentionPolicy,
} from '../../src/shared/models'
import {
  accountFrom,
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { openStore, storedAttachmentBytes } from '../support/store'
import { onPostgres } from '../support/testDatabase'
import { downloadFile, uploadFile } from '../support/uploads'
import { waitUntil } from '../support/waitUntil'
import { eventsIn, isEventOf, type WsTestClient } from '../support/wsTestClient'

const DAY_MS = 24 * 60 * 60 * 1000
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString()
const isDeletion = isEventOf('message_deleted')

/** Moves messages' send times back, as if they had been sent `days` ago. */
async function age(server: TestServer, ids: readonly number[], days: number): Promise<void> {
  const store = await openStore(server.dataDir)
  try {
    for (const id of ids) {
      await store.all('update messages set created_at = ? where id = ?', daysAgo(days), id)
    }
  } finally {
    await store.close()
  }
}

/** The ids among `ids` that the search index still holds a row for. */
async function indexed(server: TestServer, ids: readonly number[]): Promise<number[]> {
  const store = await openStore(server.dataDir)
  try {
    const column = onPostgres ? 'message_id' : 'rowid'
    const rows = await store.all<{ id: number }>(
      `select ${column} as id from message_search where ${column} in (${ids.map(() => '?').join(', ')})`,
      ...ids,
    )
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b)
  } finally {
    await store.close()
  }
}

describe('message retention: the policy', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice'])
    admin = team.admin
    alice = team.members[0]!
  })
  afterAll(async () => {
    await server.stop()
  })

  it('keeps messages forever by default, and the admin sets and clears a number of days', async () => {
    expect((await admin.rest.get<RetentionPolicy>('/admin/retention')).data).toEqual({
      message_retention_days: null,
    })
    const set = await admin.rest.put<RetentionPolicy>('/admin/retention', {
      message_retention_days: 90,
    })
    expect(set.status).toBe(200)
    expect(set.data).toEqual({ message_retention_days: 90 })
    expect((await admin.rest.get<RetentionPolicy>('/admin/retention')).data).toEqual({
      message_retention_days: 90,
    })
    // Kept across a restart: it is stored, not held in memory. (Another port: no pooled
    // connection to the first server is reused.)
    await server.restart({ port: 0 })
    admin = accountFrom(server.url, { token: admin.token, user: admin.user })
    alice = accountFrom(server.url, { token: alice.token, user: alice.user })
    expect((await admin.rest.get<RetentionPolicy>('/admin/retention')).data).toEqual({
      message_retention_days: 90,
    })
    await admin.rest.put('/admin/retention', { message_retention_days: null })
    expect((await admin.rest.get<RetentionPolicy>('/admin/retention')).data).toEqual({
      message_retention_days: null,
    })
  })

  it('is the admin’s alone: a member can neither read nor change it', async () => {
    const read = await alice.rest.get('/admin/retention')
    expect(read.status).toBe(403)
    expect(read.error.code).toBe('forbidden')
    const write = await alice.rest.put('/admin/retention', { message_retention_days: 1 })
    expect(write.status).toBe(403)
    expect((await admin.rest.get<RetentionPolicy>('/admin/retention')).data).toEqual({
      message_retention_days: null,
    })
  })

  it('refuses what is not a whole number of days from 1 to 36,500, or null', async () => {
    for (const body of [
      { message_retention_days: 0 },
      { message_retention_days: -3 },
      { message_retention_days: 1.5 },
      { message_retention_days: '30' },
      { message_retention_days: 36_501 },
      {},
    ]) {
      const response = await admin.rest.put('/admin/retention', body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.error.code).toBe('invalid_request')
    }
    const anonymous = await fetch(new URL('/admin/retention', server.url))
    expect(anonymous.status).toBe(401)
  })
})

describe('message retention: the sweep', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let bob: TestAccount
  let direct: Conversation
  let bobsOwn: Conversation
  let aliceWs: WsTestClient
  let bobWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol'])
    admin = team.admin
    ;[alice, bob] = team.members as [TestAccount, TestAccount]
    direct = await createConversation(admin, [alice])
    bobsOwn = await createConversation(bob, [team.members[2]!], 'Unrelated')
    aliceWs = await alice.connect()
    bobWs = await bob.connect()
  })
  afterAll(async () => {
    await aliceWs?.close()
    await bobWs?.close()
    await server.stop()
  })

  it('removes expired messages with their files, reactions and search entries, and tells every member', async () => {
    const oldText = await sendMessage(admin, direct.id, 'ancient zebra minutes')
    const fileBytes = new TextEncoder().encode('the old quarterly figures')
    const file = await uploadFile(admin, direct.id, 'figures.txt', fileBytes)
    const oldWithFile = (
      await admin.rest.post<Message>(`/conversations/${direct.id}/messages`, {
        text: 'zebra figures attached',
        client_id: nextClientId(),
        attachment_ids: [file.id],
      })
    ).data
    await alice.rest.put(`/conversations/${direct.id}/messages/${oldText.id}/reactions`, {
      emoji: '👍',
    })
    const recent = await sendMessage(alice, direct.id, 'fresh zebra news')
    const reply = (
      await alice.rest.post<Message>(`/conversations/${direct.id}/messages`, {
        text: 'replying to the old one',
        client_id: nextClientId(),
        reply_to_id: oldText.id,
      })
    ).data
    const unrelated = await sendMessage(bob, bobsOwn.id, 'zebra elsewhere, but recent')
    const expired = [oldText.id, oldWithFile.id]
    await age(server, expired, 10)
    // Indexed first, so that the sweep has search rows to remove.
    const before = await alice.rest.get<MessageSearchPage>('/search/messages?q=zebra')
    expect(before.data.results.map((result) => result.message.id)).toEqual(
      expect.arrayContaining(expired),
    )
    expect(await indexed(server, expired)).toEqual(expired)

    const aliceMark = aliceWs.mark()
    const bobMark = bobWs.mark()
    await admin.rest.put('/admin/retention', { message_retention_days: 7 })
    await aliceWs.waitForCount(expired.length, isDeletion, { after: aliceMark })
    const deletions = eventsIn(aliceWs.events(aliceMark)).filter(
      isDeletion,
    ) as TidingsEvent<'message_deleted'>[]
    expect(deletions.map((event) => event.data.message_id).sort((a, b) => a - b)).toEqual(expired)
    for (const event of deletions) {
      expect(event.data.expired).toBe(true)
      expect(event.data.conversation_id).toBe(direct.id)
      expect(event.data.message).toMatchObject({ text: '', reply_to: null })
      expect(event.data.message.deleted_at).not.toBeNull()
      expect(event.data.message.attachments).toBeUndefined()
    }
    // Bob is not a member of that conversation: nothing of it reaches him.
    expect(eventsIn(await bobWs.sync(bobMark)).filter(isDeletion)).toEqual([])

    const history = (
      await alice.rest.get<MessagePage>(`/conversations/${direct.id}/messages?limit=200`)
    ).data.messages
    expect(history.map((message) => message.id)).toEqual([recent.id, reply.id])
    // The reply stays; its quote says the original is gone.
    expect(history[1]!.reply_to).toMatchObject({ id: oldText.id, deleted: true, text: '' })
    const after = await alice.rest.get<MessageSearchPage>('/search/messages?q=zebra')
    expect(after.data.results.map((result) => result.message.id)).toEqual([recent.id])
    const bobSearch = await bob.rest.get<MessageSearchPage>('/search/messages?q=zebra')
    expect(bobSearch.data.results.map((result) => result.message.id)).toEqual([unrelated.id])
    expect(await indexed(server, expired)).toEqual([])
    // The bytes go once the deletion has committed (on SQLite a file removed just after).
    await waitUntil(
      async () => (await storedAttachmentBytes(server.dataDir, file.id)) === undefined,
      'the expired file is removed',
    )
    expect((await downloadFile(alice, direct.id, file.id)).status).toBe(404)
    const store = await openStore(server.dataDir)
    try {
      const leftovers = await store.all<{ n: number }>(
        `select (select count(*) from messages where id in (?, ?))
              + (select count(*) from message_reactions where message_id in (?, ?))
              + (select count(*) from attachments where id = ?) as n`,
        ...expired,
        ...expired,
        file.id,
      )
      expect(Number(leftovers[0]!.n)).toBe(0)
    } finally {
      await store.close()
    }
    await admin.rest.put('/admin/retention', { message_retention_days: null })
  })

  it('sweeps at start-up, and keeps what is younger than the policy', async () => {
    const older = (
      await admin.rest.get<MessagePage>(`/conversations/${direct.id}/messages?limit=200`)
    ).data.messages.map((message) => message.id)
    const drop = await sendMessage(admin, direct.id, 'eight days old')
    const keep = await sendMessage(admin, direct.id, 'six days old')
    // Send times grow with ids, as they do when the clock moves on.
    await age(server, older, 9)
    await age(server, [drop.id], 8)
    await age(server, [keep.id], 6)
    await server.close()
    const store = await openStore(server.dataDir)
    // Set while the server was down: the start-up sweep applies it.
    await store.all(
      `insert into settings (key, value) values ('message_retention_days', '7')
       on conflict (key) do update set value = excluded.value`,
    )
    await store.close()
    await server.start({ port: 0 })
    admin = accountFrom(server.url, { token: admin.token, user: admin.user })
    alice = accountFrom(server.url, { token: alice.token, user: alice.user })
    const ids = (
      await admin.rest.get<MessagePage>(`/conversations/${direct.id}/messages?limit=200`)
    ).data.messages.map((message) => message.id)
    expect(ids).toEqual([keep.id])
    await admin.rest.put('/admin/retention', { message_retention_days: null })
    aliceWs = await alice.connect()
  })

  it(`removes a large backlog in batches of ${RETENTION_BATCH}, each its own commit`, async () => {
    const total = RETENTION_BATCH * 2 + 100
    const store = await openStore(server.dataDir)
    try {
      // Written straight into the store: as many messages by REST would take the test's time.
      await store.all(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
         insert into messages (conversation_id, sender_id, client_id, text, created_at)
         select ?, ?, 'backlog-' || i, 'backlog message ' || i, ? from n`,
        total,
        direct.id,
        admin.user.id,
        daysAgo(30),
      )
      // Every message is that old, so that send times still grow with ids.
      await store.all('update messages set created_at = ?', daysAgo(30))
    } finally {
      await store.close()
    }
    const commitsBefore = await eventsPerCommit(server)
    const mark = aliceWs.mark()
    await admin.rest.put('/admin/retention', { message_retention_days: 7 })
    await aliceWs.waitForCount(total, isDeletion, { after: mark, timeoutMs: 60_000 })
    const commitsAfter = await eventsPerCommit(server)
    // No commit held the whole backlog (1,100 events), and the sweep took at least three. Not
    // "none over 500": a group commit may carry a batch together with the turn's other units of
    // work (seen once on PostgreSQL in a fresh-clone run: one commit of 501 to 1,000 events).
    expect(commitsAfter.over1000 - commitsBefore.over1000).toBe(0)
    expect(commitsAfter.count - commitsBefore.count).toBeGreaterThanOrEqual(3)
    const left = await alice.rest.get<MessagePage>(`/conversations/${direct.id}/messages`)
    expect(left.data.messages).toEqual([])
    await admin.rest.put('/admin/retention', { message_retention_days: null })
  })
})

/** From /metrics: how many batches committed, and how many held more than 1,000 events. */
async function eventsPerCommit(server: TestServer): Promise<{ count: number; over1000: number }> {
  const text = await (await fetch(new URL('/metrics', server.url))).text()
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN)
  const count = value(/^tidings_events_per_commit_count(?:\{[^}]*\})? (\d+)/m)
  const upTo1000 = value(/^tidings_events_per_commit_bucket\{le="1000"[^}]*\} (\d+)/m)
  return { count, over1000: count - upTo1000 }
}
