import { afterEach, describe, expect, it } from 'vitest'
import { createConversation, registerMember, registerTeam, sendMessage } from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { trackedSockets } from '../support/trackedSockets'

/**
 * The position a client is handed must be one the server accepts: a user whose stream is empty,
 * or whose every event was pruned, used to be greeted with latest_event_id 0, which the desktop
 * app saved, and was then told to resync ("retention") on every reconnect, forever.
 */
const servers: TestServer[] = []
const sockets = trackedSockets()
afterEach(async () => {
  await sockets.closeAll()
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

describe('the stream position handed out', () => {
  it('is one the server accepts, when every event of the stream was pruned', async () => {
    const server = await startHarness()
    servers.push(server)
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const alice = members[0]!
    const conversation = await createConversation(admin, [alice], 'Soon pruned')
    for (let i = 0; i < 3; i += 1) await sendMessage(admin, conversation.id, `old ${i}`)
    // Bob is in no conversation: his stream is empty.
    const bob = await registerMember(admin, 'bob')
    // Every event is pruned at this start (older than 1 ms).
    await server.restart({ retentionMs: 1 })

    for (const account of [alice, bob]) {
      // A first connection (no position yet): the position it is handed...
      const first = await sockets.connect(account)
      const position = first.greeting.latest_event_id
      expect(position, account.user.username).toBeGreaterThan(0)
      await first.close()
      // ... is resumed from without a resync, as often as the client reconnects.
      for (let reconnect = 0; reconnect < 3; reconnect += 1) {
        const again = await sockets.connect(account, position)
        const done = await again.waitFor(
          (frame) => frame.type === 'replay_complete' || frame.type === 'resync_required',
        )
        expect(done.type, account.user.username).toBe('replay_complete')
        await again.close()
      }
    }
  })

  it('is one the server accepts after a resync for retention', async () => {
    const server = await startHarness()
    servers.push(server)
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const alice = members[0]!
    await createConversation(admin, [alice], 'Soon pruned')
    await server.restart({ retentionMs: 1 })
    // A client that saved 0 (or any position before the pruning) is told to resync, once.
    const stale = await sockets.connect(alice, 0)
    const resync = await stale.waitForFrame('resync_required')
    expect(resync.reason).toBe('retention')
    expect(resync.latest_id).toBe(stale.greeting.latest_event_id)
    await stale.close()
    const resumed = await sockets.connect(alice, resync.latest_id)
    const done = await resumed.waitFor(
      (frame) => frame.type === 'replay_complete' || frame.type === 'resync_required',
    )
    expect(done.type).toBe('replay_complete')
  })
})
