import { create } from 'zustand'
import type { InvokeRequest, OutboxItem, OutboxStatus } from '../../../shared/ipc'
import { Limits } from '../../../shared/limits'
import type { Message, MessagePage, ReplyPreview } from '../../../shared/models'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { ipc, errorMessage } from '../ipcClient'
import { isThreadOnly } from '../../../shared/threads'
import { translate } from './locale'
import { currentQuote } from './replies'

const messages = defineMessages({
  notEdited: {
    id: 'message.error.notEdited',
    defaultMessage: 'The message was not edited: {reason}',
  },
  notDeleted: {
    id: 'message.error.notDeleted',
    defaultMessage: 'The message was not deleted: {reason}',
  },
  reactionNotSaved: {
    id: 'message.error.reactionNotSaved',
    defaultMessage: 'The reaction was not saved: {reason}',
  },
})

export interface ThreadState {
  /** Ascending by id, no duplicates. */
  messages: Message[]
  /** Pass as `before` for the next older page; null at the start of history. */
  nextBefore: number | null
  /** True once the newest page was fetched (live messages may arrive before that). */
  loaded: boolean
  loadingOlder: boolean
  error: string | null
}

interface MessagesStore {
  threads: Record<number, ThreadState>
  /** The user's own sends by client_id, as main's outbox reports them. */
  outbox: Record<string, OutboxItem>
  /** Loads the newest page (`limit` messages, the usual page size unless given). */
  loadLatest(conversationId: number, limit?: number): Promise<void>
  /** Loads the next older page (`limit` messages, the usual page size unless given). */
  loadOlder(conversationId: number, limit?: number): Promise<void>
  /**
   * Inserts or replaces a message. `create` false (a new state of an existing message: an edit or
   * a deletion) only replaces one in the cached thread or fills one in within its loaded range.
   */
  upsert(message: Message, create?: boolean): void
  applyOutbox(item: OutboxItem): void
  setOutbox(items: OutboxItem[]): void
  dropConversation(conversationId: number): void
  /** Forgets cached threads (after a resync), keeping the outbox. */
  clearThreads(): void
  /** Sends `text`, as a reply to the message `replyToId` when given, carrying uploaded files. */
  send(
    conversationId: number,
    text: string,
    replyToId?: number,
    attachmentIds?: number[],
  ): Promise<boolean>
  retry(clientId: string): Promise<void>
  edit(messageId: number, text: string): Promise<boolean>
  remove(messageId: number): Promise<boolean>
  /** Removes the link preview of one of the user's own messages, for good. */
  removePreview(messageId: number): Promise<boolean>
  /**
   * Adds the user's reaction with `emoji` to a message, or takes it back (`add` false). The
   * thread changes when the message_updated event arrives, not from the answer: the event is the
   * order all devices share.
   */
  react(conversationId: number, messageId: number, emoji: string, add: boolean): Promise<boolean>
  /** Why the last edit, delete, preview removal or reaction failed; null once cleared. */
  actionError: string | null
  clearActionError(): void
  reset(): void
}

const EMPTY_THREAD: ThreadState = {
  messages: [],
  nextBefore: null,
  loaded: false,
  loadingOlder: false,
  error: null,
}

/** Of two copies of one message, the later state (deleted beats edited beats original). */
function later(a: Message, b: Message): Message {
  if (a.deleted_at && !b.deleted_at) return a
  if (!a.deleted_at && b.deleted_at) return b
  if ((a.edited_at ?? '') > (b.edited_at ?? '')) return a
  return b
}

/**
 * Merges two id-ascending lists into one, without duplicates. The common cases (a live message
 * after the newest, an older page before the oldest, a new state of one known message) cost one
 * copy of the list; only overlapping lists take the general merge and sort.
 */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current
  if (isStrictlyAscending(incoming)) {
    if (current.length === 0) return incoming
    const first = incoming[0]!.id
    const last = incoming[incoming.length - 1]!.id
    if (first > current[current.length - 1]!.id) return current.concat(incoming)
    if (last < current[0]!.id) return incoming.concat(current)
    const at = incoming.length === 1 ? indexOfId(current, first) : -1
    if (at >= 0) {
      const next = current.slice()
      next[at] = later(current[at]!, incoming[0]!)
      return next
    }
  }
  const byId = new Map<number, Message>()
  for (const m of current) byId.set(m.id, m)
  for (const m of incoming) {
    const known = byId.get(m.id)
    byId.set(m.id, known ? later(known, m) : m)
  }
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

