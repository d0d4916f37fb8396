import type pg from 'pg'

/** The channel a node notifies after committing events. */
export const EVENTS_CHANNEL = 'tidings_events'
/** The channel typing indicators cross between nodes. */
export const TYPING_CHANNEL = 'tidings_typing'

/**
 * One connection of a node that LISTENs on the cluster's channels, reconnecting with backoff when
 * it is lost (a database restart, pg_terminate_backend). While it is down nothing is missed for
 * good: events are also read on a timer (eventTailer), and typing indicators are ephemeral.
 */
export class NotificationListener {
  private client: pg.Client | undefined
  private stopped = false
  private retryMs = 100
  private retryTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly connect: () => pg.Client,
    private readonly handlers: Record<string, (payload: string) => void>,
    /** Told when the listener (re)connected: events may have been missed meanwhile. */
    private readonly onConnected: () => void,
    private readonly reportError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    await this.open()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  private async open(): Promise<void> {
    if (this.stopped) return
    const client = this.connect()
    client.on('notification', (message) => {
      this.handlers[message.channel]?.(message.payload ?? '')
    })
    const lost = (error?: unknown) => {
      if (this.client !== client) return
      this.client = undefined
      if (error) this.reportError(error)
      client.end().catch(() => undefined)
      this.retry()
    }
    client.on('error', lost)
    client.on('end', () => lost())
    try {
      await client.connect()
      for (const channel of Object.keys(this.handlers)) await client.query(`LISTEN ${channel}`)
    } catch (error) {
      client.end().catch(() => undefined)
      this.reportError(error)
      this.retry()
      return
    }
    if (this.stopped) {
      await client.end().catch(() => undefined)
      return
    }
    this.client = client
    this.retryMs = 100
    this.onConnected()
  }

  private retry(): void {
    if (this.stopped) return
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => void this.open(), this.retryMs)
    this.retryTimer.unref()
    this.retryMs = Math.min(this.retryMs * 2, 5_000)
  }
}
