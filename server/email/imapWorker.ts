import type { Readable } from 'node:stream'
import { ImapFlow, type FetchMessageObject, type MessageStructureObject } from 'imapflow'
import type { MailServer } from '../services/platformAccounts'
import { resolvePublicAddress } from '../net/publicAddressGuard'
import { headerValue, htmlToText, messageIds } from './threading'

/** One mail read from the mailbox, reduced to what an import needs. */
export interface FetchedMail {
  uid: number
  uidValidity: string
  /** The Message-ID, or null when the mail has none. */
  messageId: string | null
  inReplyTo: string | null
  references: string | null
  subject: string | null
  from: { address: string; name: string } | null
  /** To and Cc addresses. */
  recipients: string[]
  /** The text, or null when no part of it could be read. */
  text: string | null
  /** What is wrong with the mail; empty for a well-formed one. */
  problems: string[]
  /** The raw source (capped), kept for a mail with problems so nothing is lost. */
  raw: string | null
}

export interface ImapWorkerHooks {
  /** How far the mailbox was read (UIDVALIDITY and highest imported UID). */
  cursor(): Promise<{ uidValidity: string | null; lastUid: number }>
  /** The connection came up, or failed (with a reason for the user). */
  onState(state: 'connected' | 'error', reason: string | null): void
  /** Imports one mail and stores the cursor past it, in one transaction. */
  onMail(mail: FetchedMail): Promise<void>
  /** A sync pass finished without error. */
  onSynced(): Promise<void>
  /** Unexpected failures, for the server log (never with credentials). */
  onError(message: string, error: unknown): void
}

export interface ImapWorkerOptions {
  /** Fallback poll of the mailbox, on top of IDLE. Default 60 s. */
  pollIntervalMs?: number
  /** First reconnect delay after a failure; doubles up to maxRetryMs. Default 2 s. */
  minRetryMs?: number
  /** Longest reconnect delay. Default 5 min. */
  maxRetryMs?: number
  /** Connect to hosts on internal addresses too (see net/publicAddressGuard). Default false. */
  allowPrivateHosts?: boolean
}

const MAX_TEXT_BYTES = 512 * 1024
const MAX_RAW_BYTES = 256 * 1024

/**
 * A reason for an IMAP connection failure, for the account's owner. Only a refused login is told
 * apart: it takes an IMAP server that answered. Anything before that (a closed port, a host that
 * is not found, one refused as internal, a timeout, a TLS or protocol failure) reads the same, so
 * the state of an account tells a member nothing about which hosts and ports answer where the
 * server is (the server log has the cause).
 */
export function imapFailureReason(error: unknown, server: { host: string; port: number }): string {
  const err = error as { authenticationFailed?: boolean; responseText?: string }
  if (err.authenticationFailed) {
    return `The IMAP server refused the username or password${err.responseText ? ` (${err.responseText})` : ''}.`
  }
  return unreachable('IMAP', server)
}

/** The one reason for every failure to reach a mail server (see imapFailureReason). */
export function unreachable(kind: 'IMAP' | 'SMTP', server: { host: string; port: number }): string {
  return `Cannot connect to the ${kind} server ${server.host}:${server.port}: check its name, port and security setting.`
}