function isStrictlyAscending(messages: Message[]): boolean {
  for (let i = 1; i < messages.length; i += 1) {
    if (messages[i]!.id <= messages[i - 1]!.id) return false
  }
  return true
}

/** The index of the message with `id` in an id-ascending list, or -1. */
function indexOfId(messages: Message[], id: number): number {
  let low = 0
  let high = messages.length - 1
  while (low <= high) {
    const mid = (low + high) >>> 1
    const at = messages[mid]!.id
    if (at === id) return mid
    if (at < id) low = mid + 1
    else high = mid - 1
  }
  return -1
}

/** The loaded message with `id`, if the thread holds it. */
export function loadedMessage(thread: ThreadState | undefined, id: number): Message | undefined {
  return thread ? thread.messages[indexOfId(thread.messages, id)] : undefined
}

/**
 * True when the thread holds every stored message with an id of `id` or more: its pages reach
 * back to `id` (or to the start of history), and live messages keep it complete up to the newest.
 */
export function coversFrom(thread: ThreadState | undefined, id: number): boolean {
  if (!thread?.loaded) return false
  const first = thread.messages[0]
  return thread.nextBefore === null || (first !== undefined && first.id <= id)
}

/**
 * The live messages a thread took before its first page, less those the page says are older than
 * itself (`nextBefore`): older pages bring them, in order, where kept they would leave a gap.
 */
function withinFirstPage(live: Message[], nextBefore: number | null): Message[] {
  return nextBefore === null ? live : live.filter((m) => m.id >= nextBefore)
}

