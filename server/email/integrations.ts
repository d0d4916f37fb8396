import { randomUUID } from 'node:crypto'
import type {
  BridgeInboundBody,
  BridgeOutboxResultBody,
  BridgeStatusBody,
  CreateAccountBody,
  StartEmailThreadBody,
  UpdateAccountBody,
} from '../../src/shared/api'
import type {
  BridgeOutboxItem,
  Conversation,
  CreatedPlatformAccount,
  ExternalMessageRecord,
  Message,
  PlatformAccount,
} from '../../src/shared/models'
import type { ServerContext } from '../context'
import type { EventSink } from '../realtime/eventLog'
import { conflict, forbidden, notFound } from '../http/httpError'
import { Contacts } from '../services/contacts'
import { PlatformAccounts, wrongState, type AccountRow } from '../services/platformAccounts'
import { SecretBox } from '../services/secretBox'
import { ImapWorker, type FetchedMail, type ImapWorkerOptions } from './imapWorker'
import { sendMail, type SendResult } from './mailer'
import { messageIds, normalizeSubject, replySubject } from './threading'

/** Where failures go: the server's pino logger. Only codes and messages, never credentials. */
export interface IntegrationLog {
  warn(details: object, message: string): void
}

export interface IntegrationsOptions {
  imap?: ImapWorkerOptions
}

function errorSummary(error: unknown): { code?: string; message: string } {
  const err = error as { code?: unknown; message?: unknown }
  return {
    ...(typeof err.code === 'string' ? { code: err.code } : {}),
    message: typeof err.message === 'string' ? err.message : String(error),
  }
}

/**
 * Contacts, connected platform accounts, email and bridges, wired to the server: one IMAP worker
 * per email account, SMTP delivery of messages sent into email conversations, and the import of
 * mail and bridged messages into conversations. Every change and its events go through the unit
 * of work.
 */
export class Integrations {
  readonly contacts: Contacts
  readonly accounts: PlatformAccounts
  private readonly workers = new Map<number, ImapWorker>()
  private readonly delivering = new Map<number, Promise<void>>()
  private stopped = false

  constructor(
    private readonly ctx: ServerContext,
    private readonly log: IntegrationLog,
    private readonly options: IntegrationsOptions = {},
  ) {
    const box = SecretBox.open(ctx.options.dataDir)
    this.contacts = new Contacts(ctx.db)
    this.accounts = new PlatformAccounts(ctx.db, box, ctx.conversations, ctx.messages)
    ctx.messages.onPlatformSend((events, message, conversation) =>
      this.queueOutbound(events, message, conversation),
    )
  }

