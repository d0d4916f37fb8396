import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RestClient } from '../../../src/main/core/restClient'
import type { AnyTidingsEvent } from '../../../src/shared/events'
import type { Conversation, Message } from '../../../src/shared/models'
import {
  CoreFixture,
  FAST_TUNING,
  freshName,
  registerPeer,
  removeDir,
  serverPerFile,
  signInElsewhere,
  tempDir,
  type Peer,
} from './support/coreFixture'

/**
 * Re-fetching a conversation's unread count when only the server can count a change (a deleted
 * message or a partial read inside the loaded count), after a resume that replays many such
 * changes for one conversation at once. The core's own fetch is wrapped to count its requests.
 */
describe('app core: unread recounts after a replay (real server)', () => {
  const REPLAYED = 20
  const server = serverPerFile()
  let userDataDir: string
  let app: CoreFixture
  let jane: Peer
  let direct: Conversation
  let aliceRest: RestClient
  let messages: Message[]
  /** The conversation whose recounts are counted, once the app goes away. */
  let watched: number | null
  /** The core's GET /conversations/:id requests for the watched conversation. */
  let recounts: number
  /** Resolves once the core has applied the whole replay; the first recount waits for it. */
  let replayApplied: Promise<void> | null

  beforeEach(async () => {
    userDataDir = tempDir('tidings-user-')
    watched = null
    recounts = 0
    replayApplied = null
    const fetchImpl: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input.toString())
      if ((init?.method ?? 'GET') === 'GET' && url.pathname === `/conversations/${watched}`) {
        recounts++
        // The first request waits until the whole replay is applied, so the test does not depend
        // on how the replay is split across socket reads or how fast the server answers.
        if (recounts === 1 && replayApplied) await replayApplied
      }
      return fetch(input, init)
    }
    app = new CoreFixture(userDataDir, server.url, { ...FAST_TUNING, fetchImpl })
    await app.core.start()
    const alice = freshName('alice')
    const session = await app.core.handle('session/register', {
      username: alice,
      password: 'correct horse battery',
    })
    await app.waitForStatus('connected')
    jane = await registerPeer(server.url, freshName('jane'))
    direct = await jane.rest.createConversation({ member_ids: [session.user!.id] })
    aliceRest = await signInElsewhere(server.url, alice)
    messages = []
    for (let i = 0; i < REPLAYED + 5; i++) {
      messages.push(await jane.rest.sendMessage(direct.id, { text: `m${i}`, client_id: `m${i}` }))
    }
    await app.outputs.waitFor(() => app.received().length === REPLAYED + 5, 'every message arrived')
    // The window loads the list: every message now lies inside the loaded count.
    await app.core.handle('conversations/list', undefined)
    expect(app.outputs.unreadCounts.at(-1)).toBe(REPLAYED + 5)
  })

  afterEach(async () => {
    await app.core.stop()
    removeDir(userDataDir)
  })

  /**
   * Takes the app offline, runs `whileAway`, comes back and waits for the replayed events. Returns
   * how many unread counts were published before the resume.
   */
  async function away(
    whileAway: () => Promise<void>,
    replayed: (event: AnyTidingsEvent) => boolean,
  ): Promise<number> {
    const mark = app.pushCount
    watched = direct.id
    app.core.setNetworkOnline(false)
    await app.waitForStatus('offline', mark)
    const before = app.events().length
    await whileAway()
    const published = app.outputs.unreadCounts.length
    replayApplied = app.outputs.waitFor(
      () => app.events().slice(before).filter(replayed).length === REPLAYED,
      'the whole replay',
    )
    app.core.setNetworkOnline(true)
    await replayApplied
    return published
  }

  /** The badge ends at the server's count, after at most one request more than the first. */
  async function expectRecountedOnceMore(published: number): Promise<void> {
    const expected = (await aliceRest.conversation(direct.id)).unread_count
    expect(expected).toBe(5)
    await app.outputs.waitFor(
      () => app.outputs.unreadCounts.at(-1) === expected,
      `badge ${expected}`,
    )
    // Straight from the loaded count to the server's, nothing in between.
    expect(app.outputs.unreadCounts.slice(published)).toEqual([expected])
    expect(recounts).toBeGreaterThanOrEqual(1)
    expect(recounts).toBeLessThanOrEqual(2)
  }

  it('asks once more, not once per event, for deletions replayed on resume', async () => {
    const published = await away(
      async () => {
        for (const message of messages.slice(0, REPLAYED)) await jane.rest.deleteMessage(message.id)
      },
      (event) => event.type === 'message_deleted',
    )
    await expectRecountedOnceMore(published)
  })

  it('asks once more, not once per event, for partial reads replayed on resume', async () => {
    const published = await away(
      async () => {
        // Alice's other device reads one message at a time: each read ends inside the count.
        for (const message of messages.slice(0, REPLAYED)) {
          await aliceRest.sendReceipt(direct.id, { kind: 'read', up_to_message_id: message.id })
        }
      },
      (event) => event.type === 'message_updated' && event.data.receipt?.kind === 'read',
    )
    await expectRecountedOnceMore(published)
  })
})
