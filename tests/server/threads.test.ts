import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../server/storage/migrations'
import type { MessageAckFrame } from '../../src/shared/frames'
import type {
  Conversation,
  FollowedThreadList,
  Message,
  MessagePage,
  ThreadFollow,
  ThreadPage,
} from '../../src/shared/models'
import {
  accountFrom,
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { rewindSqliteSchema } from '../support/sqliteSchema'
import { onPostgres } from '../support/testDatabase'
import { startHarness, type TestServer } from '../support/serverHarness'
import { eventsIn, type WsTestClient } from '../support/wsTestClient'

const NOT_A_THREAD_ROOT =
  'thread_root_id must name a message of this conversation that is not deleted and not itself a thread reply.'

const messagesPath = (conversationId: number) => `/conversations/${conversationId}/messages`
const threadPath = (conversationId: number, rootId: number) =>
  `/conversations/${conversationId}/threads/${rootId}`

/** Threads: replies beside a channel message, the root's summary, following and the Threads view. */
describe('threads', () => {
  let server: TestServer
  let ann: TestAccount
  let bob: TestAccount
  let cid: TestAccount
  let outsider: TestAccount
  let team: Conversation
  let other: Conversation
  let annWs: WsTestClient
  let bobWs: WsTestClient
  let cidWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness()
    const registered = await registerTeam(server.url, ['bob', 'cid', 'outsider'], 'ann')
    ann = registered.admin
    ;[bob, cid, outsider] = registered.members as [TestAccount, TestAccount, TestAccount]
    team = await createConversation(ann, [bob, cid], 'Team')
    other = await createConversation(outsider, [ann], 'Elsewhere')
    ;[annWs, bobWs, cidWs] = await Promise.all([ann.connect(), bob.connect(), cid.connect()])
  })
  afterAll(async () => {
    await Promise.all([annWs.close(), bobWs.close(), cidWs.close()])
    await server.stop()
  })

  async function replyInThread(
    sender: TestAccount,
    root: Message,
    text: string,
    alsoToChannel?: boolean,
  ): Promise<Message> {
    const response = await sender.rest.post<Message>(messagesPath(root.conversation_id), {
      text,
      client_id: nextClientId('t'),
      thread_root_id: root.id,
      ...(alsoToChannel === undefined ? {} : { also_to_channel: alsoToChannel }),
    })
    expect(response.status).toBe(201)
    return response.data
  }

  async function channel(account: TestAccount, conversationId: number): Promise<Message[]> {
    return (await account.rest.get<MessagePage>(`${messagesPath(conversationId)}?limit=200`)).data
      .messages
  }

  it('keeps a thread reply out of the channel, and tells the members of the root’s new summary', async () => {
    const root = await sendMessage(ann, team.id, 'Release plan?')
    const marks = [annWs.mark(), bobWs.mark(), cidWs.mark()] as const
    const reply = await replyInThread(bob, root, 'Friday')
    expect(reply.thread_root_id).toBe(root.id)
    expect(reply).not.toHaveProperty('in_channel')

    const sent = await bobWs.waitForEvent('message_sent', {
      after: marks[1],
      where: (e) => e.data.message.id === reply.id,
    })
    // The starter and the replier follow the thread from its first reply.
    expect(sent.data.thread_follower_ids).toEqual([ann.user.id, bob.user.id].sort((a, b) => a - b))
    const received = await cidWs.waitForEvent('message_received', {
      after: marks[2],
      where: (e) => e.data.message.id === reply.id,
    })
    expect(received.data.message).toEqual(reply)
    const rootUpdate = await annWs.waitForEvent('message_updated', {
      after: marks[0],
      where: (e) => e.data.message?.id === root.id,
    })
    expect(rootUpdate.data.message?.thread).toEqual({
      reply_count: 1,
      last_reply_id: reply.id,
      last_reply_at: reply.created_at,
      replier_ids: [bob.user.id],
    })

    // The channel shows the root with its summary, not the reply; the list's last message and the
    // unread count are the channel's.
    const shown = await channel(cid, team.id)
    expect(shown.map((m) => m.id)).not.toContain(reply.id)
    expect(shown.find((m) => m.id === root.id)?.thread?.reply_count).toBe(1)
    const conversation = (await cid.rest.get<Conversation>(`/conversations/${team.id}`)).data
    expect(conversation.last_message?.id).toBe(root.id)
    expect(conversation.unread_count).toBe(1)

    const thread = (await cid.rest.get<ThreadPage>(threadPath(team.id, root.id))).data
    expect(thread.root.id).toBe(root.id)
    expect(thread.replies).toEqual([reply])
    expect(thread).toMatchObject({ following: false, last_read_id: 0, next_before: null })
  })

  it('shows a reply also sent to the channel in both, and names the repliers most recent first', async () => {
    const root = await sendMessage(ann, team.id, 'Lunch?')
    const first = await replyInThread(bob, root, 'Yes')
    const second = await replyInThread(cid, root, 'Me too', true)
    expect(second.in_channel).toBe(true)
    const third = await replyInThread(bob, root, 'Noon')

    const shown = await channel(ann, team.id)
    expect(shown.map((m) => m.id)).toContain(second.id)
    expect(shown.map((m) => m.id)).not.toContain(first.id)
    expect(shown.find((m) => m.id === root.id)?.thread).toEqual({
      reply_count: 3,
      last_reply_id: third.id,
      last_reply_at: third.created_at,
      replier_ids: [bob.user.id, cid.user.id],
    })
    const conversation = (await ann.rest.get<Conversation>(`/conversations/${team.id}`)).data
    expect(conversation.last_message?.id).toBe(second.id)
    const thread = (await ann.rest.get<ThreadPage>(threadPath(team.id, root.id))).data
    expect(thread.replies.map((m) => m.id)).toEqual([first.id, second.id, third.id])
    expect(thread.following).toBe(true)

    // Pages walk back like history.
    const page = (await ann.rest.get<ThreadPage>(`${threadPath(team.id, root.id)}?limit=2`)).data
    expect(page.replies.map((m) => m.id)).toEqual([second.id, third.id])
    expect(page.next_before).toBe(second.id)
  })

  it('lists followed threads with unread replies, moves the read marker, and unfollows', async () => {
    const root = await sendMessage(bob, team.id, 'Who reviews #42?')
    await replyInThread(cid, root, 'I can')
    const later = await replyInThread(bob, root, 'Thanks')

    const listed = async (account: TestAccount) =>
      (await account.rest.get<FollowedThreadList>('/threads')).data.threads.find(
        (t) => t.root.id === root.id,
      )
    // cid replied, then bob wrote one more: one unread for cid; bob's own replies are never unread.
    expect(await listed(cid)).toMatchObject({
      conversation_id: team.id,
      conversation_title: 'Team',
      unread_count: 1,
    })
    expect((await listed(bob))?.unread_count).toBe(0)
    // ann neither started it nor replied.
    expect(await listed(ann)).toBeUndefined()

    const cidOther = await cid.connect()
    try {
      const marks = [cidWs.mark(), bobWs.mark()] as const
      const read = await cid.rest.post<{ moved: boolean }>(`${threadPath(team.id, root.id)}/read`, {
        up_to_message_id: later.id,
      })
      expect(read.data.moved).toBe(true)
      const follow = await cidWs.waitForEvent('message_updated', {
        after: marks[0],
        where: (e) => e.data.thread_follow?.root_id === root.id,
      })
      const expected: ThreadFollow = { root_id: root.id, following: true, last_read_id: later.id }
      expect(follow.data).toEqual({ conversation_id: team.id, thread_follow: expected })
      await cidOther.waitForEvent('message_updated', {
        where: (e) => e.data.thread_follow?.root_id === root.id,
      })
      // Only the reader's devices hear of it.
      expect(
        eventsIn(await bobWs.sync(marks[1])).filter(
          (e) => e.type === 'message_updated' && 'thread_follow' in e.data,
        ),
      ).toEqual([])
    } finally {
      await cidOther.close()
    }
    expect((await listed(cid))?.unread_count).toBe(0)
    // Moving back changes nothing.
    const back = await cid.rest.post<{ moved: boolean }>(`${threadPath(team.id, root.id)}/read`, {
      up_to_message_id: root.id,
    })
    expect(back.data.moved).toBe(false)

    const off = await cid.rest.put<ThreadFollow>(`${threadPath(team.id, root.id)}/follow`, {
      following: false,
    })
    expect(off.data).toEqual({ root_id: root.id, following: false, last_read_id: later.id })
    expect(await listed(cid)).toBeUndefined()
    const mark = bobWs.mark()
    const next = await replyInThread(bob, root, 'Still there?')
    const sent = await bobWs.waitForEvent('message_sent', {
      after: mark,
      where: (e) => e.data.message.id === next.id,
    })
    expect(sent.data.thread_follower_ids).toEqual([bob.user.id])
    // Replying again follows it again.
    await replyInThread(cid, root, 'Yes')
    expect((await listed(cid))?.unread_count).toBe(0)
    // A member may follow a thread without replying.
    const on = await ann.rest.put<ThreadFollow>(`${threadPath(team.id, root.id)}/follow`, {
      following: true,
    })
    expect(on.data.following).toBe(true)
    expect((await listed(ann))?.unread_count).toBe(4)
  })

  it('refuses a root that is unknown, elsewhere, deleted or a reply alike (400), and needs a root for also_to_channel', async () => {
    const root = await sendMessage(ann, team.id, 'Root')
    const reply = await replyInThread(bob, root, 'A reply')
    const deleted = await sendMessage(ann, team.id, 'Going')
    await ann.rest.delete(`/messages/${deleted.id}`)
    const elsewhere = await sendMessage(outsider, other.id, 'Not yours')
    const marks = [annWs.mark(), bobWs.mark()] as const
    for (const rootId of [987_654, elsewhere.id, deleted.id, reply.id]) {
      const refused = await ann.rest.post(messagesPath(team.id), {
        text: 'x',
        client_id: nextClientId(),
        thread_root_id: rootId,
      })
      expect(refused.status).toBe(400)
      expect(refused.error.message).toBe(NOT_A_THREAD_ROOT)
    }
    const alone = await ann.rest.post(messagesPath(team.id), {
      text: 'x',
      client_id: nextClientId(),
      also_to_channel: true,
    })
    expect(alone.status).toBe(400)
    expect(eventsIn(await annWs.sync(marks[0]))).toEqual([])
    expect(eventsIn(await bobWs.sync(marks[1]))).toEqual([])
  })

  it('keeps threads to members: 403 for a non-member, 404 for a root of another conversation', async () => {
    const root = await sendMessage(ann, team.id, 'Members only')
    await replyInThread(bob, root, 'Indeed')
    expect((await outsider.rest.get(threadPath(team.id, root.id))).status).toBe(403)
    expect(
      (await outsider.rest.put(`${threadPath(team.id, root.id)}/follow`, { following: true }))
        .status,
    ).toBe(403)
    expect(
      (await outsider.rest.post(`${threadPath(team.id, root.id)}/read`, { up_to_message_id: 1 }))
        .status,
    ).toBe(403)
    // The root is not in `other`, of which ann is a member.
    expect((await ann.rest.get(threadPath(other.id, root.id))).status).toBe(404)
    expect((await ann.rest.get(threadPath(team.id, 987_654))).status).toBe(404)
    const follows = await outsider.rest.get<FollowedThreadList>('/threads')
    expect(follows.data.threads.map((t) => t.root.id)).not.toContain(root.id)
    // Bad input is 400 with the error envelope.
    expect((await ann.rest.put(`${threadPath(team.id, root.id)}/follow`, { on: 1 })).status).toBe(
      400,
    )
  })

  it('sends a thread reply over the socket, answers a retry with the stored reply, and replays both events', async () => {
    const root = await sendMessage(cid, team.id, 'Socket root')
    const clientId = nextClientId('ws')
    const mark = annWs.mark()
    const frame = {
      type: 'send_message',
      conversation_id: team.id,
      text: 'Over the socket',
      client_id: clientId,
      thread_root_id: root.id,
      also_to_channel: true,
    }
    annWs.send(frame)
    const ack = await annWs.waitFor(
      (f): f is MessageAckFrame => f.type === 'message_ack' && f.client_id === clientId,
      { after: mark },
    )
    expect(ack.message).toMatchObject({ thread_root_id: root.id, in_channel: true })
    const retry = await ann.rest.post<Message>(messagesPath(team.id), {
      text: 'Over the socket',
      client_id: clientId,
      thread_root_id: root.id,
    })
    expect(retry.status).toBe(200)
    expect(retry.data).toEqual(ack.message)

    const live = await bobWs.waitForEvent('message_received', {
      where: (e) => e.data.message.id === ack.message.id,
    })
    const replay = await bob.connect({ since: live.id! - 1 })
    try {
      const replayed = await replay.waitForEvent('message_received', {
        where: (e) => e.data.message.id === ack.message.id,
      })
      expect(replayed.data).toEqual(live.data)
      const rootUpdate = await replay.waitForEvent('message_updated', {
        where: (e) => e.data.message?.id === root.id,
      })
      expect(rootUpdate.data.message?.thread?.reply_count).toBe(1)
    } finally {
      await replay.close()
    }
  })

  it('takes a deleted reply off its root’s summary', async () => {
    const root = await sendMessage(ann, team.id, 'Short-lived thread')
    const reply = await replyInThread(bob, root, 'Oops')
    const mark = annWs.mark()
    await bob.rest.delete(`/messages/${reply.id}`)
    await annWs.waitForEvent('message_deleted', {
      after: mark,
      where: (e) => e.data.message_id === reply.id,
    })
    const update = await annWs.waitForEvent('message_updated', {
      after: mark,
      where: (e) => e.data.message?.id === root.id,
    })
    expect(update.data.message).not.toHaveProperty('thread')
    const thread = (await ann.rest.get<ThreadPage>(threadPath(team.id, root.id))).data
    expect(thread.replies.map((m) => m.deleted_at !== null)).toEqual([true])
  })
})