  /** Starts the mail connections and resumes deliveries left over by the previous run. */
  start(): void {
    for (const accountId of this.accounts.emailAccountIds()) {
      for (const messageId of this.accounts.pendingOutbound(accountId)) {
        const row = this.accounts.externalRow(messageId)
        if (row?.state === 'sending') {
          // It may or may not have reached the server: let the user decide rather than double it.
          this.ctx.unitOfWork.run((events) => {
            this.accounts.transition(
              messageId,
              ['sending'],
              'failed',
              'Sending was interrupted by a server restart; it may not have been sent. Retry to send it.',
            )
            this.emitSent(events, messageId)
          })
        } else {
          this.scheduleDelivery(messageId)
        }
      }
      this.startWorker(accountId)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    const workers = [...this.workers.values()]
    this.workers.clear()
    await Promise.allSettled(workers.map((worker) => worker.stop()))
  }

  // ---- accounts ------------------------------------------------------------------------------

  createAccount(ownerId: number, body: CreateAccountBody): CreatedPlatformAccount {
    const created = this.ctx.unitOfWork.run((events) => this.accounts.create(events, ownerId, body))
    if (created.platform === 'email') this.startWorker(created.id)
    return created
  }

  async updateAccount(
    ownerId: number,
    accountId: number,
    body: UpdateAccountBody,
  ): Promise<PlatformAccount> {
    const reconnect = this.accounts.update(ownerId, accountId, body)
    if (reconnect && body.imap) {
      await this.stopWorker(accountId)
      this.ctx.unitOfWork.run((events) =>
        this.accounts.setState(events, accountId, 'connecting', null),
      )
      this.startWorker(accountId)
    }
    return this.accounts.toAccount(this.accounts.requireOwned(ownerId, accountId))
  }

  async removeAccount(ownerId: number, accountId: number): Promise<PlatformAccount> {
    this.accounts.requireOwned(ownerId, accountId)
    await this.stopWorker(accountId)
    return this.ctx.unitOfWork.run((events) => this.accounts.remove(events, ownerId, accountId))
  }

  /** Fetches new mail now (or reconnects now when the connection is down). */
  async syncAccount(ownerId: number, accountId: number): Promise<PlatformAccount> {
    const row = this.accounts.requireOwned(ownerId, accountId)
    if (row.platform === 'email') {
      let worker = this.workers.get(accountId)
      if (!worker) worker = this.startWorker(accountId)
      await worker?.syncNow()
    }
    return this.accounts.toAccount(this.accounts.requireOwned(ownerId, accountId))
  }

  private startWorker(accountId: number): ImapWorker | undefined {
    if (this.stopped || this.workers.has(accountId)) return this.workers.get(accountId)
    const row = this.accounts.find(accountId)
    const imap = row && this.accounts.mailServer(row, 'imap')
    if (!imap) return undefined
    const worker = new ImapWorker(
      imap,
      {
        cursor: () => {
          const current = this.accounts.find(accountId)
          return {
            uidValidity: current?.imap_uid_validity ?? null,
            lastUid: current?.imap_last_uid ?? 0,
          }
        },
        onState: (state, reason) => {
          if (this.stopped || this.workers.get(accountId) !== worker) return
          this.ctx.unitOfWork.run((events) =>
            this.accounts.setState(events, accountId, state, reason),
          )
        },
        onMail: (mail) => {
          if (this.stopped || this.workers.get(accountId) !== worker) return
          this.importMail(accountId, mail)
        },
        onSynced: () => {
          if (this.stopped || this.workers.get(accountId) !== worker) return
          this.accounts.markSynced(accountId)
        },
        onError: (message, error) =>
          this.log.warn({ account_id: accountId, err: errorSummary(error) }, message),
      },
      this.options.imap,
    )
    this.workers.set(accountId, worker)
    worker.start()
    return worker
  }

  private async stopWorker(accountId: number): Promise<void> {
    const worker = this.workers.get(accountId)
    if (!worker) return
    this.workers.delete(accountId)
    await worker.stop()
  }

  // ---- email threads -------------------------------------------------------------------------

  /** A new email conversation with these recipients; its first message is the first mail. */
  startEmailThread(ownerId: number, accountId: number, body: StartEmailThreadBody): Conversation {
    const account = this.accounts.requireOwned(ownerId, accountId)
    if (account.platform !== 'email') throw conflict('Only an email account can start a thread.')
    const conversationId = this.ctx.unitOfWork.run((events) =>
      this.accounts.createThread(
        events,
        account,
        `outbound:${randomUUID()}`,
        body.subject,
        normalizeSubject(body.subject) || null,
        body.to,
      ),
    )
    return this.ctx.conversations.get(conversationId, ownerId)
  }

  /** Imports one fetched mail (once per Message-ID) and moves the account's cursor past it. */
  private importMail(accountId: number, mail: FetchedMail): void {
    this.ctx.unitOfWork.run((events) => {
      const account = this.accounts.find(accountId)
      if (!account) return
      const externalId =
        mail.messageId ??
        `<imap.${mail.uidValidity}.${mail.uid}@account-${accountId}.tidings.invalid>`
      if (!this.accounts.byExternalId(accountId, externalId)) {
        this.storeMail(events, account, externalId, mail)
      }
      this.accounts.saveMailCursor(accountId, mail.uidValidity, mail.uid)
    })
  }

  private storeMail(
    events: EventSink,
    account: AccountRow,
    externalId: string,
    mail: FetchedMail,
  ): void {
    const own = account.address?.toLowerCase()
    const participants = [mail.from?.address, ...mail.recipients].filter(
      (a): a is string => !!a && a.toLowerCase() !== own,
    )
    const related = [...messageIds(mail.references), ...(mail.inReplyTo ? [mail.inReplyTo] : [])]
    const normalized = normalizeSubject(mail.subject)
    let conversationId = this.accounts.conversationOfAny(account.id, related)
    if (conversationId === undefined && normalized) {
      conversationId = this.accounts.threadBySubject(account.id, normalized)?.conversation_id
    }
    if (conversationId === undefined) {
      conversationId = this.accounts.createThread(
        events,
        account,
        `email:${externalId}`,
        mail.subject ?? '(no subject)',
        normalized || null,
        participants,
      )
    } else {
      this.accounts.addParticipants(conversationId, participants)
    }
    const handle = mail.from?.address ?? 'unknown sender'
    const contact = mail.from && this.contacts.findByHandle(account.owner_id, mail.from.address)
    const name = contact?.name ?? mail.from?.name ?? handle
    const malformed = mail.problems.length > 0
    const text =
      mail.text ??
      '(This email could not be read. The original is kept on the server; see its state.)'
    const { message, record } = this.accounts.storeInbound(events, account, {
      conversationId,
      sender: { handle, name },
      text,
      externalId,
      state: malformed ? 'malformed' : 'received',
      reason: malformed ? `The email is malformed: ${mail.problems.join('; ')}.` : null,
      subject: mail.subject,
      to: mail.recipients,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      raw: malformed ? mail.raw : null,
    })
    events.emit(
      'email_received',
      {
        account_id: account.id,
        conversation_id: conversationId,
        message_id: message.id,
        from: mail.from?.address ?? null,
        from_name: name,
        subject: mail.subject,
        state: record.state,
        email: record,
      },
      [account.owner_id],
    )
  }

  // ---- outgoing ------------------------------------------------------------------------------

  /** Runs inside the send's unit of work: records the mail as queued, delivers after commit. */
  private queueOutbound(_events: EventSink, message: Message, conversation: Conversation): void {
    const thread = this.accounts.threadOfConversation(conversation.id)
    const account = thread && this.accounts.find(thread.account_id)
    if (!thread || !account) {
      throw conflict(
        'This conversation is no longer connected to an account, so nothing can be sent into it.',
      )
    }
    // Only the owner speaks under the account's identity (a second guard: such a conversation
    // cannot have other members, see Conversations.addMembers).
    if (message.sender_id !== account.owner_id) {
      throw forbidden('Only the owner of the connected account can send in this conversation.')
    }
    const own = account.address?.toLowerCase()
    const to = thread.participants.filter((a) => a.toLowerCase() !== own)
    const previous = this.accounts.externalIdsOf(conversation.id)
    if (account.platform === 'email') {
      const latest = this.accounts.latestOf(conversation.id)
      const baseSubject = latest?.subject ?? conversation.title ?? '(no subject)'
      const domain = account.address?.split('@')[1] ?? 'tidings.invalid'
      this.accounts.queueOutbound(message, account.id, {
        externalId: `<${randomUUID()}@${domain}>`,
        subject: previous.length > 0 ? replySubject(baseSubject) : baseSubject,
        from: account.address,
        fromName: account.display_name,
        to,
        inReplyTo: previous.at(-1) ?? null,
        references: previous.slice(-20).join(' ') || null,
      })
      // After the commit: a rolled-back send finds no queued row and sends nothing.
      this.scheduleDelivery(message.id)
    } else {
      // Bridged platforms: the record waits, queued, for the bridge to pick it up.
      this.accounts.queueOutbound(message, account.id, {
        externalId: `tidings:${message.id}`,
        subject: null,
        from: account.address,
        fromName: account.display_name,
        to,
        inReplyTo: null,
        references: null,
      })
    }
  }

  private scheduleDelivery(messageId: number): void {
    setImmediate(() => void this.deliver(messageId))
  }

  /** One delivery attempt of a queued mail; its outcome is stored and sent as email_sent. */
  private deliver(messageId: number): Promise<void> {
    const running = this.delivering.get(messageId)
    if (running) return running
    const attempt = this.attempt(messageId).finally(() => this.delivering.delete(messageId))
    this.delivering.set(messageId, attempt)
    return attempt
  }

  private async attempt(messageId: number): Promise<void> {
    if (this.stopped) return
    const row = this.accounts.externalRow(messageId)
    if (!row || row.direction !== 'out') return
    const account = this.accounts.find(row.account_id)
    if (!account || account.platform !== 'email') return
    if (!this.accounts.transition(messageId, ['queued'], 'sending', null, true)) return
    const message = this.ctx.messages.get(messageId)
    const smtp = this.accounts.mailServer(account, 'smtp')
    const to = JSON.parse(row.to_addresses) as string[]
    let result: SendResult
    if (!message || message.deleted_at) {
      result = { ok: false, reason: 'The message was deleted before it was sent.' }
    } else if (!smtp || !account.address) {
      result = { ok: false, reason: 'The account has no SMTP server configured.' }
    } else if (to.length === 0) {
      result = { ok: false, reason: 'The conversation has no email recipients.' }
    } else {
      result = await sendMail(smtp, {
        from: { name: account.display_name, address: account.address },
        to,
        subject: row.subject ?? '(no subject)',
        text: message.text,
        messageId: row.external_id,
        inReplyTo: row.in_reply_to,
        references: messageIds(row.references_header),
      })
    }
    // Shutting down: the row stays 'sending' and the next start marks it for a retry.
    if (this.stopped) return
    if (!result.ok) {
      this.log.warn(
        { account_id: account.id, message_id: messageId, reason: result.reason },
        'email delivery failed',
      )
    }
    this.ctx.unitOfWork.run((events) => {
      this.accounts.transition(
        messageId,
        ['sending'],
        result.ok ? 'sent' : 'failed',
        result.ok ? null : result.reason,
      )
      this.emitSent(events, messageId)
    })
  }

  private emitSent(events: EventSink, messageId: number): void {
    const record = this.accounts.record(messageId)
    const account = record && this.accounts.find(record.account_id)
    if (!record || !account || (record.state !== 'sent' && record.state !== 'failed')) return
    events.emit(
      'email_sent',
      {
        account_id: record.account_id,
        conversation_id: record.conversation_id,
        message_id: record.message_id,
        state: record.state,
        reason: record.reason,
        email: record,
      },
      [account.owner_id],
    )
  }

  /** Sends a failed mail again; returns its record after the attempt. */
  async retry(
    ownerId: number,
    accountId: number,
    messageId: number,
  ): Promise<ExternalMessageRecord> {
    const account = this.accounts.requireOwned(ownerId, accountId)
    const row = this.accounts.externalRow(messageId)
    if (!row || row.account_id !== account.id || row.direction !== 'out') {
      throw notFound('Outgoing message')
    }
    if (account.platform !== 'email') throw wrongState('Only email can be retried from here.')
    if (row.state === 'sent') throw wrongState('This email was already sent.')
    if (row.state === 'sending' || this.delivering.has(messageId)) {
      throw wrongState('This email is being sent right now.')
    }
    this.accounts.transition(messageId, ['failed', 'queued'], 'queued', null)
    await this.deliver(messageId)
    return this.accounts.record(messageId)!
  }

  // ---- bridges -------------------------------------------------------------------------------

  /** A message a bridge posted; lands in the conversation of its external thread. */
  inbound(account: AccountRow, body: BridgeInboundBody): { message: Message; created: boolean } {
    return this.ctx.unitOfWork.run((events) => {
      const existing = this.accounts.byExternalId(account.id, body.external_id)
      if (existing) {
        return { message: this.ctx.messages.get(existing.message_id)!, created: false }
      }
      const key = `thread:${body.external_thread_id}`
      let conversationId = this.accounts.threadByKey(account.id, key)?.conversation_id
      if (conversationId === undefined) {
        conversationId = this.accounts.createThread(
          events,
          account,
          key,
          body.thread_title ?? body.sender.name,
          null,
          [body.sender.handle],
        )
      } else {
        this.accounts.addParticipants(conversationId, [body.sender.handle])
      }
      const { message, created } = this.accounts.storeInbound(events, account, {
        conversationId,
        sender: { handle: body.sender.handle, name: body.sender.name },
        text: body.text,
        externalId: body.external_id,
        state: 'received',
      })
      return { message, created }
    })
  }

  /** Messages written in the account's conversations that the bridge has yet to deliver. */
  bridgeOutbox(account: AccountRow): BridgeOutboxItem[] {
    return this.accounts.queuedForBridge(account.id).flatMap((row) => {
      const message = this.ctx.messages.get(row.message_id)
      const record = this.accounts.record(row.message_id)
      if (!message || !record) return []
      return [
        {
          message_id: row.message_id,
          conversation_id: row.conversation_id,
          external_thread_id: row.thread_key?.startsWith('thread:')
            ? row.thread_key.slice('thread:'.length)
            : null,
          to: record.to,
          text: message.text,
          created_at: message.created_at,
        },
      ]
    })
  }

  /** The bridge delivered a queued message, or gave up on it. */
  bridgeOutboxResult(
    account: AccountRow,
    messageId: number,
    body: BridgeOutboxResultBody,
  ): ExternalMessageRecord {
    const row = this.accounts.externalRow(messageId)
    if (!row || row.account_id !== account.id || row.direction !== 'out') {
      throw notFound('Outgoing message')
    }
    const reason =
      body.state === 'failed' ? body.reason || 'The bridge could not deliver it.' : null
    if (!this.accounts.transition(messageId, ['queued'], body.state, reason, true)) {
      throw wrongState(`This message is already ${row.state}.`)
    }
    return this.accounts.record(messageId)!
  }

  /** A bridge reports its link to the platform as up or down. */
  bridgeStatus(account: AccountRow, body: BridgeStatusBody): PlatformAccount {
    return this.ctx.unitOfWork.run((events) =>
      this.accounts.setState(
        events,
        account.id,
        body.state,
        body.state === 'error' ? body.reason || 'The bridge lost its connection.' : null,
      )!,
    )
  }
}
