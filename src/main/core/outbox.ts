import { randomUUID } from 'node:crypto'
import type { OutboxItem } from '../../shared/ipc'
import type { Message } from '../../shared/models'
import { DEFAULT_BACKOFF, fullJitterDelayMs, type BackoffPolicy } from './backoff'
import { systemClock, type Clock, type TimerHandle } from './clock'
import { CoreError, CoreErrorCode } from './coreError'
import type { LocalStore } from './localStore'
import { ApiRequestError, type RestClient } from './restClient'

/** How many delivered sends to remember after delivery (for the UI's outbox/list). */
const SENT_ITEMS_KEPT = 200

export interface OutboxOptions {
  store: LocalStore
  /** Scopes the queue to one account on one server, so sends never leave with another token. */
  account: string
  rest: RestClient
  onChange(item: OutboxItem): void
  /** The server rejected the token: the send stays pending for the next sign-in. */
  onUnauthorized?(): void
  backoff?: BackoffPolicy
  clock?: Clock
  random?: () => number
}

/**
 * The user's sends on their way to the server. Each send gets a client_id at once and is stored
 * as pending before anything goes on the wire, so a send survives being offline, the app
 * quitting and the server restarting. Sends leave one at a time in the order they were made.
 * The server deduplicates by client_id, so repeating a send whose answer was lost is safe.
 */
/** What a queued send carries besides its text. */
export interface OutboxSendOptions {
  replyToId?: number
  attachmentIds?: number[]
  threadRootId?: number
  alsoToChannel?: boolean
}

export class Outbox {
  private readonly options: OutboxOptions
  private readonly clock: Clock
  private readonly backoff: BackoffPolicy
  private readonly random: () => number
  private draining = false
  private stopped = false
  /** Set while the last attempt failed for a transient reason; cleared by kick() or a success. */
  private retryTimer: TimerHandle | null = null
  private transientFailures = 0

  constructor(options: OutboxOptions) {
    this.options = options
    this.clock = options.clock ?? systemClock
    this.backoff = options.backoff ?? DEFAULT_BACKOFF
    this.random = options.random ?? Math.random
  }

  /**
   * Queues a new send (a reply when `replyToId` is given, carrying the uploads `attachmentIds`, in
   * a thread with `threadRootId`) and starts delivering it.
   */
  send(conversationId: number, text: string, options: OutboxSendOptions = {}): OutboxItem {
    const item: OutboxItem = {
      client_id: randomUUID(),
      conversation_id: conversationId,
      text,
      status: 'pending',
      error: null,
      created_at: new Date(this.clock.now()).toISOString(),
      reply_to_id: options.replyToId ?? null,
      attachment_ids: options.attachmentIds ?? [],
      thread_root_id: options.threadRootId ?? null,
      also_to_channel: options.threadRootId !== undefined && options.alsoToChannel === true,
      message: null,
    }
    this.options.store.insertOutboxItem(this.options.account, item)
    this.options.onChange(item)
    this.kick()
    return item
  }

  /** Puts a failed send back in the queue, behind nothing: it keeps its original place. */
  retry(clientId: string): OutboxItem {
    const item = this.options.store.getOutboxItem(this.options.account, clientId)
    if (!item) throw new CoreError(CoreErrorCode.NotFound, `No send with client_id ${clientId}`)
    if (item.status !== 'failed') return item
    const pending: OutboxItem = { ...item, status: 'pending', error: null }
    this.options.store.updateOutboxItem(clientId, 'pending', null, null)
    this.options.onChange(pending)
    this.kick()
    return pending
  }

  list(): OutboxItem[] {
    return this.options.store.listOutboxItems(this.options.account)
  }

  /**
   * The server confirmed one of our messages through the event stream (message_sent). This
   * settles a send whose REST answer was lost, without another request.
   */
  confirmFromEvent(message: Message): void {
    const item = this.options.store.getOutboxItem(this.options.account, message.client_id)
    if (!item || item.status === 'sent') return
    this.markSent(item, message)
  }

  /** Try now: called at start, when the events socket connects, and after each new send. */
  kick(): void {
    if (this.stopped) return
    this.clock.clearTimeout(this.retryTimer)
    this.retryTimer = null
    void this.drain()
  }

  stop(): void {
    this.stopped = true
    this.clock.clearTimeout(this.retryTimer)
    this.retryTimer = null
  }

  /** True while a send is on the wire. */
  get busy(): boolean {
    return this.draining
  }

  private async drain(): Promise<void> {
    if (this.draining) return
    this.draining = true
    try {
      for (;;) {
        if (this.stopped || this.retryTimer !== null) return
        const item = this.options.store.nextPendingOutboxItem(this.options.account)
        if (!item) return
        const delivered = await this.deliver(item)
        if (!delivered) return
      }
    } finally {
      this.draining = false
    }
  }

  /** One attempt; false when the queue must pause (the item stays pending and first in line). */
  private async deliver(item: OutboxItem): Promise<boolean> {
    try {
      const message = await this.options.rest.sendMessage(item.conversation_id, {
        text: item.text,
        client_id: item.client_id,
        ...(item.reply_to_id !== null ? { reply_to_id: item.reply_to_id } : {}),
        ...(item.attachment_ids.length > 0 ? { attachment_ids: item.attachment_ids } : {}),
        ...(item.thread_root_id !== null ? { thread_root_id: item.thread_root_id } : {}),
        ...(item.also_to_channel ? { also_to_channel: true } : {}),
      })
      if (this.stopped) return false
      this.transientFailures = 0
      this.markSent(item, message)
      return true
    } catch (error) {
      if (this.stopped) return false
      if (error instanceof ApiRequestError && error.status === 401) {
        // Not this send's fault: the session ended. Keep it pending and let the core sign out.
        this.options.onUnauthorized?.()
        return false
      }
      if (error instanceof ApiRequestError && !error.transient) {
        // The server refused this send for good (not a member, too long, ...). Later sends are
        // independent, so the queue moves on; the user may retry this one.
        const failed: OutboxItem = { ...item, status: 'failed', error: error.message }
        this.options.store.updateOutboxItem(item.client_id, 'failed', error.message, null)
        this.options.onChange(failed)
        return true
      }
      this.scheduleRetry()
      return false
    }
  }

  private markSent(item: OutboxItem, message: Message): void {
    // The event stream and the REST answer may both confirm the same send; report it once.
    const current = this.options.store.getOutboxItem(this.options.account, item.client_id)
    if (current?.status === 'sent') return
    const sent: OutboxItem = { ...item, status: 'sent', error: null, message }
    this.options.store.updateOutboxItem(item.client_id, 'sent', null, message)
    this.options.store.pruneSentOutboxItems(this.options.account, SENT_ITEMS_KEPT)
    this.options.onChange(sent)
  }

  /**
   * Offline or overloaded server: wait with backoff. A reconnect of the events socket calls
   * kick(), which retries at once without waiting for the timer.
   */
  private scheduleRetry(): void {
    const delay = fullJitterDelayMs(this.transientFailures, this.backoff, this.random)
    this.transientFailures += 1
    this.clock.clearTimeout(this.retryTimer)
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null
      void this.drain()
    }, delay)
  }
}
