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
import type { Leases } from '../cluster/leases'
import { conflict, forbidden, notFound } from '../http/httpError'
import type { Database } from '../storage/database'
import type { Tx, UnitOfWork } from '../storage/unitOfWork'
import { Contacts } from '../services/contacts'
import type { Conversations } from '../services/conversations'
import { ExternalMessages, wrongState } from '../services/externalMessages'
import { ExternalThreads } from '../services/externalThreads'
import type { Messages } from '../services/messages'
import { PlatformAccounts, type AccountRow } from '../services/platformAccounts'
import type { SecretBox } from '../services/secretBox'
import { ImapWorker, type FetchedMail, type ImapWorkerOptions } from './imapWorker'
import { sendMail, type SendResult } from './mailer'
import { messageIds, normalizeSubject, replySubject } from './threading'

/** Where failures go: the server's pino logger. Only codes and messages, never credentials. */
export interface IntegrationLog {
  warn(details: object, message: string): void
}

export interface IntegrationsOptions {
  imap?: ImapWorkerOptions
  /** Let accounts' mail servers be on internal addresses (see net/publicAddressGuard). Default false. */
  allowPrivateMailHosts?: boolean
  /**
   * How long a retry asked of a node that does not run the account's mail waits for the node
   * that does to finish the attempt. Default 60 s.
   */
  retryWaitMs?: number
}

/** What Integrations is built from (see buildServerContext). */
export interface IntegrationsDeps {
  db: Database
  unitOfWork: UnitOfWork
  conversations: Conversations
  messages: Messages
  box: SecretBox
  leases: Leases
  log: IntegrationLog
}

function errorSummary(error: unknown): { code?: string; message: string } {
  const err = error as { code?: unknown; message?: unknown }
  return {
    ...(typeof err.code === 'string' ? { code: err.code } : {}),
    message: typeof err.message === 'string' ? err.message : String(error),
  }
}

/** The lease of an account's mail: its IMAP connection and its SMTP deliveries. */
const mailLease = (accountId: number) => `mail:${accountId}`

/**
 * Contacts, connected platform accounts, email and bridges, wired to the server: one IMAP worker
 * per email account, SMTP delivery of messages sent into email conversations, and the import of
 * mail and bridged messages into conversations. Every change and its events go through the unit
 * of work. An account's mail is a one-owner job (see Leases): in a cluster exactly one node holds
 * its IMAP connection and sends its queued mail, and another takes over if that node dies.
 */
export class Integrations {
  readonly contacts: Contacts
  readonly accounts: PlatformAccounts
  readonly threads: ExternalThreads
  readonly records: ExternalMessages
  private readonly workers = new Map<number, ImapWorker>()
  private readonly delivering = new Map<number, Promise<void>>()
  private stopped = false
  private readonly db: Database
  private readonly unitOfWork: UnitOfWork
  private readonly conversations: Conversations
  private readonly messages: Messages
  private readonly leases: Leases
  private readonly log: IntegrationLog

  constructor(
    deps: IntegrationsDeps,
    private readonly options: IntegrationsOptions = {},
  ) {
    this.db = deps.db
    this.unitOfWork = deps.unitOfWork
    this.conversations = deps.conversations
    this.messages = deps.messages
    this.leases = deps.leases
    this.log = deps.log
    this.contacts = new Contacts(deps.db)
    this.accounts = new PlatformAccounts(deps.db, deps.box)
    this.threads = new ExternalThreads(deps.conversations)
    this.records = new ExternalMessages(deps.db, deps.conversations, deps.messages)
    deps.messages.onPlatformSend((tx, message, conversation) =>
      this.queueOutbound(tx, message, conversation),
    )
  }

  /** Asks for the mail lease of every email account (their connections start where held). */
  async start(): Promise<void> {
    for (const accountId of await this.accounts.emailAccountIds()) this.holdMail(accountId)
  }

  async stop(): Promise<void> {
    this.stopped = true
    const workers = [...this.workers.values()]
    this.workers.clear()
    await Promise.allSettled(workers.map((worker) => worker.stop()))
  }

  /** A control event: a mail was queued; the node running the account's mail sends it. */
  mailQueued(accountId: number, messageId: number): void {
    if (this.leases.holds(mailLease(accountId))) this.scheduleDelivery(messageId)
  }

