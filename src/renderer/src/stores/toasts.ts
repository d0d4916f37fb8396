import { create } from 'zustand'
import type { EventType } from '../../../shared/eventTypes'

export const MAX_TOASTS = 5
export const TOAST_DURATION_MS = 5_000

/** The style of a toast: the event type it reports (or a local failure or notice). */
export type ToastKind = EventType | 'send_failed' | 'search'

export interface ToastInput {
  kind: ToastKind
  title: string
  body: string
  /** Clicking the toast opens this conversation. */
  conversation_id: number | null
  /** The message a `message_received` toast announces. */
  message_id?: number
  /** Clicking opens this thread's panel too (a reply shown in its thread only). */
  thread_root_id?: number
  /** RFC 3339 instant shown in the organization timezone. */
  timestamp: string
  level?: 'info' | 'warning' | 'critical'
}

export interface Toast extends ToastInput {
  id: number
  level: 'info' | 'warning' | 'critical'
  paused: boolean
}

interface ToastStore {
  /** Oldest first, at most MAX_TOASTS. */
  toasts: Toast[]
  push(input: ToastInput): number
  dismiss(id: number): void
  /** Takes away the toasts of a conversation's messages that are no longer news (read, deleted). */
  dismissMessages(conversationId: number, match: (messageId: number) => boolean): void
  /** Stops the auto-dismiss countdown (pointer or focus on the toast). */
  pause(id: number): void
  /** Restarts the countdown with the time that was left. */
  resume(id: number): void
  reset(): void
}

interface Countdown {
  timer: ReturnType<typeof setTimeout> | null
  remaining: number
  started_at: number
}

const countdowns = new Map<number, Countdown>()
let nextId = 0

export const useToasts = create<ToastStore>()((set, get) => {
  function start(id: number, ms: number): void {
    const countdown: Countdown = {
      timer: setTimeout(() => get().dismiss(id), ms),
      remaining: ms,
      started_at: Date.now(),
    }
    countdowns.set(id, countdown)
  }
  function stop(id: number): void {
    const countdown = countdowns.get(id)
    if (countdown?.timer != null) clearTimeout(countdown.timer)
    countdowns.delete(id)
  }
  return {
    toasts: [],
    push: (input) => {
      const id = ++nextId
      const toast: Toast = { ...input, level: input.level ?? 'info', id, paused: false }
      const all = [...get().toasts, toast]
      const dropped = all.slice(0, Math.max(0, all.length - MAX_TOASTS))
      for (const old of dropped) stop(old.id)
      set({ toasts: all.slice(-MAX_TOASTS) })
      start(id, TOAST_DURATION_MS)
      return id
    },
    dismiss: (id) => {
      stop(id)
      if (get().toasts.some((t) => t.id === id)) {
        set({ toasts: get().toasts.filter((t) => t.id !== id) })
      }
    },
    dismissMessages: (conversationId, match) => {
      const stale = get().toasts.filter(
        (t) =>
          t.conversation_id === conversationId && t.message_id !== undefined && match(t.message_id),
      )
      for (const toast of stale) get().dismiss(toast.id)
    },
    pause: (id) => {
      const countdown = countdowns.get(id)
      if (!countdown || countdown.timer == null) return
      clearTimeout(countdown.timer)
      const elapsed = Date.now() - countdown.started_at
      countdowns.set(id, {
        timer: null,
        remaining: Math.max(0, countdown.remaining - elapsed),
        started_at: 0,
      })
      set({ toasts: get().toasts.map((t) => (t.id === id ? { ...t, paused: true } : t)) })
    },
    resume: (id) => {
      const countdown = countdowns.get(id)
      if (!countdown || countdown.timer != null) return
      // Give the reader at least a moment after the pointer leaves.
      start(id, Math.max(countdown.remaining, 1_000))
      set({ toasts: get().toasts.map((t) => (t.id === id ? { ...t, paused: false } : t)) })
    },
    reset: () => {
      for (const id of [...countdowns.keys()]) stop(id)
      set({ toasts: [] })
    },
  }
})