async function readStream(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += buffer.length
    if (size <= limit) chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The part to show: the first inline text/plain, else the first inline text/html. */
function pickTextPart(
  node: MessageStructureObject | undefined,
): { part: string; html: boolean } | null {
  if (!node) return null
  const found: { part: string; html: boolean }[] = []
  const walk = (n: MessageStructureObject) => {
    if (n.childNodes && n.childNodes.length > 0) {
      for (const child of n.childNodes) walk(child)
      return
    }
    if (n.disposition?.toLowerCase() === 'attachment') return
    const type = n.type.toLowerCase()
    if (type === 'text/plain' || type === 'text/html') {
      found.push({ part: n.part ?? '1', html: type === 'text/html' })
    }
  }
  walk(node)
  return found.find((p) => !p.html) ?? found[0] ?? null
}

/**
 * Keeps one email account's mailbox in sync: logs in with imapflow, reads INBOX from the last
 * imported UID on, then waits for new mail with IDLE (imapflow falls back to NOOP polling where
 * IDLE is missing) plus a slow poll as a safety net. A refused login, an unreachable server or a
 * dropped connection is reported through onState and retried with exponential backoff; the
 * first successful login after that reports 'connected' again.
 */
export class ImapWorker {
  private client: ImapFlow | null = null
  /** A connection still logging in, closed at once by stop(). */
  private pending: ImapFlow | null = null
  private stopped = false
  private retryTimer: NodeJS.Timeout | null = null
  private pollTimer: NodeJS.Timeout | null = null
  private retryMs: number
  private connecting: Promise<void> | null = null
  private syncing: Promise<void> | null = null
  private syncAgain = false
  private readonly pollIntervalMs: number
  private readonly minRetryMs: number
  private readonly maxRetryMs: number
  private readonly allowPrivateHosts: boolean

  constructor(
    private readonly server: MailServer,
    private readonly hooks: ImapWorkerHooks,
    options: ImapWorkerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 60_000
    this.minRetryMs = options.minRetryMs ?? 2_000
    this.maxRetryMs = options.maxRetryMs ?? 5 * 60_000
    this.allowPrivateHosts = options.allowPrivateHosts ?? false
    this.retryMs = this.minRetryMs
  }

  get connected(): boolean {
    return this.client?.usable === true
  }

  start(): void {
    void this.connect()
  }

  /** Reads new mail now; when not connected, tries to connect now instead of waiting. */
  async syncNow(): Promise<void> {
    if (this.stopped) return
    if (!this.connected) {
      await this.connect()
      return
    }
    await this.sync()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    if (this.pollTimer) clearInterval(this.pollTimer)
    this.retryTimer = null
    this.pollTimer = null
    const client = this.client
    this.client = null
    // Abort a login in progress rather than wait out its timeouts.
    this.pending?.close()
    await this.connecting?.catch(() => undefined)
    if (client) {
      await Promise.race([
        client.logout().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ])
      client.close()
    }
  }

  private connect(): Promise<void> {
    this.connecting ??= this.openConnection().finally(() => {
      this.connecting = null
    })
    return this.connecting
  }

  private scheduleRetry(): void {
    if (this.stopped) return
    if (this.retryTimer) clearTimeout(this.retryTimer)
    const delay = this.retryMs
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      void this.connect()
    }, delay)
    this.retryTimer.unref()
  }

  private fail(reason: string): void {
    if (this.stopped) return
    this.hooks.onState('error', reason)
    this.scheduleRetry()
  }

  private async openConnection(): Promise<void> {
    if (this.stopped || this.connected) return
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    const { server } = this
    let address: string
    try {
      address = await resolvePublicAddress(server.host, {
        allowNonPublic: this.allowPrivateHosts,
        hint: 'see --allow-private-mail-hosts',
      })
    } catch (error) {
      this.hooks.onError('IMAP host refused or not found', error)
      this.fail(imapFailureReason(error, server))
      return
    }
    if (this.stopped) return
    const client = new ImapFlow({
      // The address checked above, not the name again; the name for TLS (SNI and certificate).
      host: address,
      servername: server.host,
      port: server.port,
      secure: server.secure,
      auth: { user: server.username, pass: server.password },
      logger: false,
      // Start IDLE soon after a sync so new mail is announced promptly.
      autoIdleDelay: 1_000,
      maxIdleTime: Math.min(this.pollIntervalMs, 5 * 60_000),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
    })
    // Errors surface through connect() or the close event; without a listener they would throw.
    client.on('error', (error: unknown) => this.hooks.onError('IMAP connection error', error))
    this.pending = client
    try {
      await client.connect()
      if (this.stopped) {
        await client.logout().catch(() => undefined)
        return
      }
      try {
        await client.mailboxOpen('INBOX')
      } catch (error) {
        client.close()
        this.fail(`Cannot open INBOX: ${(error as Error).message}`)
        return
      }
    } catch (error) {
      client.close()
      this.hooks.onError('IMAP connection failed', error)
      this.fail(imapFailureReason(error, server))
      return
    } finally {
      this.pending = null
    }
    if (this.stopped) {
      client.close()
      return
    }
    this.client = client
    this.retryMs = this.minRetryMs
    client.on('close', () => {
      if (this.client !== client) return
      this.client = null
      if (this.pollTimer) clearInterval(this.pollTimer)
      this.pollTimer = null
      this.fail(`The connection to the IMAP server ${server.host}:${server.port} was lost.`)
    })
    client.on('exists', () => void this.sync())
    this.hooks.onState('connected', null)
    this.pollTimer = setInterval(() => void this.sync(), this.pollIntervalMs)
    this.pollTimer.unref()
    await this.sync()
  }

  private sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true
      return this.syncing
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false
        await this.syncOnce()
      } while (this.syncAgain && this.client && !this.stopped)
    })().finally(() => {
      this.syncing = null
    })
    return this.syncing
  }

  private async syncOnce(): Promise<void> {
    const client = this.client
    if (!client || !client.usable || this.stopped) return
    let lock: { release(): void } | undefined
    try {
      lock = await client.getMailboxLock('INBOX')
      const mailbox = client.mailbox
      if (!mailbox) return
      const uidValidity = String(mailbox.uidValidity)
      const cursor = await this.hooks.cursor()
      // A new UIDVALIDITY renumbered the mailbox: read it all again; Message-IDs prevent doubles.
      const lastUid = cursor.uidValidity === uidValidity ? cursor.lastUid : 0
      if (mailbox.exists > 0) {
        const found = await client.fetchAll(
          `${lastUid + 1}:*`,
          {
            uid: true,
            envelope: true,
            bodyStructure: true,
            headers: ['message-id', 'in-reply-to', 'references'],
          },
          { uid: true },
        )
        // "n:*" always includes the newest message, even when its UID is below n.
        const fresh = found.filter((m) => m.uid > lastUid).sort((a, b) => a.uid - b.uid)
        for (const message of fresh) {
          if (this.stopped || this.client !== client) return
          const mail = await this.read(client, message, uidValidity)
          await this.hooks.onMail(mail)
        }
      }
      await this.hooks.onSynced()
    } catch (error) {
      // A broken connection is reported by its close event; anything else is logged and the
      // next pass (IDLE, poll or reconnect) tries again from the stored cursor.
      if (client.usable) this.hooks.onError('IMAP sync failed', error)
    } finally {
      lock?.release()
    }
  }

  /** Reads one mail; whatever cannot be read becomes a problem, never an exception. */
  private async read(
    client: ImapFlow,
    message: FetchMessageObject,
    uidValidity: string,
  ): Promise<FetchedMail> {
    const problems: string[] = []
    const envelope = message.envelope ?? {}
    const headers = message.headers?.toString('utf8') ?? ''
    const messageId =
      messageIds(headerValue(headers, 'message-id') ?? envelope.messageId)[0] ?? null
    if (!messageId) problems.push('it has no Message-ID header')
    const inReplyTo = messageIds(headerValue(headers, 'in-reply-to') ?? envelope.inReplyTo)[0]
    const references = headerValue(headers, 'references')
    const sender = envelope.from?.[0]
    const from = sender?.address
      ? { address: sender.address, name: sender.name?.trim() || sender.address }
      : null
    if (!from) problems.push('it has no sender address (From header)')
    const recipients = [...(envelope.to ?? []), ...(envelope.cc ?? [])]
      .map((a) => a.address)
      .filter((a): a is string => !!a)

    let text: string | null = null
    try {
      const part = pickTextPart(message.bodyStructure)
      if (!part) {
        problems.push('it has no readable text part')
      } else {
        const download = await client.download(String(message.uid), part.part, {
          uid: true,
          maxBytes: MAX_TEXT_BYTES,
        })
        if (!download.content) {
          problems.push('its text part could not be downloaded')
        } else {
          const body = await readStream(download.content, MAX_TEXT_BYTES)
          text = part.html ? htmlToText(body) : body.replace(/\r\n/g, '\n').trimEnd()
        }
      }
    } catch (error) {
      problems.push(`its text could not be decoded (${(error as Error).message})`)
    }

    let raw: string | null = null
    if (problems.length > 0) {
      try {
        const full = await client.fetchOne(
          String(message.uid),
          { source: { maxLength: MAX_RAW_BYTES } },
          { uid: true },
        )
        raw = full ? (full.source?.toString('utf8') ?? null) : null
      } catch {
        raw = null
      }
      if (!text?.trim() && raw !== null) {
        // Show what there is: the source after the header block.
        const split = raw.search(/\r?\n\r?\n/)
        text = (split >= 0 ? raw.slice(split).trim() : raw.trim()) || null
      }
    }

    return {
      uid: message.uid,
      uidValidity,
      messageId,
      inReplyTo: inReplyTo ?? null,
      references,
      subject: envelope.subject?.trim() || null,
      from,
      recipients,
      text,
      problems,
      raw,
    }
  }
}
