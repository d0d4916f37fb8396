import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import type { AnyTidingsEvent } from '../../src/shared/events'
import type { AuthResult, Conversation, Message } from '../../src/shared/models'
import {
  accountFrom,
  nextClientId,
  registerAdmin,
  registerMember,
  type TestAccount,
} from '../support/accounts'
import {
  CLUSTER_TEST_ENV,
  startNode,
  startTestPostgres,
  type ClusterNode,
  type TestPostgres,
} from '../support/clusterHarness'
import { RestClient } from '../support/restClient'
import { onPostgres } from '../support/testDatabase'
import { waitUntil } from '../support/waitUntil'
import { WsTestClient, eventsIn } from '../support/wsTestClient'

/**
 * Several server nodes on one PostgreSQL, each a process of its own (so that SIGKILL is real),
 * as a team that outgrew one machine runs them behind a load balancer. Whatever node a client is
 * connected to, it sees what every node stored, in one order, and resumes on any node with
 * nothing lost and nothing twice; presence, typing, revocations and settings hold cluster-wide.
 * Runs in the PostgreSQL pass of the suites (TIDINGS_TEST_DATABASE=postgres), on a PostgreSQL of
 * its own, which one test restarts.
 */
const GRACE_MS = Number(CLUSTER_TEST_ENV.TIDINGS_PRESENCE_GRACE_MS)
const LEASE_MS = Number(CLUSTER_TEST_ENV.TIDINGS_CLUSTER_LEASE_MS)

