import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import { Limits } from '../../src/shared/limits'
import { registerTeam, type TestAccount } from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { waitUntil } from '../support/waitUntil'
import type { WsTestClient } from '../support/wsTestClient'

interface LogLine {
  level: number
  msg: string
  user_id?: number
  code?: string
}

/**
 * A client that breaks the WebSocket protocol is closed by ws with the code that says how (1009,
 * 1007) and dropped; the server logs it as a warning with the user and ws's error code, so an
 * admin can tell a misbehaving client from a network fault, and carries on.
 */
describe('protocol errors on the event stream', () => {
  let server: TestServer
  let alice: TestAccount
  const lines: LogLine[] = []
  const open: WsTestClient[] = []

  beforeAll(async () => {
    server = await startHarness({
      logLevel: 'warn',
      logDestination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
    })
    alice = (await registerTeam(server.url, ['alice'])).members[0]!
  })
  afterAll(async () => {
    await Promise.all(open.map((socket) => socket.close()))
    await server.stop()
  })

  async function connect(): Promise<WsTestClient> {
    const socket = await alice.connect()
    open.push(socket)
    return socket
  }
  const warnings = () =>
    lines.filter((line) => line.level === 40 && line.msg.includes('broke the WebSocket protocol'))

  it('logs an oversized frame (closed with 1009) with the user and the reason', async () => {
    const socket = await connect()
    socket.send({ type: 'ping', pad: 'x'.repeat(Limits.maxFrameBytes) })
    expect((await socket.waitForClose()).code).toBe(CloseCode.MessageTooBig)
    await waitUntil(() => warnings().length === 1, 'the warning for the oversized frame')
    expect(warnings()[0]).toMatchObject({
      user_id: alice.user.id,
      code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    })
  })

  it('logs text that is not UTF-8 (closed with 1007); other connections carry on', async () => {
    const bystander = await connect()
    const socket = await connect()
    socket.sendRaw(Buffer.from([0xc3, 0x28]))
    expect((await socket.waitForClose()).code).toBe(CloseCode.InvalidPayload)
    await waitUntil(() => warnings().length === 2, 'the warning for the bad text')
    expect(warnings()[1]).toMatchObject({ user_id: alice.user.id, code: 'WS_ERR_INVALID_UTF8' })
    bystander.send({ type: 'ping' })
    await bystander.waitFor((frame) => frame.type === 'pong')
  })
})
