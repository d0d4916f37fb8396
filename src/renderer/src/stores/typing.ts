import { create } from 'zustand'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translator } from '../../../shared/i18n/translator'
import { Limits } from '../../../shared/limits'
import { ipc } from '../ipcClient'

/** A typing notice lapses after this long without a refresh (the sender repeats every ~2 s). */
export const TYPING_EXPIRY_MS = 6_000

export interface TypingEntry {
  user_id: number
  display_name: string
  expires_at: number
}

interface TypingStore {
  /** conversation id → user id → entry */
  byConversation: Record<number, Record<number, TypingEntry>>
  set(
    conversationId: number,
    userId: number,
    displayName: string,
    isTyping: boolean,
    now?: number,
  ): void
  clear(conversationId: number, userId: number): void
  /**
   * When the user last told others they are typing, per conversation (the throttle of
   * notifyTyping below).
   */
  sentAt: Record<number, number>
  reset(): void
}

const timers = new Map<string, ReturnType<typeof setTimeout>>()

function cancel(key: string): void {
  const timer = timers.get(key)
  if (timer !== undefined) clearTimeout(timer)
  timers.delete(key)
}

export const useTyping = create<TypingStore>()((set, get) => {
  function remove(conversationId: number, userId: number): void {
    cancel(`${conversationId}:${userId}`)
    const current = get().byConversation[conversationId]
    if (!current || !(userId in current)) return
    const rest = { ...current }
    delete rest[userId]
    const byConversation = { ...get().byConversation }
    if (Object.keys(rest).length === 0) delete byConversation[conversationId]
    else byConversation[conversationId] = rest
    set({ byConversation })
  }
  return {
    byConversation: {},
    set: (conversationId, userId, displayName, isTyping, now = Date.now()) => {
      if (!isTyping) {
        remove(conversationId, userId)
        return
      }
      const key = `${conversationId}:${userId}`
      cancel(key)
      timers.set(
        key,
        setTimeout(() => remove(conversationId, userId), TYPING_EXPIRY_MS),
      )
      const entry: TypingEntry = {
        user_id: userId,
        display_name: displayName,
        expires_at: now + TYPING_EXPIRY_MS,
      }
      const byConversation = get().byConversation
      set({
        byConversation: {
          ...byConversation,
          [conversationId]: { ...byConversation[conversationId], [userId]: entry },
        },
      })
    },
    clear: remove,
    sentAt: {},
    reset: () => {
      for (const key of [...timers.keys()]) cancel(key)
      set({ byConversation: {}, sentAt: {} })
    },
  }
})

/**
 * Tells main the user is (or stopped) typing. "Typing" is sent at most once per
 * `Limits.typingThrottleMs`; "stopped" only after a "typing" was sent.
 */
export function notifyTyping(conversationId: number, isTyping: boolean, now = Date.now()): void {
  const { sentAt } = useTyping.getState()
  const last = sentAt[conversationId]
  if (isTyping) {
    if (last !== undefined && now - last < Limits.typingThrottleMs) return
    useTyping.setState({ sentAt: { ...sentAt, [conversationId]: now } })
  } else {
    if (last === undefined) return
    const rest = { ...sentAt }
    delete rest[conversationId]
    useTyping.setState({ sentAt: rest })
  }
  const tidings = ipc()
  tidings['typing/set']({ conversation_id: conversationId, is_typing: isTyping }).catch(() => {})
}

const messages = defineMessages({
  one: { id: 'typing.one', defaultMessage: '{name} is typing…' },
  two: { id: 'typing.two', defaultMessage: '{first} and {second} are typing…' },
  several: { id: 'typing.several', defaultMessage: 'Several people are typing…' },
})

/** "Jane is typing…", "Jane and Bob are typing…", "Several people are typing…", or ''. */
export function typingText(entries: TypingEntry[], { t, formatLocale }: Translator): string {
  const names = entries.map((e) => e.display_name).sort((a, b) => a.localeCompare(b, formatLocale))
  const [first, second] = names
  if (first === undefined) return ''
  if (second === undefined) return t(messages.one, { name: first })
  if (names.length === 2) return t(messages.two, { first, second })
  return t(messages.several)
}
