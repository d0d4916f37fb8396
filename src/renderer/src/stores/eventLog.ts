import { create } from 'zustand'
import type { EventType } from '../../../shared/eventTypes'
import type { AnyTidingsEvent } from '../../../shared/events'

export interface LoggedEvent {
  seq: number
  received_at: number
  event: AnyTidingsEvent
}

export const EVENT_LOG_LIMIT = 500

interface EventLogStore {
  /** Newest first, at most EVENT_LOG_LIMIT. */
  entries: LoggedEvent[]
  filter: EventType | 'all'
  add(event: AnyTidingsEvent, receivedAt?: number): void
  clear(): void
  setFilter(filter: EventType | 'all'): void
}

let seq = 0

export const useEventLog = create<EventLogStore>()((set, get) => ({
  entries: [],
  filter: 'all',
  add: (event, receivedAt = Date.now()) => {
    const entry = { seq: ++seq, received_at: receivedAt, event }
    set({ entries: [entry, ...get().entries].slice(0, EVENT_LOG_LIMIT) })
  },
  clear: () => set({ entries: [] }),
  setFilter: (filter) => set({ filter }),
}))
