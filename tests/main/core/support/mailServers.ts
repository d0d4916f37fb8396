import { execFile } from 'node:child_process'
import { chmodSync, mkdtempSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { ImapFlow } from 'imapflow'

const run = promisify(execFile)
const SCRIPTS = resolve(import.meta.dirname, '../../../../scripts/dovecot')

/** A free loopback port with nothing listening on it: a mail server that cannot be reached. */
export function closedPort(): Promise<number> {
  return new Promise((done) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => done(port))
    })
  })
}

/** A private Dovecot IMAP server on loopback (scripts/dovecot/start.sh), plaintext logins. */
export interface Dovecot {
  port: number
  /** Puts a raw RFC 5322 mail into the user's INBOX over IMAP, as a delivery would. */
  deliver(user: string, password: string, raw: string): Promise<void>
  close(): Promise<void>
}

export async function startDovecot(users: Record<string, string>): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-core-dovecot-'))
  // When tests run as root the mail processes run as another user: let them in.
  chmodSync(dir, 0o755)
  const env = {
    ...process.env,
    DOVECOT_USERS: Object.entries(users)
      .map(([user, password]) => `${user}:${password}`)
      .join(' '),
  }
  const { stdout } = await run(join(SCRIPTS, 'start.sh'), [dir], { env })
  const port = Number(stdout.trim().split('\n').at(-1))
  if (!Number.isInteger(port) || port <= 0) throw new Error(`start.sh printed ${stdout}`)
  return {
    port,
    async deliver(user, password, raw) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        auth: { user, pass: password },
        logger: false,
      })
      await client.connect()
      try {
        await client.append('INBOX', raw)
      } finally {
        await client.logout()
      }
    },
    async close() {
      await run(join(SCRIPTS, 'stop.sh'), [dir, '--clean'])
    },
  }
}
