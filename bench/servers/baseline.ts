import { createHash } from 'node:crypto'
import { Layout, type BenchConfig } from '../shared'

/**
 * The state both comparison servers share: the same users, tokens (looked up by SHA-256 hash, as
 * Tidings does), conversations, and the same event envelopes as Tidings sends. Nothing is stored.
 */
export class BaselineState {
  readonly layout: Layout
  private readonly tokenHashes = new Map<string, number>()
  private readonly members = new Map<number, Set<number>>()
  private nextEventId = 1
  private nextMessageId = 1

  constructor(config: BenchConfig) {
    this.layout = new Layout(config)
    for (let id = 1; id <= config.users; id += 1) {
      this.tokenHashes.set(hash(this.layout.token(id)), id)
    }
    for (let id = 1; id <= this.layout.bigId; id += 1) {
      this.members.set(id, new Set(this.layout.members(id)))
    }
  }

  /** The user a token belongs to, or undefined. */
  authenticate(token: unknown): number | undefined {
    if (typeof token !== 'string' || token.length > 128) return undefined
    return this.tokenHashes.get(hash(token))
  }

  isMember(conversationId: number, userId: number): boolean {
    return this.members.get(conversationId)?.has(userId) ?? false
  }

  memberIds(conversationId: number): Iterable<number> {
    return this.members.get(conversationId) ?? []
  }

  peersOf(userId: number): number[] {
    const peers = new Set<number>()
    for (const id of this.layout.conversationsOf(userId)) {
      for (const member of this.memberIds(id)) if (member !== userId) peers.add(member)
    }
    return [...peers]
  }

  event(type: string, data: unknown): string {
    const id = this.nextEventId++
    return JSON.stringify({ type, id, timestamp: new Date().toISOString(), timezone: 'UTC', data })
  }

  /** The message_sent and message_received envelopes Tidings would send for this message. */
  message(senderId: number, conversationId: number, text: string, clientId: string) {
    const senderName = `Bench User ${senderId}`
    const message = {
      id: this.nextMessageId++,
      conversation_id: conversationId,
      sender_id: senderId,
      sender_name: senderName,
      client_id: clientId,
      text,
      created_at: new Date().toISOString(),
      edited_at: null,
      deleted_at: null,
      reply_to: null,
    }
    const data = {
      conversation_id: conversationId,
      conversation_title: this.layout.title(conversationId),
      sender_name: senderName,
      message,
    }
    return {
      message,
      sent: this.event('message_sent', data),
      received: this.event('message_received', data),
    }
  }

  person(userId: number, online: boolean) {
    return {
      user: {
        id: userId,
        username: this.layout.username(userId),
        display_name: `Bench User ${userId}`,
        role: 'member',
        online,
      },
    }
  }
}

/** Per-user online/offline with the same 15 s grace Tidings uses. */
export class BaselinePresence {
  private readonly counts = new Map<number, number>()
  private readonly timers = new Map<number, NodeJS.Timeout>()

  constructor(private readonly announce: (userId: number, online: boolean) => void) {}

  connected(userId: number): void {
    const count = (this.counts.get(userId) ?? 0) + 1
    this.counts.set(userId, count)
    if (count > 1) return
    const timer = this.timers.get(userId)
    if (timer) {
      clearTimeout(timer)
      this.timers.delete(userId)
      return
    }
    this.announce(userId, true)
  }

  disconnected(userId: number): void {
    const count = (this.counts.get(userId) ?? 1) - 1
    if (count > 0) {
      this.counts.set(userId, count)
      return
    }
    this.counts.delete(userId)
    const timer = setTimeout(() => {
      this.timers.delete(userId)
      if (!this.counts.has(userId)) this.announce(userId, false)
    }, 15_000)
    timer.unref()
    this.timers.set(userId, timer)
  }
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
