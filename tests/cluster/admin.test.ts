import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import type { AdminUser, AuditPage, AuthResult } from '../../src/shared/models'
import {
  TEST_PASSWORD,
  accountFrom,
  loginStatus,
  registerAdmin,
  registerMember,
  type TestAccount,
} from '../support/accounts'
import {
  startNode,
  startTestPostgres,
  type ClusterNode,
  type TestPostgres,
} from '../support/clusterHarness'
import { onPostgres } from '../support/testDatabase'
import { WsTestClient } from '../support/wsTestClient'

/**
 * People and roles across the nodes of a cluster: a deactivation made on one node shuts the
 * account out on every other one (its sockets there closed with 4001, its tokens refused), and
 * the last active administrator holds when two nodes are asked at once. Each node is a process
 * of its own on a PostgreSQL of this file's.
 */
describe.skipIf(!onPostgres)('administration in a cluster', () => {
  let postgres: TestPostgres
  const nodes: ClusterNode[] = []
  const sockets: WsTestClient[] = []
  let a: ClusterNode
  let b: ClusterNode
  let admin: TestAccount

  /** The same account, talking to another node. */
  const on = (node: ClusterNode, account: TestAccount) =>
    accountFrom(node.url, { token: account.token, user: account.user } as AuthResult)
  const connect = async (node: ClusterNode, account: TestAccount) => {
    const socket = await WsTestClient.connect(node.url, account.token)
    sockets.push(socket)
    return socket
  }

  beforeAll(async () => {
    postgres = await startTestPostgres()
    a = await startNode(postgres.url)
    nodes.push(a)
    b = await startNode(postgres.url)
    nodes.push(b)
    admin = await registerAdmin(a.url)
  }, 120_000)

  afterAll(async () => {
    await Promise.allSettled(sockets.map((socket) => socket.close()))
    await Promise.allSettled(nodes.map((node) => node.kill()))
    await postgres?.stop()
  })

  it('closes a deactivated user’s sockets on the other node with 4001 and refuses their token there', async () => {
    const ron = await registerMember(admin, 'ron')
    const sue = await registerMember(admin, 'sue')
    const ronOnB = await connect(b, ron)
    const ronOnA = await connect(a, ron)
    const sueOnB = await connect(b, sue)
    // Ron's session is in node B's cache: authenticated there before.
    expect((await on(b, ron).rest.get('/users/me')).status).toBe(200)

    const mark = sueOnB.mark()
    const deactivated = await on(a, admin).rest.post<AdminUser>(
      `/admin/users/${ron.user.id}/deactivate`,
    )
    expect(deactivated.data.state).toBe('deactivated')
    for (const socket of [ronOnB, ronOnA]) {
      expect((await socket.waitForClose()).code).toBe(CloseCode.Unauthorized)
    }
    const event = await sueOnB.waitForEvent('user_deactivated', { after: mark })
    expect(event.data.user).toMatchObject({ id: ron.user.id, deactivated: true })

    for (const node of [a, b]) {
      expect((await on(node, ron).rest.get('/users/me')).status).toBe(401)
      expect((await WsTestClient.expectRefusal(node.url, ron.token)).statusCode).toBe(401)
      expect(await loginStatus(node.url, 'ron', TEST_PASSWORD)).toBe(403)
    }
  })

  it('keeps the last active administrator when two nodes are asked at once', async () => {
    let chief = admin
    for (let round = 0; round < 5; round++) {
      const other = await registerMember(chief, `deputy${round}`)
      await on(a, chief).rest.put(`/admin/users/${other.user.id}/role`, { role: 'admin' })
      // Each steps down, one on each node: two transactions, on two connections.
      const [first, second] = await Promise.all([
        on(a, chief).rest.put(`/admin/users/${chief.user.id}/role`, { role: 'member' }),
        on(b, other).rest.put(`/admin/users/${other.user.id}/role`, { role: 'member' }),
      ])
      expect([first.status, second.status].sort(), `round ${round}`).toEqual([200, 409])
      if (first.status === 200) chief = other
      const list = await on(b, chief).rest.get<AdminUser[]>('/admin/users')
      const active = list.data.filter((u) => u.role === 'admin' && u.state === 'active')
      expect(active.map((u) => u.id)).toEqual([chief.user.id])
    }
    admin = chief
  })

  it('keeps one audit log for every node', async () => {
    const tia = await registerMember(admin, 'tia')
    await on(a, admin).rest.post(`/admin/users/${tia.user.id}/deactivate`)
    await on(b, admin).rest.post(`/admin/users/${tia.user.id}/reactivate`)
    for (const node of [a, b]) {
      const page = await on(node, admin).rest.get<AuditPage>(`/admin/audit?user_id=${tia.user.id}`)
      expect(page.data.entries.map((e) => e.kind)).toEqual([
        'user_reactivated',
        'user_deactivated',
        'user_registered',
      ])
    }
  })
})