  /**
   * A control event: a mail account was created, changed, removed or asked to sync, on some
   * node. Every node wants the lease of every account; the one that holds it runs the mail.
   */
  mailAccountChanged(accountId: number, change: 'created' | 'updated' | 'removed' | 'sync'): void {
    const failed = (error: unknown) =>
      this.log.warn({ account_id: accountId, err: errorSummary(error) }, `mail ${change} failed`)
    switch (change) {
      case 'created':
        this.holdMail(accountId)
        return
      case 'removed':
        this.leases.release(mailLease(accountId)).catch(failed)
        return
      case 'updated':
        // The owner connects again, with the new settings.
        if (!this.leases.holds(mailLease(accountId))) return
        this.stopWorker(accountId).then(() => this.startWorker(accountId), failed)
        return
      case 'sync':
        this.workers.get(accountId)?.syncNow().catch(failed)
        return
    }
  }

  private holdMail(accountId: number): void {
    this.leases.hold(mailLease(accountId), {
      start: () => {
        this.startWorker(accountId)
        void this.resumeDeliveries(accountId).catch((error: unknown) =>
          this.log.warn({ account_id: accountId, err: errorSummary(error) }, 'mail resume failed'),
        )
      },
      stop: () => this.stopWorker(accountId),
    })
  }

  /**
   * Deliveries left by the node that ran the account's mail before (a restart, or another node
   * that died): queued ones are sent; one caught sending may or may not have reached the server,
   * so it is marked failed for the user to retry rather than sent twice.
   */
  private async resumeDeliveries(accountId: number): Promise<void> {
    for (const { message_id: messageId, state } of await this.records.pendingOutbound(accountId)) {
      if (state === 'sending' && !this.delivering.has(messageId)) {
        await this.unitOfWork.run(async (tx) => {
          await this.records.transition(
            tx,
            messageId,
            ['sending'],
            'failed',
            'Sending was interrupted by a server restart; it may not have been sent. Retry to send it.',
          )
          await this.emitSent(tx, messageId)
        })
      } else if (state === 'queued') {
        this.scheduleDelivery(messageId)
      }
    }
  }

  // ---- accounts ------------------------------------------------------------------------------

  async createAccount(ownerId: number, body: CreateAccountBody): Promise<CreatedPlatformAccount> {
    return this.unitOfWork.run(async (tx) => {
      const created = await this.accounts.create(tx, ownerId, body)
      if (created.platform === 'email') {
        tx.events.control({ kind: 'mail_account', account_id: created.id, change: 'created' })
      }
      return created
    })
  }

  async updateAccount(
    ownerId: number,
    accountId: number,
    body: UpdateAccountBody,
  ): Promise<PlatformAccount> {
    await this.unitOfWork.run(async (tx) => {
      const reconnect = await this.accounts.update(tx, ownerId, accountId, body)
      if (reconnect && body.imap) {
        await this.accounts.setState(tx, accountId, 'connecting', null)
        tx.events.control({ kind: 'mail_account', account_id: accountId, change: 'updated' })
      }
    })
    await this.unitOfWork.durable()
    return this.accounts.toAccount(await this.accounts.requireOwned(ownerId, accountId))
  }

  async removeAccount(ownerId: number, accountId: number): Promise<PlatformAccount> {
    return this.unitOfWork.run(async (tx) => {
      const removed = await this.accounts.remove(tx, ownerId, accountId)
      tx.events.control({ kind: 'mail_account', account_id: accountId, change: 'removed' })
      return removed
    })
  }

  /** Fetches new mail now (or reconnects now when the connection is down), where it runs. */
  async syncAccount(ownerId: number, accountId: number): Promise<PlatformAccount> {
    const row = await this.accounts.requireOwned(ownerId, accountId)
    if (row.platform === 'email') {
      const worker = this.workers.get(accountId)
      if (worker) await worker.syncNow()
      // Another node runs this account's mail: it is asked to.
      else {
        await this.unitOfWork.run(async (tx) =>
          tx.events.control({ kind: 'mail_account', account_id: accountId, change: 'sync' }),
        )
      }
    }
    return this.accounts.toAccount(await this.accounts.requireOwned(ownerId, accountId))
  }

