import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthResult, Conversation, Message } from '../../src/shared/models'
import {
  accountFrom,
  nextClientId,
  registerAdmin,
  registerMember,
  type TestAccount,
} from '../support/accounts'
import {
  startLoadBalancer,
  startNode,
  startTestPostgres,
  type ClusterNode,
  type TestLoadBalancer,
  type TestPostgres,
} from '../support/clusterHarness'
import { RestClient } from '../support/restClient'
import { onPostgres } from '../support/testDatabase'
import { WsTestClient } from '../support/wsTestClient'

/**
 * The deployment of docs/deploy.md, run for real: three nodes behind HAProxy with the project's
 * own deploy/haproxy.cfg. Clients know one address; REST and event streams pass through; a node
 * that dies is skipped and its clients resume on another through the same address.
 */
describe.skipIf(!onPostgres)('three nodes behind the load balancer of deploy/', () => {
  let postgres: TestPostgres
  let nodes: ClusterNode[]
  let balancer: TestLoadBalancer
  let admin: TestAccount
  let bob: TestAccount
  let direct: Conversation
  const sockets: WsTestClient[] = []

  beforeAll(async () => {
    postgres = await startTestPostgres()
    const first = await startNode(postgres.url, { TIDINGS_TRUST_PROXY: '127.0.0.1' })
    nodes = [
      first,
      ...(await Promise.all(
        [1, 2].map(() => startNode(postgres.url, { TIDINGS_TRUST_PROXY: '127.0.0.1' })),
      )),
    ]
    balancer = await startLoadBalancer(nodes)
    admin = await registerAdmin(balancer.url)
    bob = await registerMember(admin, 'bob')
    direct = (await admin.rest.post<Conversation>('/conversations', { member_ids: [bob.user.id] }))
      .data
  }, 120_000)

  afterAll(async () => {
    await Promise.allSettled(sockets.map((socket) => socket.close()))
    await balancer?.stop()
    await Promise.allSettled((nodes ?? []).map((node) => node.kill()))
    await postgres?.stop()
  })

  /** Which node holds `count` event streams now. */
  const nodeWithStreams = async (count: number) => {
    for (const node of nodes) {
      const health = await new RestClient(node.url).get<{ connections: number }>('/healthz')
      if (health.data.connections === count) return node
    }
    throw new Error('no node holds the stream')
  }

  it('passes REST and event streams through, and keeps /metrics from outside', async () => {
    const bobStream = await WsTestClient.connect(balancer.url, bob.token)
    sockets.push(bobStream)
    const sent = await admin.rest.post<Message>(`/conversations/${direct.id}/messages`, {
      text: 'through the balancer',
      client_id: nextClientId(),
    })
    expect(sent.status).toBe(201)
    const received = await bobStream.waitForEvent('message_received', {
      where: (e) => e.data.message.id === sent.data.id,
    })
    expect(received.data.message.text).toBe('through the balancer')
    expect((await fetch(`${balancer.url}/metrics`)).status).toBe(403)
    expect((await fetch(`${nodes[0]!.url}/metrics`)).status).toBe(200)
    await bobStream.close()
  })

  it('skips a node that died; its clients resume through the same address, losing nothing', async () => {
    const stream = await WsTestClient.connect(balancer.url, bob.token)
    sockets.push(stream)
    const holder = await nodeWithStreams(1)
    const before = await admin.rest.post<Message>(`/conversations/${direct.id}/messages`, {
      text: 'before the node died',
      client_id: nextClientId(),
    })
    const seen = await stream.waitForEvent('message_received', {
      where: (e) => e.data.message.id === before.data.id,
    })
    await holder.kill()
    expect((await stream.closed).code).toBe(1006)
    // Sent while Bob is away, through the balancer (the dead node is skipped or retried past).
    const away = await accountFrom(balancer.url, {
      token: admin.token,
      user: admin.user,
    } as AuthResult).rest.post<Message>(`/conversations/${direct.id}/messages`, {
      text: 'while Bob was away',
      client_id: nextClientId(),
    })
    expect(away.status).toBe(201)
    const resumed = await WsTestClient.connect(balancer.url, bob.token, { since: seen.id! })
    sockets.push(resumed)
    await resumed.waitForFrame('replay_complete')
    const replayed = resumed.events().filter((e) => e.type === 'message_received')
    expect(replayed.map((e) => (e.data as { message: Message }).message.id)).toEqual([away.data.id])
  })
})