export const useMessages = create<MessagesStore>()((set, get) => {
  /** Bumped by reset(): a page asked for before it belongs to the previous user. */
  let generation = 0
  /**
   * Counts the copies that came from events or answers (`upsert`). A history page is a snapshot
   * taken some time after it was asked for, and a change that leaves `edited_at` alone (a
   * reaction) cannot be told newer than it by comparing the two: a copy upserted after the page was
   * asked for is at least as new as the page's (a change only the page has sends its own event).
   */
  let upserts = 0
  /**
   * The last upserted copy of each message and the `upserts` count then, kept only while a page is
   * awaited; also the copies of messages the thread did not take (above its pages), which the page
   * may bring.
   */
  const upserted = new Map<number, { at: number; message: Message }>()
  let pagesAwaited = 0
  /** Asks for a page; its copies of messages upserted since the question give way to those. */
  async function fetchPage(request: InvokeRequest<'messages/history'>): Promise<MessagePage> {
    const asked = upserts
    pagesAwaited += 1
    try {
      const page = await ipc()['messages/history'](request)
      const messages = page.messages.map((m) => {
        const live = upserted.get(m.id)
        return live !== undefined && live.at > asked ? live.message : m
      })
      return { ...page, messages }
    } finally {
      pagesAwaited -= 1
      if (pagesAwaited === 0) upserted.clear()
    }
  }
  function patchThread(id: number, change: (t: ThreadState) => ThreadState): void {
    const current = get().threads[id] ?? EMPTY_THREAD
    set({ threads: { ...get().threads, [id]: change(current) } })
  }
  return {
    threads: {},
    outbox: {},
    loadLatest: async (conversationId, limit = Limits.historyPageSize) => {
      const asked = generation
      try {
        const page = await fetchPage({ conversation_id: conversationId, limit })
        if (asked !== generation) return
        patchThread(conversationId, (t) => ({
          ...t,
          messages: mergeMessages(
            t.loaded ? t.messages : withinFirstPage(t.messages, page.next_before),
            page.messages,
          ),
          nextBefore: t.loaded ? t.nextBefore : page.next_before,
          loaded: true,
          error: null,
        }))
      } catch (error) {
        if (asked === generation) {
          patchThread(conversationId, (t) => ({ ...t, error: errorMessage(error) }))
        }
      }
    },
    loadOlder: async (conversationId, limit = Limits.historyPageSize) => {
      const thread = get().threads[conversationId]
      if (!thread || !thread.loaded || thread.loadingOlder || thread.nextBefore === null) return
      const before = thread.nextBefore
      patchThread(conversationId, (t) => ({ ...t, loadingOlder: true }))
      const asked = generation
      try {
        const page = await fetchPage({
          conversation_id: conversationId,
          before,
          limit,
        })
        if (asked !== generation) return
        patchThread(conversationId, (t) => ({
          ...t,
          messages: mergeMessages(t.messages, page.messages),
          nextBefore: page.next_before,
          loadingOlder: false,
          error: null,
        }))
      } catch (error) {
        if (asked !== generation) return
        patchThread(conversationId, (t) => ({
          ...t,
          loadingOlder: false,
          error: errorMessage(error),
        }))
      }
    },
    upsert: (message, create = true) => {
      // A reply in a thread only is the thread panel's (stores/threadPanel.ts), not the channel's.
      if (isThreadOnly(message)) return
      const thread = get().threads[message.conversation_id]
      const known = thread !== undefined && indexOfId(thread.messages, message.id) >= 0
      upserts += 1
      if (pagesAwaited > 0) upserted.set(message.id, { at: upserts, message })
      // A message older than the loaded pages would otherwise sit right above the oldest loaded
      // one, with everything in between missing; its page brings it when loaded. An edit, or the
      // late event of an old message (events replayed after a reconnect, or still on their way
      // to a window that reloaded and fetched the newest page first). Before the first page
      // (not loaded) new messages are kept: that page trims those older than itself.
      const olderThanPages = !known && !coversFrom(thread, message.id)
      if (olderThanPages && (!create || thread?.loaded)) return
      patchThread(message.conversation_id, (t) => ({
        ...t,
        messages: mergeMessages(t.messages, [message]),
      }))
    },
    applyOutbox: (item) => {
      set({ outbox: { ...get().outbox, [item.client_id]: item } })
      if (item.message) get().upsert(item.message)
    },
    setOutbox: (items) => {
      const outbox: Record<string, OutboxItem> = {}
      for (const item of items) outbox[item.client_id] = item
      set({ outbox })
    },
    dropConversation: (conversationId) => {
      const threads = { ...get().threads }
      delete threads[conversationId]
      const outbox: Record<string, OutboxItem> = {}
      for (const item of Object.values(get().outbox)) {
        if (item.conversation_id !== conversationId) outbox[item.client_id] = item
      }
      set({ threads, outbox })
    },
    clearThreads: () => set({ threads: {} }),
    send: async (conversationId, text, replyToId, attachmentIds) => {
      try {
        const request = {
          conversation_id: conversationId,
          text,
          ...(replyToId !== undefined ? { reply_to_id: replyToId } : {}),
          ...(attachmentIds && attachmentIds.length > 0 ? { attachment_ids: attachmentIds } : {}),
        }
        get().applyOutbox(await ipc()['messages/send'](request))
        return true
      } catch (error) {
        patchThread(conversationId, (t) => ({ ...t, error: errorMessage(error) }))
        return false
      }
    },
    retry: async (clientId) => {
      try {
        get().applyOutbox(await ipc()['messages/retry']({ client_id: clientId }))
      } catch (error) {
        const item = get().outbox[clientId]
        if (item) get().applyOutbox({ ...item, status: 'failed', error: errorMessage(error) })
      }
    },
    edit: async (messageId, text) => {
      try {
        get().upsert(await ipc()['messages/edit']({ message_id: messageId, text }), false)
        set({ actionError: null })
        return true
      } catch (error) {
        set({ actionError: translate(messages.notEdited, { reason: errorMessage(error) }) })
        return false
      }
    },
    remove: async (messageId) => {
      try {
        get().upsert(await ipc()['messages/delete']({ message_id: messageId }), false)
        set({ actionError: null })
        return true
      } catch (error) {
        set({ actionError: translate(messages.notDeleted, { reason: errorMessage(error) }) })
        return false
      }
    },
    removePreview: async (messageId) => {
      try {
        get().upsert(await ipc()['previews/remove']({ message_id: messageId }), false)
        set({ actionError: null })
        return true
      } catch (error) {
        set({ actionError: `The preview was not removed: ${errorMessage(error)}` })
        return false
      }
    },
    react: async (conversationId, messageId, emoji, add) => {
      try {
        await ipc()['messages/react']({
          conversation_id: conversationId,
          message_id: messageId,
          emoji,
          add,
        })
        set({ actionError: null })
        return true
      } catch (error) {
        set({ actionError: translate(messages.reactionNotSaved, { reason: errorMessage(error) }) })
        return false
      }
    },
    actionError: null,
    clearActionError: () => set({ actionError: null }),
    reset: () => {
      generation += 1
      set({ threads: {}, outbox: {}, actionError: null })
    },
  }
})