  private startWorker(accountId: number): void {
    if (this.stopped || this.workers.has(accountId)) return
    void this.accounts.find(accountId).then((row) => {
      const imap = row && this.accounts.mailServer(row, 'imap')
      if (!imap || this.stopped || this.workers.has(accountId)) return
      if (!this.leases.holds(mailLease(accountId))) return
      const current = () => this.workers.get(accountId) === worker && !this.stopped
      const worker: ImapWorker = new ImapWorker(
        imap,
        {
          cursor: async () => {
            const account = await this.accounts.find(accountId)
            return {
              uidValidity: account?.imap_uid_validity ?? null,
              lastUid: account?.imap_last_uid ?? 0,
            }
          },
          onState: (state, reason) => {
            if (!current()) return
            void this.unitOfWork
              .run((tx) => this.accounts.setState(tx, accountId, state, reason))
              .catch((error: unknown) =>
                this.log.warn({ account_id: accountId, err: errorSummary(error) }, 'state failed'),
              )
          },
          onMail: async (mail) => {
            if (current()) await this.importMail(accountId, mail)
          },
          onSynced: async () => {
            if (current())
              await this.unitOfWork.transaction((tx) => this.accounts.markSynced(tx, accountId))
          },
          onError: (message, error) =>
            this.log.warn({ account_id: accountId, err: errorSummary(error) }, message),
        },
        { ...this.options.imap, allowPrivateHosts: this.options.allowPrivateMailHosts ?? false },
      )
      this.workers.set(accountId, worker)
      worker.start()
    })
  }

  private async stopWorker(accountId: number): Promise<void> {
    const worker = this.workers.get(accountId)
    if (!worker) return
    this.workers.delete(accountId)
    await worker.stop()
  }

  // ---- email threads -------------------------------------------------------------------------

  /** A new email conversation with these recipients; its first message is the first mail. */
  async startEmailThread(
    ownerId: number,
    accountId: number,
    body: StartEmailThreadBody,
  ): Promise<Conversation> {
    const account = await this.accounts.requireOwned(ownerId, accountId)
    if (account.platform !== 'email') throw conflict('Only an email account can start a thread.')
    return this.unitOfWork.run(async (tx) => {
      const conversationId = await this.threads.create(
        tx,
        account,
        `outbound:${randomUUID()}`,
        body.subject,
        normalizeSubject(body.subject) || null,
        body.to,
      )
      return this.conversations.get(tx, conversationId, ownerId)
    })
  }

  /** Imports one fetched mail (once per Message-ID) and moves the account's cursor past it. */
  private importMail(accountId: number, mail: FetchedMail): Promise<void> {
    return this.unitOfWork.run(async (tx) => {
      const account = await this.accounts.find(accountId, tx)
      if (!account) return
      const externalId =
        mail.messageId ??
        `<imap.${mail.uidValidity}.${mail.uid}@account-${accountId}.tidings.invalid>`
      if (!(await this.records.byExternalId(tx, accountId, externalId))) {
        await this.storeMail(tx, account, externalId, mail)
      }
      await this.accounts.saveMailCursor(tx, accountId, mail.uidValidity, mail.uid)
    })
  }

