import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation, CreatedPlatformAccount, Message } from '../../src/shared/models'
import { registerTeam, type TestAccount } from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import type { WsTestClient } from '../support/wsTestClient'

/**
 * Server-side request forgery through a mail account, as a member would try it: IMAP and SMTP
 * hosts on the server's own loopback (a port that listens, one that does not) and the cloud
 * metadata address. The server connects to none of them, and the account's state reads the same
 * for all, so it tells nothing about which ports answer.
 */
describe('a mail account that points at the server’s own network', () => {
  let server: TestServer
  let member: TestAccount
  let socket: WsTestClient
  let listener: net.Server
  let openPort: number
  let closedPort: number
  let connections = 0

  beforeAll(async () => {
    listener = net.createServer((connection) => {
      connections += 1
      connection.end('* OK IMAP4rev1 ready\r\n')
    })
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    openPort = (listener.address() as net.AddressInfo).port
    const closed = net.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    closedPort = (closed.address() as net.AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    server = await startHarness()
    member = (await registerTeam(server.url, ['mallory'])).members[0]!
    socket = await member.connect()
  })
  afterAll(async () => {
    await socket?.close()
    await server?.stop()
    listener?.close()
  })

  const mailServer = (host: string, port: number) => ({
    host,
    port,
    secure: false,
    username: 'probe',
    password: 'probe password',
  })

  async function addAccount(host: string, port: number): Promise<CreatedPlatformAccount> {
    const response = await member.rest.post<CreatedPlatformAccount>('/accounts', {
      platform: 'email',
      display_name: `Probe ${host}:${port}`,
      email_address: 'probe@example.test',
      smtp: mailServer(host, port),
      imap: mailServer(host, port),
    })
    expect(response.status).toBe(201)
    return response.data
  }

  /** The reason with the host and port taken out, as a member would compare them. */
  const shape = (reason: string, host: string, port: number) =>
    reason.replace(`${host}:${port}`, 'HOST:PORT')

  it('connects to none of them, and says the same of each', async () => {
    const targets: [string, number][] = [
      ['127.0.0.1', openPort],
      ['127.0.0.1', closedPort],
      ['localhost', openPort],
      ['169.254.169.254', 80],
    ]
    const reasons = new Set<string>()
    for (const [host, port] of targets) {
      const account = await addAccount(host, port)
      const down = await socket.waitForEvent('account_disconnected', {
        where: (event) => event.data.account_id === account.id,
      })
      reasons.add(shape(down.data.reason ?? '', host, port))
    }
    expect([...reasons]).toEqual([
      'Cannot connect to the IMAP server HOST:PORT: check its name, port and security setting.',
    ])
    expect(connections).toBe(0)
  })

  it('sends no mail there either', async () => {
    const account = await addAccount('127.0.0.1', openPort)
    const thread = await member.rest.post<Conversation>(`/accounts/${account.id}/conversations`, {
      to: ['someone@example.test'],
      subject: 'Probe',
    })
    const sent = await member.rest.post<Message>(`/conversations/${thread.data.id}/messages`, {
      text: 'Is anyone listening?',
      client_id: 'probe-1',
    })
    const outcome = await socket.waitForEvent('email_sent', {
      where: (event) => event.data.message_id === sent.data.id,
    })
    expect(outcome.data.state).toBe('failed')
    expect(shape(outcome.data.reason ?? '', '127.0.0.1', openPort)).toBe(
      'Cannot connect to the SMTP server HOST:PORT: check its name, port and security setting.',
    )
    expect(connections).toBe(0)
  })
})
