import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import { startServer } from '../../server/startServer'
import { WsTestClient } from '../support/wsTestClient'
import { EventStream } from './harness'

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
  const cleanups: (() => void)[] = []
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  it('takes no new connection while the mail connections log out, and completes', async () => {
    const imap = await imapWithSlowLogout()
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-shutdown-'))
    cleanups.push(imap.close, () => fs.rmSync(dataDir, { recursive: true, force: true }))
    const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' })
    const registered = await fetch(`${server.url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ann', password: 'correct horse battery' }),
    })
    const { token } = ((await registered.json()) as { data: { token: string } }).data
    const stream = await EventStream.open(server, token)
    cleanups.push(() => stream.close())
    const account = await fetch(`${server.url}/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        platform: 'email',
        display_name: 'Ann',
        email_address: 'ann@example.test',
        smtp: { host: '127.0.0.1', port: 1, secure: false, username: 'u', password: 'p' },
        imap: { host: '127.0.0.1', port: imap.port, secure: false, username: 'u', password: 'p' },
      }),
    })
    expect(account.status).toBe(201)
    await stream.next('account_connected')

    const connected = await WsTestClient.connect(server.url, token)
    const closing = server.close()
    expect((await connected.closed).code).toBe(CloseCode.GoingAway)
    // It reconnects at once, as 1001 tells it to: refused, not let into a server going away.
    await expect(WsTestClient.connect(server.url, token)).rejects.toThrow()
    await closing
  })
})