  private async storeMail(
    tx: Tx,
    account: AccountRow,
    externalId: string,
    mail: FetchedMail,
  ): Promise<void> {
    const own = account.address?.toLowerCase()
    const participants = [mail.from?.address, ...mail.recipients].filter(
      (a): a is string => !!a && a.toLowerCase() !== own,
    )
    const related = [...messageIds(mail.references), ...(mail.inReplyTo ? [mail.inReplyTo] : [])]
    const normalized = normalizeSubject(mail.subject)
    let conversationId = await this.records.conversationOfAny(tx, account.id, related)
    if (conversationId === undefined && normalized) {
      conversationId = await this.threads.bySubject(tx, account.id, normalized)
    }
    if (conversationId === undefined) {
      conversationId = await this.threads.create(
        tx,
        account,
        `email:${externalId}`,
        mail.subject ?? '(no subject)',
        normalized || null,
        participants,
      )
    } else {
      await this.threads.addParticipants(tx, conversationId, participants)
    }
    const handle = mail.from?.address ?? 'unknown sender'
    const contact =
      mail.from && (await this.contacts.findByHandle(tx, account.owner_id, mail.from.address))
    const name = contact?.name ?? mail.from?.name ?? handle
    const malformed = mail.problems.length > 0
    const text =
      mail.text ??
      '(This email could not be read. The original is kept on the server; see its state.)'
    const { message, record } = await this.records.storeInbound(tx, account, {
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
    tx.events.emit(
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

  /**
   * Runs inside the send's unit of work: records the mail as queued and announces it; the node
   * running the account's mail sends it once this commits (a rolled-back send finds no queued
   * row and sends nothing).
   */
  private async queueOutbound(tx: Tx, message: Message, conversation: Conversation) {
    const thread = await this.threads.ofConversation(tx, conversation.id)
    const account = thread && (await this.accounts.find(thread.account_id, tx))
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
    const previous = await this.records.idsOf(tx, conversation.id)
    if (account.platform === 'email') {
      const latest = await this.records.latestOf(tx, conversation.id)
      const baseSubject = latest?.subject ?? conversation.title ?? '(no subject)'
      const domain = account.address?.split('@')[1] ?? 'tidings.invalid'
      await this.records.queueOutbound(tx, message, account.id, {
        externalId: `<${randomUUID()}@${domain}>`,
        subject: previous.length > 0 ? replySubject(baseSubject) : baseSubject,
        from: account.address,
        fromName: account.display_name,
        to,
        inReplyTo: previous.at(-1) ?? null,
        references: previous.slice(-20).join(' ') || null,
      })
      tx.events.control({ kind: 'mail_queued', account_id: account.id, message_id: message.id })
    } else {
      // Bridged platforms: the record waits, queued, for the bridge to pick it up.
      await this.records.queueOutbound(tx, message, account.id, {
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
    const attempt = this.attempt(messageId)
      .catch((error: unknown) =>
        this.log.warn({ message_id: messageId, err: errorSummary(error) }, 'email delivery failed'),
      )
      .finally(() => this.delivering.delete(messageId))
    this.delivering.set(messageId, attempt)
    return attempt
  }

  private async attempt(messageId: number): Promise<void> {
    if (this.stopped) return
    const row = await this.records.row(messageId)
    if (!row || row.direction !== 'out') return
    const account = await this.accounts.find(row.account_id)
    if (!account || account.platform !== 'email') return
    const claimed = await this.unitOfWork.transaction((tx) =>
      this.records.transition(tx, messageId, ['queued'], 'sending', null, true),
    )
    if (!claimed) return
    const message = await this.messages.get(this.db, messageId)
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
      result = await sendMail(
        smtp,
        {
          from: { name: account.display_name, address: account.address },
          to,
          subject: row.subject ?? '(no subject)',
          text: message.text,
          messageId: row.external_id,
          inReplyTo: row.in_reply_to,
          references: messageIds(row.references_header),
        },
        this.options.allowPrivateMailHosts ?? false,
      )
    }
    // Shutting down: the row stays 'sending' and the next owner marks it for a retry.
    if (this.stopped) return
    if (!result.ok) {
      this.log.warn(
        {
          account_id: account.id,
          message_id: messageId,
          reason: result.reason,
          ...(result.cause ? { err: errorSummary(result.cause) } : {}),
        },
        'email delivery failed',
      )
    }
    await this.unitOfWork.run(async (tx) => {
      await this.records.transition(
        tx,
        messageId,
        ['sending'],
        result.ok ? 'sent' : 'failed',
        result.ok ? null : result.reason,
      )
      await this.emitSent(tx, messageId)
    })
    // Committed before the attempt counts as done: a retry reads the outcome right after.
    await this.unitOfWork.durable()
  }

  private async emitSent(tx: Tx, messageId: number): Promise<void> {
    const record = await this.records.record(messageId, tx)
    const account = record && (await this.accounts.find(record.account_id, tx))
    if (!record || !account || (record.state !== 'sent' && record.state !== 'failed')) return
    tx.events.emit(
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

  /**
   * Sends a failed mail again; returns its record after the attempt. On the node running the
   * account's mail the attempt runs here; elsewhere the mail is queued again for that node, and
   * this waits for the outcome.
   */
  async retry(
    ownerId: number,
    accountId: number,
    messageId: number,
  ): Promise<ExternalMessageRecord> {
    const account = await this.accounts.requireOwned(ownerId, accountId)
    const row = await this.records.row(messageId)
    if (!row || row.account_id !== account.id || row.direction !== 'out') {
      throw notFound('Outgoing message')
    }
    if (account.platform !== 'email') throw wrongState('Only email can be retried from here.')
    if (row.state === 'sent') throw wrongState('This email was already sent.')
    if (row.state === 'sending' || this.delivering.has(messageId)) {
      throw wrongState('This email is being sent right now.')
    }
    if (this.leases.holds(mailLease(accountId))) {
      await this.unitOfWork.transaction((tx) =>
        this.records.transition(tx, messageId, ['failed', 'queued'], 'queued', null),
      )
      await this.deliver(messageId)
      return (await this.records.record(messageId))!
    }
    await this.unitOfWork.run(async (tx) => {
      await this.records.transition(tx, messageId, ['failed', 'queued'], 'queued', null)
      tx.events.control({ kind: 'mail_queued', account_id: accountId, message_id: messageId })
    })
    return this.settledRecord(messageId)
  }

  /** The record once it left queued and sending (or as it is after the wait). */
  private async settledRecord(messageId: number): Promise<ExternalMessageRecord> {
    const deadline = Date.now() + (this.options.retryWaitMs ?? 60_000)
    for (;;) {
      const record = (await this.records.record(messageId))!
      if ((record.state !== 'queued' && record.state !== 'sending') || Date.now() > deadline) {
        return record
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  // ---- bridges -------------------------------------------------------------------------------

  /** A message a bridge posted; lands in the conversation of its external thread. */
  inbound(
    account: AccountRow,
    body: BridgeInboundBody,
  ): Promise<{ message: Message; created: boolean }> {
    return this.unitOfWork.run(async (tx) => {
      const existing = await this.records.byExternalId(tx, account.id, body.external_id)
      if (existing) {
        return { message: (await this.messages.get(tx, existing.message_id))!, created: false }
      }
      const key = `thread:${body.external_thread_id}`
      let conversationId = await this.threads.byKey(tx, account.id, key)
      if (conversationId === undefined) {
        conversationId = await this.threads.create(
          tx,
          account,
          key,
          body.thread_title ?? body.sender.name,
          null,
          [body.sender.handle],
        )
      } else {
        await this.threads.addParticipants(tx, conversationId, [body.sender.handle])
      }
      const { message, created } = await this.records.storeInbound(tx, account, {
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
  async bridgeOutbox(account: AccountRow): Promise<BridgeOutboxItem[]> {
    const items: BridgeOutboxItem[] = []
    for (const row of await this.records.queuedForBridge(account.id)) {
      const message = await this.messages.get(this.db, row.message_id)
      const record = await this.records.record(row.message_id)
      if (!message || !record) continue
      items.push({
        message_id: row.message_id,
        conversation_id: row.conversation_id,
        external_thread_id: row.thread_key?.startsWith('thread:')
          ? row.thread_key.slice('thread:'.length)
          : null,
        to: record.to,
        text: message.text,
        created_at: message.created_at,
      })
    }
    return items
  }

  /** The bridge delivered a queued message, or gave up on it. */
  async bridgeOutboxResult(
    account: AccountRow,
    messageId: number,
    body: BridgeOutboxResultBody,
  ): Promise<ExternalMessageRecord> {
    const row = await this.records.row(messageId)
    if (!row || row.account_id !== account.id || row.direction !== 'out') {
      throw notFound('Outgoing message')
    }
    const reason =
      body.state === 'failed' ? body.reason || 'The bridge could not deliver it.' : null
    const moved = await this.unitOfWork.transaction((tx) =>
      this.records.transition(tx, messageId, ['queued'], body.state, reason, true),
    )
    if (!moved) throw wrongState(`This message is already ${row.state}.`)
    return (await this.records.record(messageId))!
  }

  /** A bridge reports its link to the platform as up or down. */
  async bridgeStatus(account: AccountRow, body: BridgeStatusBody): Promise<PlatformAccount> {
    return (await this.unitOfWork.run((tx) =>
      this.accounts.setState(
        tx,
        account.id,
        body.state,
        body.state === 'error' ? body.reason || 'The bridge lost its connection.' : null,
      ),
    ))!
  }
}
