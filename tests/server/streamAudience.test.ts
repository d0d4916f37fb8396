import { afterEach, describe, expect, it } from 'vitest'
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
 * Conversation and peer events are stored once and their audience is derived at replay from the
 * membership history. These tests hold replay to what live delivery did: a device that stayed
 * connected (the witness) and a device that resumes afterwards from the same position must end up
 * with exactly the same events, for every user, while members join, leave and re-join.
 */

const sockets = trackedSockets()
const connect = sockets.connect
let server: TestServer | undefined

afterEach(async () => {
  await sockets.closeAll()
  await server?.stop()
  server = undefined
})

async function replayOf(account: TestAccount, since: number): Promise<AnyTidingsEvent[]> {
  const resumed = await connect(account, since)
  const complete = await resumed.waitForFrame('replay_complete')
  return eventsIn(resumed.frames.slice(0, resumed.frames.indexOf(complete)))
}

const rename = (account: TestAccount, name: string) =>
  account.rest.patch('/users/me', { display_name: name })

describe('stream audiences', () => {
  it('replays to every user exactly what they received live while memberships changed', async () => {
    server = await startHarness()
    const { admin, members } = await registerTeam(server.url, ['alice', 'bob', 'carol', 'dave'])
    const [alice, bob, carol, dave] = members as [
      TestAccount,
      TestAccount,
      TestAccount,
      TestAccount,
    ]
    const everyone = [admin, alice, bob, carol, dave]
    const witnesses = new Map<TestAccount, WsTestClient>()
    for (const account of everyone) witnesses.set(account, await connect(account))
    const since = new Map(everyone.map((a) => [a, witnesses.get(a)!.greeting.latest_event_id]))

    const team = await createConversation(admin, [alice, bob], 'Team')
    const m1 = await sendMessage(admin, team.id, 'before carol')
    await rename(bob, 'Bob (peers: admin, alice)')
    await admin.rest.post(`/conversations/${team.id}/members`, { user_ids: [carol.user.id] })
    const m2 = await sendMessage(alice, team.id, 'carol is here')
    await rename(carol, 'Carol (peers: admin, alice, bob)')
    await admin.rest.delete(`/conversations/${team.id}/members/${carol.user.id}`)
    await sendMessage(bob, team.id, 'carol left')
    await rename(bob, 'Bob (carol no longer a peer)')
    const pair = await createConversation(carol, [bob])
    await rename(bob, 'Bob (carol a peer again, by the direct conversation)')
    await alice.rest.patch(`/messages/${m2.id}`, { text: 'carol is here (edited)' })
    await admin.rest.delete(`/messages/${m1.id}`)
    await bob.rest.post(`/conversations/${team.id}/receipts`, {
      kind: 'read',
      up_to_message_id: m2.id,
    })
    await sendMessage(carol, pair.id, 'just us')
    await admin.rest.post(`/conversations/${team.id}/members`, { user_ids: [carol.user.id] })
    await sendMessage(admin, team.id, 'carol is back')
    await rename(dave, 'Dave (no peers: nobody is told)')

    for (const account of everyone) {
      const witness = witnesses.get(account)!
      const live = eventsIn(await witness.sync(0))
      const replayed = await replayOf(account, since.get(account)!)
      expect(replayed, account.user.username).toEqual(live)
      const ids = replayed.map((e) => e.id!)
      expect(ids, account.user.username).toEqual([...ids].sort((a, b) => a - b))
      expect(new Set(ids).size).toBe(ids.length)
      const latest = (await connect(account)).greeting.latest_event_id
      expect(latest, account.user.username).toBe(ids.at(-1) ?? since.get(account))
    }

    // Spot checks that the reference itself is right (so the equality above means something).
    const carolLive = witnesses.get(carol)!.events()
    const carolTexts = carolLive.flatMap((e) =>
      e.type === 'message_received' ? [e.data.message.text] : [],
    )
    expect(carolTexts).toEqual(['carol is here', 'carol is back'])
    const bobNames = (account: TestAccount) =>
      witnesses
        .get(account)!
        .events()
        .flatMap((e) =>
          e.type === 'contact_updated' &&
          e.data.kind === 'profile' &&
          e.data.user?.id === bob.user.id
            ? [e.data.user.display_name]
            : [],
        )
    expect(bobNames(carol)).toEqual(['Bob (carol a peer again, by the direct conversation)'])
    expect(bobNames(alice)).toHaveLength(3)
    expect(bobNames(dave)).toEqual([])
    expect(witnesses.get(dave)!.events()).toEqual([])
    expect(
      witnesses
        .get(carol)!
        .events()
        .some((e) => e.type === 'message_deleted' || e.type === 'message_updated'),
    ).toBe(false)
  })
})
