import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import { WsTestClient } from '../support/wsTestClient'
import { EventStream, startTidings } from './harness'

/** An IMAP server that accepts everything but never answers LOGOUT: a slow mail shutdown. */
async function imapWithSlowLogout(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined)
    socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE] ready\r\n')
    let pending = ''
    socket.on('data', (chunk) => {
      pending += String(chunk)
      for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
        const line = pending.slice(0, end)
        pending = pending.slice(end + 2)
        const [tag, command = ''] = line.split(' ')
        const verb = command.toUpperCase()
        if (line === 'DONE' || verb === 'LOGOUT') continue
        if (verb === 'CAPABILITY') socket.write('* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\n')
        if (verb === 'SELECT' || verb === 'EXAMINE') {
          socket.write(
            '* 0 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 1] x\r\n* FLAGS ()\r\n',
          )
        }
        if (verb === 'IDLE') {
          socket.write('+ idling\r\n')
          continue
        }
        socket.write(`${tag} OK done\r\n`)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() }
}

describe('graceful shutdown', () => {
  const cleanups: (() => unknown)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('takes no new connection while the mail connections log out, and completes', async () => {
    const imap = await imapWithSlowLogout()
    const tidings = await startTidings()
    cleanups.push(imap.close, () => tidings.close())
    const ann = await tidings.register('ann')
    const stream = await EventStream.open(tidings.server, ann.token)
    cleanups.push(() => stream.close())
    const account = await ann.request('POST', '/accounts', {
      platform: 'email',
      display_name: 'Ann',
      email_address: 'ann@example.test',
      smtp: { host: '127.0.0.1', port: 1, secure: false, username: 'u', password: 'p' },
      imap: { host: '127.0.0.1', port: imap.port, secure: false, username: 'u', password: 'p' },
    })
    expect(account.status).toBe(201)
    await stream.next('account_connected')

    const url = tidings.server.url
    const connected = await WsTestClient.connect(url, ann.token)
    const closing = tidings.server.close()
    expect((await connected.closed).code).toBe(CloseCode.GoingAway)
    // It reconnects at once, as 1001 tells it to: refused, not let into a server going away.
    await expect(WsTestClient.connect(url, ann.token)).rejects.toThrow()
    await closing
  })
})
