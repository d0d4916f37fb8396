import { execFile } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ImapFlow } from 'imapflow'
import { waitUntil } from './waitUntil'

/**
 * Real mail servers for tests: a private Dovecot IMAP server on loopback (scripts/dovecot/start.sh,
 * plaintext logins, maildirs in a temporary folder) and a port on which nothing listens.
 */

const run = promisify(execFile)
const ROOT = path.resolve(import.meta.dirname, '../..')

export interface DovecotHarness {
  port: number
  dir: string
  /** Appends a raw RFC 5322 message to the user's INBOX over IMAP. */
  append(user: string, password: string, raw: string): Promise<void>
  stop(): Promise<void>
  restart(): Promise<void>
  close(): Promise<void>
}

/** Starts a private Dovecot with scripts/dovecot/start.sh; throws with the reason if it cannot. */
export async function startDovecot(users: Record<string, string>): Promise<DovecotHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-dovecot-'))
  // The mail processes may run as another user (when the tests run as root): let them in.
  fs.chmodSync(dir, 0o755)
  const env = {
    ...process.env,
    DOVECOT_USERS: Object.entries(users)
      .map(([user, password]) => `${user}:${password}`)
      .join(' '),
  }
  const script = path.join(ROOT, 'scripts/dovecot/start.sh')
  const { stdout } = await run(script, [dir], { env })
  const port = Number(stdout.trim().split('\n').at(-1))
  if (!Number.isInteger(port) || port <= 0) throw new Error(`start.sh printed ${stdout}`)
  const stopScript = path.join(ROOT, 'scripts/dovecot/stop.sh')
  const harness: DovecotHarness = {
    port,
    dir,
    async append(user, password, raw) {
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
    async stop() {
      await run(stopScript, [dir])
      await waitUntil(async () => !(await portOpen(port)), 'dovecot to stop listening', {
        timeoutMs: 15_000,
      })
    },
    async restart() {
      await run(script, [dir], { env: { ...env, DOVECOT_PORT: String(port) } })
    },
    async close() {
      await run(stopScript, [dir, '--clean'])
    },
  }
  return harness
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** A free loopback port with nothing listening on it (for the unreachable-server case). */
export async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
