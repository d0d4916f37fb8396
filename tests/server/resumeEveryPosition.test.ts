import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnyTidingsEvent } from '../../src/shared/events'
import {
  createConversation,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { trackedSockets } from '../support/trackedSockets'
import { eventsIn, type WsTestClient } from '../support/wsTestClient'

/**
 * Property: for every user and EVERY resume position p taken from what that user's always-open
 * socket saw (plus the greeting position), a socket resuming from p replays exactly the live
 * events with id > p, in order, once.
 */
describe('resume from every position equals the live stream', () => {
  let server: TestServer
  const sockets = trackedSockets()
  let everyone: TestAccount[]
  let admin: TestAccount,
    alice: TestAccount,
    bob: TestAccount,
    carol: TestAccount,
    dave: TestAccount

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol', 'dave'])
    admin = team.admin
    ;[alice, bob, carol, dave] = team.members as TestAccount[] as [
      TestAccount,
      TestAccount,
      TestAccount,
      TestAccount,
    ]
    everyone = [admin, alice, bob, carol, dave]
  })
  afterAll(async () => {
    await sockets.closeAll()
    await server.stop()
  })

  it('holds through joins, leaves, re-joins, presence, renames, edits and broadcasts', async () => {
    const witnesses = new Map<TestAccount, WsTestClient>()
    for (const a of everyone) witnesses.set(a, await sockets.connect(a))
    const start = new Map(everyone.map((a) => [a, witnesses.get(a)!.greeting.latest_event_id]))

    const g = await createConversation(alice, [bob, carol], 'G')
    await sendMessage(alice, g.id, 'g1')
    // carol leaves herself, dave is added, carol is re-added
    await carol.rest.delete(`/conversations/${g.id}/members/${carol.user.id}`)
    await sendMessage(bob, g.id, 'g2 (carol gone)')
    await carol.rest.patch('/users/me', { display_name: 'Carol 2' })
    await alice.rest.post(`/conversations/${g.id}/members`, { user_ids: [dave.user.id] })
    const eve = await dave.connect() // second device of dave: no presence change
    await eve.close()
    await alice.rest.post(`/conversations/${g.id}/members`, { user_ids: [carol.user.id] })
    const m = await sendMessage(carol, g.id, 'g3 (carol back)')
    // Not his message: refused, and no event.
    expect((await bob.rest.patch(`/messages/${m.id}`, { text: 'nope' })).status).toBe(403)
    await carol.rest.patch(`/messages/${m.id}`, { text: 'g3 edited' })
    await dave.rest.post(`/conversations/${g.id}/receipts`, {
      kind: 'read',
      up_to_message_id: m.id,
    })
    // presence: bob goes offline and comes back
    const aliceMark = witnesses.get(alice)!.mark()
    await witnesses.get(bob)!.close()
    await witnesses.get(alice)!.waitForEvent('user_offline', {
      after: aliceMark,
      where: (e) => e.data.user.id === bob.user.id,
    })
    const bobAgain = await sockets.connect(bob)
    await bobAgain.sync()
    // a direct conversation and a removal by the creator
    const d = await createConversation(dave, [admin])
    await sendMessage(admin, d.id, 'd1')
    await alice.rest.delete(`/conversations/${g.id}/members/${bob.user.id}`)
    await bob.rest.patch('/users/me', { display_name: 'Bob 2' })
    await admin.rest.post('/admin/notifications', { title: 'Hi', body: 'all' })
    await admin.rest.put('/branding', { timezone: 'Europe/Berlin' })
    await sendMessage(alice, g.id, 'g4 in Berlin')
    expect((await alice.rest.delete(`/messages/${m.id}`)).status).toBe(403)
    await carol.rest.delete(`/messages/${m.id}`)

    const problems: string[] = []
    for (const account of everyone) {
      if (account === bob) continue // bob's witness was closed on purpose
      const live = eventsIn(await witnesses.get(account)!.sync(0)).filter((e) => e.id !== null)
      const positions = [start.get(account)!, ...live.map((e) => e.id!)]
      for (const p of positions) {
        const resumed = await sockets.connect(account, p)
        const complete = await resumed.waitForFrame('replay_complete')
        const replayed: AnyTidingsEvent[] = eventsIn(
          resumed.frames.slice(0, resumed.frames.indexOf(complete)),
        )
        const expected = live.filter((e) => e.id! > p)
        const got = JSON.stringify(replayed.map((e) => [e.id, e.type]))
        const want = JSON.stringify(expected.map((e) => [e.id, e.type]))
        if (got !== want)
          problems.push(`${account.user.username} since ${p}: got ${got} want ${want}`)
        else expect(replayed).toEqual(expected)
        await resumed.close()
      }
    }
    expect(problems).toEqual([])
    // bob: resume from his first greeting must equal what his first socket saw + what he missed
    // while offline must not include anything from g after his removal.
    const bobResume = await sockets.connect(bob, start.get(bob)!)
    const complete = await bobResume.waitForFrame('replay_complete')
    const bobEvents = eventsIn(bobResume.frames.slice(0, bobResume.frames.indexOf(complete)))
    const removedAt = bobEvents.findIndex(
      (e) =>
        e.type === 'conversation_updated' && (e.data as { removed?: boolean }).removed === true,
    )
    expect(removedAt).toBeGreaterThan(0)
    const afterRemoval = bobEvents.slice(removedAt + 1)
    expect(
      afterRemoval.filter((e) => (e.data as { conversation_id?: number }).conversation_id === g.id),
    ).toEqual([])
  })
})
