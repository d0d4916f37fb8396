import { create } from 'zustand'
import type { EventType } from '../../../shared/eventTypes'
import type { AnyTidingsEvent } from '../../../shared/events'

/**
 * The event monitor's list (Ctrl+Shift+E): the stream events this window received, newest first.
 * Only for showing; the server's event log is another thing (server/realtime/eventLog.ts).
 */
export interface MonitoredEvent {
  seq: number
  received_at: number
  event: AnyTidingsEvent
}

export const EVENT_MONITOR_LIMIT = 500

interface EventMonitorStore {
  /** Newest first, at most EVENT_MONITOR_LIMIT. */
  entries: MonitoredEvent[]
  filter: EventType | 'all'
  add(event: AnyTidingsEvent, receivedAt?: number): void
  clear(): void
  setFilter(filter: EventType | 'all'): void
}

let seq = 0

export const useEventMonitor = create<EventMonitorStore>()((set, get) => ({
  entries: [],
  filter: 'all',
  add: (event, receivedAt = Date.now()) => {
    const entry = { seq: ++seq, received_at: receivedAt, event }
    set({ entries: [entry, ...get().entries].slice(0, EVENT_MONITOR_LIMIT) })
  },
  clear: () => set({ entries: [] }),
  setFilter: (filter) => set({ filter }),
}))
