import type { ControlEvent, EventDelivery, OutgoingEvent } from '../storage/eventSink'
import type { ConnectionHub } from './connectionHub'

/**
 * The committed event log as this node's sockets see it: each batch is applied (its control
 * events) and delivered (its events) in log order, and the watermark is the id of the newest
 * event delivered. Everything at or below the watermark has reached every live connection it was
 * for; everything above it will. That is the line a connecting socket's replay reads up to
 * before it goes live (realtime/streamSession), so that no event falls between its replay and
 * its live stream or arrives in both.
 *
 * On SQLite the unit of work hands each batch over as it commits. On PostgreSQL every node tails
 * the log (postgres/eventTailer), its own batches included, so that the order of delivery is the
 * order of the ids whichever node wrote them.
 */
export class LiveFeed implements EventDelivery {
  private mark: number
  private readonly waiters = new Set<{ id: number; resolve: () => void }>()

  /**
   * `apply` applies one control event (see realtime/controlEvents); `committedMax` reads the
   * newest id committed anywhere (the same as the watermark on one node).
   */
  constructor(
    private readonly hub: ConnectionHub,
    private readonly apply: (control: ControlEvent) => void,
    private readonly committedMaxOf: () => Promise<number>,
    watermark: number,
    private readonly reportError: (error: unknown) => void,
    private readonly onDelivered: (events: number) => void = () => {},
  ) {
    this.mark = watermark
  }

  /** The id of the newest event delivered to this node's sockets. */
  get watermark(): number {
    return this.mark
  }

  deliverAll(
    events: readonly OutgoingEvent[],
    controls: readonly ControlEvent[],
    then?: () => void,
  ): void {
    for (const control of controls) {
      try {
        this.apply(control)
      } catch (error) {
        this.reportError(error)
      }
    }
    try {
      if (events.length > 0 || then) this.hub.deliverAll(events, then)
      this.onDelivered(events.length)
    } finally {
      const last = events.at(-1)?.id
      if (last !== undefined && last !== null) this.advance(last)
    }
  }

  /** Moves the watermark (a tail read past ids that hold nothing for this node). */
  advance(id: number): void {
    if (id <= this.mark) return
    this.mark = id
    for (const waiter of this.waiters) {
      if (waiter.id <= id) {
        this.waiters.delete(waiter)
        waiter.resolve()
      }
    }
  }

  /** The newest event id committed anywhere. */
  committedMax(): Promise<number> {
    return this.committedMaxOf()
  }

  /** Resolves true once the watermark reaches `id`, false after `timeoutMs` without. */
  reached(id: number, timeoutMs: number): Promise<boolean> {
    if (id <= this.mark) return Promise.resolve(true)
    return new Promise((resolve) => {
      const waiter = {
        id,
        resolve: () => {
          clearTimeout(timer)
          resolve(true)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        resolve(false)
      }, timeoutMs)
      this.waiters.add(waiter)
    })
  }
}