describe.skipIf(!onPostgres)('a cluster of server nodes', () => {
  let postgres: TestPostgres
  const nodes: ClusterNode[] = []
  const sockets: WsTestClient[] = []
  let a: ClusterNode
  let b: ClusterNode
  let c: ClusterNode
  let admin: TestAccount

  const startOne = async () => {
    const node = await startNode(postgres.url)
    nodes.push(node)
    return node
  }
  /** The same account, talking to another node. */
  const on = (node: ClusterNode, account: TestAccount) =>
    accountFrom(node.url, { token: account.token, user: account.user } as AuthResult)
  const connect = async (node: ClusterNode, account: TestAccount, since?: number) => {
    const socket = await WsTestClient.connect(
      node.url,
      account.token,
      since === undefined ? {} : { since },
    )
    sockets.push(socket)
    return socket
  }
  const member = (name: string) => registerMember(admin, name)

  beforeAll(async () => {
    postgres = await startTestPostgres()
    // The first node migrates the database; the others start together after it.
    a = await startOne()
    ;[b, c] = await Promise.all([startOne(), startOne()])
    admin = await registerAdmin(a.url)
  }, 120_000)

  afterAll(async () => {
    await Promise.allSettled(sockets.map((socket) => socket.close()))
    await Promise.allSettled(nodes.map((node) => node.kill()))
    await postgres?.stop()
  })

  it('delivers what one node stored to clients of every other node', async () => {
    const [alice, bob] = await Promise.all([member('alice1'), member('bob1')])
    const direct = (
      await alice.rest.post<Conversation>('/conversations', { member_ids: [bob.user.id] })
    ).data
    const aliceOnA = await connect(a, alice)
    const bobOnC = await connect(c, bob)
    const sent = await on(b, bob).rest.post<Message>(`/conversations/${direct.id}/messages`, {
      text: 'stored by node B',
      client_id: nextClientId(),
    })
    expect(sent.status).toBe(201)
    const received = await aliceOnA.waitForEvent('message_received', {
      where: (e) => e.data.message.id === sent.data.id,
    })
    expect(received.data.message.text).toBe('stored by node B')
    const own = await bobOnC.waitForEvent('message_sent', {
      where: (e) => e.data.message.id === sent.data.id,
    })
    expect(own.data.message).toEqual(received.data.message)
    // Any node answers a resume from that position, and history, alike.
    const resumed = await connect(c, alice, received.id! - 1)
    await resumed.waitForFrame('replay_complete')
    expect(resumed.events().map((e) => e.id)).toContain(received.id)
  })

  it('creates one direct conversation when two nodes are asked for it at once', async () => {
    const [carol, dave] = await Promise.all([member('carol1'), member('dave1')])
    const [one, two] = await Promise.all([
      on(a, carol).rest.post<Conversation>('/conversations', { member_ids: [dave.user.id] }),
      on(c, dave).rest.post<Conversation>('/conversations', { member_ids: [carol.user.id] }),
    ])
    expect(one.data.id).toBe(two.data.id)
    expect([one.status, two.status].sort()).toEqual([200, 201])
    const list = await on(b, carol).rest.get<Conversation[]>('/conversations')
    expect(list.data.filter((conv) => conv.kind === 'direct')).toHaveLength(1)
  })

  it('passes typing indicators between nodes', async () => {
    const [erin, frank] = await Promise.all([member('erin1'), member('frank1')])
    const direct = (
      await erin.rest.post<Conversation>('/conversations', { member_ids: [frank.user.id] })
    ).data
    const erinOnA = await connect(a, erin)
    const frankOnB = await connect(b, frank)
    const mark = frankOnB.mark()
    erinOnA.send({ type: 'typing', conversation_id: direct.id, is_typing: true })
    const typing = await frankOnB.waitForEvent('typing_indicator', { after: mark })
    expect(typing.data).toMatchObject({
      conversation_id: direct.id,
      user_id: erin.user.id,
      is_typing: true,
    })
    expect(typing.id).toBeNull()
  })

  it('closes a signed-out token’s sockets on every node within a second', async () => {
    const gina = await member('gina1')
    const onEach = await Promise.all([connect(a, gina), connect(b, gina), connect(c, gina)])
    const signedOut = Date.now()
    expect((await on(a, gina).rest.post('/auth/logout', {})).status).toBe(200)
    const closes = await Promise.all(onEach.map((socket) => socket.closed))
    const elapsed = Date.now() - signedOut
    for (const close of closes) expect(close.code).toBe(CloseCode.Unauthorized)
    expect(elapsed).toBeLessThan(1000)
    // And the token is refused everywhere.
    for (const node of [a, b, c]) {
      expect((await on(node, gina).rest.get('/users/me')).status).toBe(401)
    }
  })

  it('follows a timezone change on every node', async () => {
    const hank = await member('hank1')
    const hankOnC = await connect(c, hank)
    const mark = hankOnC.mark()
    expect((await on(a, admin).rest.put('/branding', { timezone: 'Asia/Tokyo' })).status).toBe(200)
    const notice = await hankOnC.waitForEvent('system_notification', { after: mark })
    expect(notice.data).toMatchObject({ kind: 'timezone_changed', timezone: 'Asia/Tokyo' })
    expect(notice.timezone).toBe('Asia/Tokyo')
    await waitUntil(
      async () =>
        (await new RestClient(b.url).get<{ timezone: string }>('/branding')).data.timezone ===
        'Asia/Tokyo',
      'node B serves the new timezone',
    )
    // An event another node stores now carries it too.
    const ida = await member('ida1')
    const group = (
      await on(b, hank).rest.post<Conversation>('/conversations', {
        member_ids: [ida.user.id],
        title: 'After the change',
      })
    ).data
    const created = await hankOnC.waitForEvent('conversation_created', {
      where: (e) => e.data.conversation.id === group.id,
    })
    expect(created.timezone).toBe('Asia/Tokyo')
  })

  it('limits sign-in attempts across nodes: spreading them over nodes does not help', async () => {
    await member('jane1')
    const statuses: number[] = []
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const node = [a, b, c][attempt % 3]!
      const response = await new RestClient(node.url).post('/auth/login', {
        username: 'jane1',
        password: 'wrong password',
      })
      statuses.push(response.status)
    }
    // Ten attempts a minute per address and username (the default), counted by all three.
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true)
    expect(statuses.slice(10)).toEqual([429, 429])
  })

  it('runs each one-owner job on exactly one node, and another takes it over', async () => {
    // Which node's lease session holds the advisory lock of the 'prune' job.
    const holders = async () =>
      (
        await postgres.query<{ application_name: string }>(
          `select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
           where l.locktype = 'advisory' and l.classid = 7305
             and l.objid = (hashtext('prune')::bigint & 4294967295)::oid and l.granted`,
        )
      ).map((row) => row.application_name.replace(/:leases$/, ''))
    const nodeOf = async (name: string) => {
      for (const node of [a, b, c]) {
        const health = await new RestClient(node.url).get<{ node: string }>('/healthz')
        if (`tidings-${health.data.node.slice(0, 8)}` === name) return node
      }
      throw new Error(`no node is ${name}`)
    }
    await waitUntil(async () => (await holders()).length === 1, 'one node holds the lease')
    const [first] = await holders()
    const owner = await nodeOf(first!)
    // Its process dies: the database ends its session, and another node takes the job.
    await owner.kill()
    await waitUntil(
      async () => {
        const now = await holders()
        return now.length === 1 && now[0] !== first
      },
      'another node holds the lease',
      { timeoutMs: 15_000 },
    )
    // The cluster goes on with a node in its place.
    const replacement = await startOne()
    if (owner === a) {
      a = replacement
      admin = on(a, admin)
    } else if (owner === b) b = replacement
    else c = replacement
  })

  it('keeps presence across nodes: no flap for those who come back elsewhere, one offline for the rest', async () => {
    const [liam, mia, noah] = await Promise.all([member('liam1'), member('mia1'), member('noah1')])
    await noah.rest.post('/conversations', {
      member_ids: [liam.user.id, mia.user.id],
      title: 'Presence',
    })
    const watcher = await connect(a, noah)
    const doomed = await startOne()
    const liamThere = await connect(doomed, liam)
    await connect(doomed, mia)
    for (const user of [liam, mia]) {
      await watcher.waitForEvent('user_online', { where: (e) => e.data.user.id === user.user.id })
    }
    const mark = watcher.mark()
    const since = liamThere.greeting.latest_event_id
    await doomed.kill()
    // Liam's client reconnects to another node at once; Mia's does not come back.
    await connect(c, liam, since)
    const offline = await watcher.waitForEvent('user_offline', {
      after: mark,
      where: (e) => e.data.user.id === mia.user.id,
      // The dead node's lease runs out, then the grace period, then the janitor's round.
      timeoutMs: LEASE_MS + GRACE_MS + 5_000,
    })
    expect(offline.data.user.online).toBe(false)
    const sinceMark = eventsIn(await watcher.sync(mark)).filter(
      (e) => e.type === 'user_online' || e.type === 'user_offline',
    )
    expect(sinceMark.map((e) => [e.type, (e.data as { user: { id: number } }).user.id])).toEqual([
      ['user_offline', mia.user.id],
    ])
    const people = await on(b, noah).rest.get<{ id: number; online: boolean }[]>('/users')
    const online = new Map(people.data.map((p) => [p.id, p.online]))
    expect(online.get(liam.user.id)).toBe(true)
    expect(online.get(mia.user.id)).toBe(false)
  })

  it('delivers within the poll interval when a node loses its LISTEN connection, and reconnects it', async () => {
    const [quinn, rosa] = await Promise.all([member('quinn1'), member('rosa1')])
    const direct = (
      await quinn.rest.post<Conversation>('/conversations', { member_ids: [rosa.user.id] })
    ).data
    const rosaOnC = await connect(c, rosa)
    const listeners = async () =>
      postgres.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name like 'tidings-%:listen'`,
      )
    const killed = await listeners()
    expect(killed.length).toBeGreaterThanOrEqual(3)
    await postgres.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)',
      [killed.map((row) => row.pid)],
    )
    // Sent through A: C hears of it only by its poll (100 ms) until its listener is back.
    const started = Date.now()
    const sent = await on(a, quinn).rest.post<Message>(`/conversations/${direct.id}/messages`, {
      text: 'heard without a doorbell',
      client_id: nextClientId(),
    })
    await rosaOnC.waitForEvent('message_received', {
      where: (e) => e.data.message.id === sent.data.id,
    })
    expect(Date.now() - started).toBeLessThan(
      Number(CLUSTER_TEST_ENV.TIDINGS_CLUSTER_POLL_MS) + 900,
    )
    // Every node listens again.
    await waitUntil(async () => {
      const now = (await listeners()).map((row) => row.pid)
      return now.length >= killed.length && now.every((pid) => !killed.some((k) => k.pid === pid))
    }, 'the listeners reconnected')
  })

  it('loses no acknowledged send over a PostgreSQL restart; a retry on another node returns the original', async () => {
    const [sam, tina] = await Promise.all([member('sam1'), member('tina1')])
    const direct = (
      await sam.rest.post<Conversation>('/conversations', { member_ids: [tina.user.id] })
    ).data
    const path = `/conversations/${direct.id}/messages`
    const outcomes: { clientId: string; status: number; message?: Message }[] = []
    let duringRestart = 0
    let restarted: Promise<void> | undefined
    let back = false
    let afterBack = 0
    // Sends go on while the database stops and starts, and for a while after it is back.
    for (let i = 0; !back || afterBack < 30; i += 1) {
      if (back) afterBack += 1
      else if (restarted) duringRestart += 1
      const clientId = nextClientId(`restart-${i}`)
      const node = [a, b, c][i % 3]!
      try {
        const response = await on(node, sam).rest.post<Message>(path, {
          text: `through the restart ${i}`,
          client_id: clientId,
        })
        outcomes.push({
          clientId,
          status: response.status,
          ...(response.status < 300 ? { message: response.data } : {}),
        })
      } catch {
        outcomes.push({ clientId, status: 0 })
      }
      if (i === 30) restarted = postgres.restart().then(() => void (back = true))
    }
    await restarted
    for (const node of [a, b, c]) {
      await waitUntil(
        async () => (await fetch(`${node.url}/healthz`)).status === 200,
        'the node reaches the database again',
        { timeoutMs: 30_000 },
      )
    }
    // Under load: sends went on while the database stopped and started (those that met it away
    // were answered 500, or their connection was cut).
    expect(duringRestart).toBeGreaterThan(0)
    // Every send again, on another node: what was acknowledged is returned as it was (200), what
    // was not is stored now or was stored after all; none is stored twice.
    for (const [i, outcome] of outcomes.entries()) {
      const node = [a, b, c][(i + 1) % 3]!
      const retry = await on(node, sam).rest.post<Message>(path, {
        text: `through the restart ${i}`,
        client_id: outcome.clientId,
      })
      if (outcome.message) {
        expect(retry.status).toBe(200)
        expect(retry.data.id).toBe(outcome.message.id)
      } else {
        expect([200, 201]).toContain(retry.status)
      }
    }
    const stored: Message[] = []
    let before: number | null | undefined
    do {
      const page = await on(a, sam).rest.get<{ messages: Message[]; next_before: number | null }>(
        `${path}?limit=100${before ? `&before=${before}` : ''}`,
      )
      stored.push(...page.data.messages)
      before = page.data.next_before
    } while (before)
    expect(stored).toHaveLength(outcomes.length)
    expect(new Set(stored.map((m) => m.client_id))).toEqual(
      new Set(outcomes.map((o) => o.clientId)),
    )
  }, 120_000)

  it('loses and doubles nothing when a node is killed mid-traffic: its clients resume elsewhere', async () => {
    const team = [
      admin,
      ...(await Promise.all(['kilo1', 'kilo2', 'kilo3', 'kilo4', 'kilo5', 'kilo6'].map(member))),
    ]
    const everyone = (
      await admin.rest.post<Conversation>('/conversations', {
        member_ids: team.slice(1).map((t) => t.user.id),
        title: 'Everyone',
      })
    ).data
    const pairs: Conversation[] = []
    for (let i = 1; i < team.length; i += 2) {
      pairs.push(
        (
          await team[i]!.rest.post<Conversation>('/conversations', {
            member_ids: [team[i + 1]?.user.id ?? admin.user.id],
          })
        ).data,
      )
    }
    // Each user's socket on node (i mod 3); what each receives, across its reconnections.
    const live = [a, b, c]
    const received = new Map<number, number[]>()
    const streams = await Promise.all(
      team.map(async (account, i) => {
        const socket = await connect(live[i % 3]!, account)
        return { account, socket, node: live[i % 3]! }
      }),
    )
    const recordFrom = (socket: WsTestClient, userId: number, from: number) => {
      const list = received.get(userId) ?? []
      received.set(userId, list)
      return () => {
        for (const event of eventsIn(socket.frames.slice(from))) {
          if (event.id !== null) list.push(event.id)
        }
      }
    }
    const flushers = streams.map(({ socket, account }) => recordFrom(socket, account.user.id, 1))

    // Sends to random conversations of the sender, through random live nodes.
    const acked: Message[] = []
    let dead: ClusterNode | undefined
    const sendRound = async (round: number) => {
      const sender = team[round % team.length]!
      const conversation =
        round % 2 === 0
          ? everyone
          : (pairs.find((p) => p.members.some((m) => m.user_id === sender.user.id)) ?? everyone)
      const clientId = nextClientId(`kill-${round}`)
      const body = { text: `round ${round}`, client_id: clientId }
      for (let attempt = 0; ; attempt += 1) {
        const alive = live.filter((node) => node !== dead)
        const node = alive[(round + attempt) % alive.length]!
        try {
          const response = await on(node, sender).rest.post<Message>(
            `/conversations/${conversation.id}/messages`,
            body,
          )
          if (response.status === 201 || response.status === 200) {
            acked.push(response.data)
            return
          }
        } catch {
          // The node died under the request: the same client_id, on another node.
        }
        if (attempt > 10) throw new Error(`round ${round} was never stored`)
      }
    }
    const rounds = 240
    const inFlight: Promise<void>[] = []
    for (let round = 0; round < rounds; round += 1) {
      inFlight.push(sendRound(round))
      if (round % 8 === 7) await Promise.all(inFlight.splice(0))
      if (round === rounds / 3) {
        dead = b
        await b.kill()
      }
    }
    await Promise.all(inFlight)

    // B's clients came back with 1006; each resumes on another node from its last event.
    for (const stream of streams) {
      if (stream.node !== b) continue
      expect((await stream.socket.closed).code).toBe(1006)
      const index = streams.indexOf(stream)
      flushers[index]!()
      flushers[index] = () => {}
      const ids = received.get(stream.account.user.id)!
      const since = ids.at(-1) ?? stream.socket.greeting.latest_event_id
      const node = index % 2 === 0 ? a : c
      const resumed = await connect(node, stream.account, since)
      stream.socket = resumed
      stream.node = node
      flushers[index] = recordFrom(resumed, stream.account.user.id, 1)
    }
    // Wait until each client has all of its stream up to the newest event, then compare with a
    // full replay from the start, read on another node.
    const replays = new Map<number, AnyTidingsEvent[]>()
    for (const { account } of streams) {
      const replay = await connect(c, account, 0)
      const complete = await replay.waitForFrame('replay_complete', { timeoutMs: 30_000 })
      replays.set(
        account.user.id,
        eventsIn(replay.frames.slice(0, replay.frames.indexOf(complete))),
      )
      await replay.close()
    }
    for (const [index, { account, socket }] of streams.entries()) {
      const oracle = replays.get(account.user.id)!.map((e) => e.id!)
      const last = oracle.at(-1)!
      await socket.waitFor((frame) => 'id' in frame && (frame as AnyTidingsEvent).id === last, {
        timeoutMs: 30_000,
      })
      flushers[index]!()
      const got = received.get(account.user.id)!.filter((id) => id <= last)
      // Strictly increasing: nothing twice, nothing out of order.
      expect(got.every((id, i) => i === 0 || id > got[i - 1]!)).toBe(true)
      // Exactly the replay, from the socket's first event on (what came before is not its).
      const first = got[0]!
      expect(got).toEqual(oracle.filter((id) => id >= first))
    }
    // Every acknowledged send is stored exactly once: one message_sent in its sender's stream,
    // whichever node stored it and however often it was retried.
    expect(acked).toHaveLength(rounds)
    for (const message of acked) {
      const sent = replays
        .get(message.sender_id)!
        .filter((e) => e.type === 'message_sent')
        .filter((e) => (e.data as { message: Message }).message.client_id === message.client_id)
      expect(sent.map((e) => (e.data as { message: Message }).message.id)).toEqual([message.id])
    }
  }, 180_000)
})