describe.skipIf(onPostgres)('threads on a database from before them (migration 14)', () => {
  let before: TestServer
  let after: TestServer | undefined

  afterAll(async () => {
    await after?.stop()
    await before.stop()
  })

  it('adds the columns and the table: older messages are channel messages that can start threads', async () => {
    before = await startHarness()
    const { admin, members } = await registerTeam(before.url, ['alice'])
    const alice = members[0]!
    const direct = await createConversation(admin, [alice])
    const old = await sendMessage(alice, direct.id, 'Written before threads existed')
    await before.close()

    // The file as a server of schema version 10 left it.
    rewindSqliteSchema(join(before.dataDir, 'tidings.db'), 10)

    after = await startHarness({ dataDir: before.dataDir })
    const upgraded = new Database(join(after.dataDir, 'tidings.db'), { readonly: true })
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    upgraded.close()
    const adminNow = accountFrom(after.url, { token: admin.token, user: admin.user })
    const page = await adminNow.rest.get<MessagePage>(messagesPath(direct.id))
    expect(page.data.messages).toEqual([old])
    const reply = await adminNow.rest.post<Message>(messagesPath(direct.id), {
      text: 'Threaded after the upgrade',
      client_id: nextClientId(),
      thread_root_id: old.id,
    })
    expect(reply.status).toBe(201)
    const listed = await adminNow.rest.get<FollowedThreadList>('/threads')
    expect(listed.data.threads.map((t) => t.root.id)).toEqual([old.id])
  })
})