/**
 * True for the user's own messages. A message from a connected platform (an email) carries the
 * account owner as `sender_id` but an `external_sender`: it was received, not sent.
 */
export function isOwnMessage(message: Message, selfId: number | null): boolean {
  return selfId !== null && message.sender_id === selfId && !message.external_sender
}

/** One row of a thread: a stored message, or an own send not stored yet. */
export interface ThreadEntry {
  /** Stable across pending → sent, so the row is not re-created. */
  key: string
  id: number | null
  sender_id: number
  sender_name: string
  text: string
  created_at: string
  edited_at: string | null
  deleted_at: string | null
  /** The quote of the message this one replies to (see currentQuote); null when not a reply. */
  reply_to: ReplyPreview | null
  own: boolean
  /** For own messages: pending, sent or failed; null for others' messages. */
  status: OutboxStatus | null
  error: string | null
  client_id: string
  message: Message | null
}

/**
 * The rows of one thread: stored messages ascending by id, then own sends still pending or
 * failed (by creation time). An outbox item is dropped once its message (same client_id) is in
 * the list, so nothing shows twice. With `threadRootId` the rows are that thread's replies (in
 * its panel); without, the channel's, where a thread reply shows only if also sent to it.
 */
export function buildThread(
  thread: Pick<ThreadState, 'messages'> | undefined,
  outbox: Record<string, OutboxItem>,
  conversationId: number,
  selfId: number | null,
  selfName = 'You',
  threadRootId: number | null = null,
): ThreadEntry[] {
  const messages = thread?.messages ?? []
  const loaded = (id: number): Message | undefined => messages[indexOfId(messages, id)]
  const ownClientIds = new Set<string>()
  const entries: ThreadEntry[] = []
  for (const m of messages) {
    const own = isOwnMessage(m, selfId)
    if (own && m.client_id) ownClientIds.add(m.client_id)
    const item = own && m.client_id ? outbox[m.client_id] : undefined
    entries.push({
      key: m.client_id ? `${m.sender_id}:${m.client_id}` : `m:${m.id}`,
      id: m.id,
      sender_id: m.sender_id,
      sender_name: m.sender_name,
      text: m.text,
      created_at: m.created_at,
      edited_at: m.edited_at,
      deleted_at: m.deleted_at,
      // Events stored before replies existed carry no reply_to at all.
      reply_to: m.reply_to ? currentQuote(m.reply_to.id, m.reply_to, loaded) : null,
      own,
      status: own ? 'sent' : null,
      error: item?.error ?? null,
      client_id: m.client_id,
      message: m,
    })
  }
  const waiting = Object.values(outbox)
    .filter((o) => o.conversation_id === conversationId && !ownClientIds.has(o.client_id))
    .filter((o) =>
      threadRootId === null
        ? o.thread_root_id === null || o.also_to_channel
        : o.thread_root_id === threadRootId,
    )
    .filter((o) => o.status !== 'sent' || o.message === null)
    .sort((a, b) => a.created_at.localeCompare(b.created_at))
  for (const o of waiting) {
    entries.push({
      key: `${selfId ?? 0}:${o.client_id}`,
      id: null,
      sender_id: selfId ?? 0,
      sender_name: selfName,
      text: o.text,
      created_at: o.created_at,
      edited_at: null,
      deleted_at: null,
      reply_to: currentQuote(o.reply_to_id ?? null, null, loaded),
      own: true,
      status: o.status,
      error: o.error,
      client_id: o.client_id,
      message: null,
    })
  }
  return entries
}
