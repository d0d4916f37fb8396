import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SMTPServer } from 'smtp-server'
import WebSocket from 'ws'
import type { AnyTidingsEvent } from '../../src/shared/events'
import type { EventType } from '../../src/shared/eventTypes'
import { startServer, type RunningServer } from '../../server/startServer'
import { dropStorageFor, storageOptionsFor } from '../support/testDatabase'

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// ---- Tidings --------------------------------------------------------------------------------

export interface Session {
  token: string
  userId: number
  request<T = unknown>(method: string, url: string, body?: unknown): Promise<ApiAnswer<T>>
}

export interface ApiAnswer<T> {
  status: number
  body:
    { status: 'success'; data: T } | { status: 'error'; error: { code: string; message: string } }
  data: T
}

export interface TidingsHarness {
  server: RunningServer
  dataDir: string
  register(username: string): Promise<Session>
  login(username: string): Promise<Session>
  /** Stops the server and removes its data folder unless `keepData`. */
  close(keepData?: boolean): Promise<void>
}

export async function startTidings(dataDir?: string): Promise<TidingsHarness> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-email-'))
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    openRegistration: true,
    // The test mail servers listen on 127.0.0.1.
    allowPrivateMailHosts: true,
    scryptCost: 1024,
    authAttemptsPerAddress: 100_000,
    loginAttemptsPerUsername: 100_000,
    ...(await storageOptionsFor(dir)),
  })
  const call = async <T>(
    method: string,
    url: string,
    body: unknown,
    token: string | undefined,
  ): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = {}
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const json = (await response.json()) as ApiAnswer<T>['body']
    return { status: response.status, body: json, data: (json as { data: T }).data }
  }
  return {
    server,
    dataDir: dir,
    async register(username) {
      const answer = await call<{ token: string; user: { id: number } }>(
        'POST',
        '/auth/register',
        { username, password: 'correct horse battery', display_name: username },
        undefined,
      )
      if (answer.status !== 201) throw new Error(`register failed: ${JSON.stringify(answer.body)}`)
      const { token, user } = answer.data
      return {
        token,
        userId: user.id,
        request: (method, url, body) => call(method, url, body, token),
      }
    },
    async login(username) {
      const answer = await call<{ token: string; user: { id: number } }>(
        'POST',
        '/auth/login',
        { username, password: 'correct horse battery' },
        undefined,
      )
      if (answer.status !== 200) throw new Error(`login failed: ${JSON.stringify(answer.body)}`)
      const { token, user } = answer.data
      return {
        token,
        userId: user.id,
        request: (method, url, body) => call(method, url, body, token),
      }
    },
    async close(keepData = false) {
      await server.close()
      if (!keepData) {
        fs.rmSync(dir, { recursive: true, force: true })
        await dropStorageFor(dir)
      }
    },
  }
}

/** A live event stream of one user, collecting every event. */
export class EventStream {
  readonly events: AnyTidingsEvent[] = []
  private constructor(private readonly socket: WebSocket) {}

  static async open(server: RunningServer, token: string): Promise<EventStream> {
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/events/ws/connect?token=${token}`,
    )
    const stream = new EventStream(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string }
        if (frame.type === 'connection_established') resolve()
        else if ('data' in frame && 'timestamp' in frame) {
          stream.events.push(frame as AnyTidingsEvent)
        }
      })
    })
    return stream
  }

  of<T extends EventType>(type: T): Extract<AnyTidingsEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<AnyTidingsEvent, { type: T }> => e.type === type)
  }

  /** The first event of this type (after `skip` of them) matching `match`. */
  next<T extends EventType>(
    type: T,
    match: (event: Extract<AnyTidingsEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<Extract<AnyTidingsEvent, { type: T }>> {
    return eventually(() => this.of(type).find(match), `a ${type} event`, timeoutMs)
  }

  close(): void {
    this.socket.close()
  }
}

// ---- SMTP -----------------------------------------------------------------------------------

export interface ReceivedMail {
  from: string
  to: string[]
  user: string
  raw: string
}

export interface SmtpHarness {
  port: number
  mails: ReceivedMail[]
  /** Rejected logins. */
  refusedLogins: number
  setPassword(user: string, password: string): void
  close(): Promise<void>
}

/** A real SMTP server (smtp-server) on loopback with AUTH PLAIN/LOGIN over plaintext. */
export async function startSmtp(users: Record<string, string>): Promise<SmtpHarness> {
  const accounts = new Map(Object.entries(users))
  const harness: SmtpHarness = {
    port: 0,
    mails: [],
    refusedLogins: 0,
    setPassword: (user, password) => accounts.set(user, password),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username && accounts.get(auth.username) === auth.password) {
        callback(null, { user: auth.username })
      } else {
        harness.refusedLogins++
        callback(new Error('Invalid username or password'))
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        harness.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: String(session.user ?? ''),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  harness.port = (server.server.address() as { port: number }).port
  return harness
}

/** One header of a raw mail (unfolded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? ''
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
  const line = unfolded
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line?.slice(name.length + 1).trim()
}

// ---- IMAP (Dovecot) -------------------------------------------------------------------------

export { closedPort, startDovecot, type DovecotHarness } from '../support/mailServers'
