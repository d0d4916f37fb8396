import type { Database } from '../db/database'
import type { EventLog, EventSink, OutgoingEvent } from './eventLog'

/** Something that sends events to connected sockets (the connection hub). */
export interface EventDelivery {
  deliver(event: OutgoingEvent): void
}

/**
 * Runs a change and the events it causes as one unit: the rows and the events commit together in
 * one transaction, and only then are the events delivered, so a client never sees an event whose
 * change was rolled back and never misses one that was stored. Everything runs in the same tick,
 * which is what makes replay-then-register on connect race-free.
 */
export class UnitOfWork {
  constructor(
    private readonly db: Database,
    private readonly log: EventLog,
    private readonly delivery: EventDelivery,
  ) {}

  run<T>(work: (events: EventSink) => T): T {
    const pending: OutgoingEvent[] = []
    const sink: EventSink = {
      emit: (type, data, audience) => {
        const recipients = [...new Set(audience)]
        if (recipients.length === 0) return
        pending.push(this.log.create(type, data, recipients, true))
      },
    }
    const result = this.db.transaction(() => work(sink))
    for (const event of pending) this.delivery.deliver(event)
    return result
  }
}
