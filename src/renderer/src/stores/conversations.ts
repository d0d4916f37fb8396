import { create } from 'zustand'
import type { Receipt } from '../../../shared/events'
import type { Conversation, Message, Person } from '../../../shared/models'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { ipc, errorMessage } from '../ipcClient'
import { translate } from './locale'

const messages = defineMessages({
  justYou: {
    id: 'conversation.title.justYou',
    defaultMessage: 'Just you',
    description: 'The name of a conversation the user is the only member of',
  },
})

interface ConversationsStore {
  byId: Record<number, Conversation>
  /** Ids, most recent activity first. */
  order: number[]
  /** The conversation shown in the thread pane. */
  activeId: number | null
  /**
   * Per conversation, the newest message id the list answer its `unread_count` comes from knew
   * (its last message, deleted ones included). That count covers the messages up to it as the
   * server saw them then, so whether it still includes one deleted since is unknown here; the
   * messages above it were counted one by one from events.
   */
  listedUpTo: Record<number, number>
  /**
   * Per conversation, the ids of messages from others that mention the user and were counted
   * unread from their events (see `hasUnreadMention`); gone when the conversation is read.
   */
  mentions: Record<number, number[]>
  loaded: boolean
  error: string | null
  /**
   * Conversations this window is leaving, until the server's removal event arrives (before or
   * after the answer): that removal is no news to show.
   */
  leaving: number[]
  load(): Promise<void>
  /** Loads the list once for a burst of calls (events about conversations it does not know). */
  reloadSoon(): void
  /** Inserts or replaces one; `unread_count` is kept (events always carry 0). */
  upsert(conversation: Conversation): void
  remove(id: number): void
  setActive(id: number | null): void
  /**
   * A new message: becomes the last message when newer; optionally counts as unread, and as an
   * unread mention of the user.
   */
  applyMessage(message: Message, options: { countUnread: boolean; mentionsMe?: boolean }): void
  /** A message no longer mentions the user (edited, deleted). */
  forgetMention(conversationId: number, messageId: number): void
  /** An edited or deleted message: refreshes the preview when it is the last message. */
  applyMessageChange(message: Message): void
  applyReceipt(conversationId: number, receipt: Receipt): void
  setUnread(id: number, count: number): void
  create(memberIds: number[], title?: string): Promise<Conversation | null>
  /** Renames a conversation; throws the server's refusal. */
  rename(id: number, title: string): Promise<void>
  /** Adds people to a group; throws the server's refusal. */
  addMembers(id: number, userIds: number[]): Promise<void>
  /** Removes another member (the creator or an admin may); throws the server's refusal. */
  removeMember(id: number, userId: number): Promise<void>
  /** The user leaves a conversation (removes themselves); throws the server's refusal. */
  leave(id: number, me: number): Promise<void>
  /** Whether the user was leaving this conversation (from this window); forgets it. */
  takeLeaving(id: number): boolean
  reset(): void
}

function activity(c: Conversation): number {
  const last = c.last_message ? Date.parse(c.last_message.created_at) : 0
  return Math.max(last, Date.parse(c.updated_at) || 0, Date.parse(c.created_at) || 0)
}

export function sortConversations(byId: Record<number, Conversation>): number[] {
  return Object.values(byId)
    .sort((a, b) => activity(b) - activity(a) || b.id - a.id)
    .map((c) => c.id)
}

/**
 * The list as shown: the pinned conversations first, in the order they were pinned, then the
 * rest in `order` (most recent activity first), so new messages reorder only the rest. Pins of
 * conversations not in the list (not loaded yet, or gone) are left out.
 */
export function pinnedFirst(
  order: readonly number[],
  pinnedIds: readonly number[],
): { pinned: number[]; rest: number[] } {
  const present = new Set(order)
  const pinned = pinnedIds.filter((id, i) => present.has(id) && pinnedIds.indexOf(id) === i)
  const isPinned = new Set(pinned)
  return { pinned, rest: order.filter((id) => !isPinned.has(id)) }
}

/**
 * What events changed while one list request was in flight. Its answer is a snapshot taken at
 * some moment of the flight, so on its own it would undo those changes.
 */
interface ChangesInFlight {
  /** Conversations events added, removed or changed: merged, not just replaced. */
  touched: Set<number>
  /** Messages counted unread, by conversation; the snapshot counts those up to its last message. */
  counted: Map<number, number[]>
  /** Conversations whose count was set outright (a read, a deletion): the local count stands. */
  unreadSet: Set<number>
}

/** The store's data before the first load and after signing out. */
function emptyState() {
  return {
    byId: {},
    order: [],
    activeId: null,
    listedUpTo: {},
    mentions: {},
    loaded: false,
    error: null,
    leaving: [],
  } satisfies Partial<ConversationsStore>
}

export const useConversations = create<ConversationsStore>()((set, get) => {
  const inFlight = new Set<ChangesInFlight>()
  /** Bumped by reset(): an answer to a request made before it belongs to the previous user. */
  let generation = 0
  let reloadQueued = false
  function touched(id: number): void {
    for (const changes of inFlight) changes.touched.add(id)
  }
  function counted(message: Message): void {
    const id = message.conversation_id
    for (const changes of inFlight) {
      changes.counted.set(id, [...(changes.counted.get(id) ?? []), message.id])
    }
  }
  function unreadSet(id: number): void {
    for (const changes of inFlight) {
      changes.touched.add(id)
      changes.unreadSet.add(id)
    }
  }
  /** The answer of a list request, with the changes events made while it was in flight. */
  function merge(
    list: Conversation[],
    changes: ChangesInFlight,
  ): Pick<ConversationsStore, 'byId' | 'listedUpTo'> {
    const current = get().byId
    const currentUpTo = get().listedUpTo
    const byId: Record<number, Conversation> = {}
    const listedUpTo: Record<number, number> = {}
    for (const c of list) {
      const upTo = c.last_message?.id ?? 0
      if (!changes.touched.has(c.id)) {
        byId[c.id] = c
        listedUpTo[c.id] = upTo
        continue
      }
      const local = current[c.id]
      if (!local) continue // removed by an event
      const newer = (changes.counted.get(c.id) ?? []).filter((id) => id > upTo).length
      const keepCount = changes.unreadSet.has(c.id)
      byId[c.id] = {
        ...c,
        // On the same id the local copy wins: it may carry an edit the snapshot predates.
        last_message: newerMessage(c.last_message, local.last_message),
        unread_count: keepCount ? local.unread_count : c.unread_count + newer,
      }
      // A local count that stands keeps the bound of the answer it was counted from.
      listedUpTo[c.id] = keepCount ? (currentUpTo[c.id] ?? upTo) : upTo
    }
    // Added by an event after the snapshot.
    for (const id of changes.touched) {
      const local = current[id]
      if (local && !(id in byId)) {
        byId[id] = local
        listedUpTo[id] = currentUpTo[id] ?? local.last_message?.id ?? 0
      }
    }
    return { byId, listedUpTo }
  }
  function forgetMentions(id: number): void {
    if (!(id in get().mentions)) return
    const mentions = { ...get().mentions }
    delete mentions[id]
    set({ mentions })
  }
  function put(byId: Record<number, Conversation>): void {
    set({ byId, order: sortConversations(byId) })
  }
  function patch(id: number, change: (c: Conversation) => Conversation | null): void {
    const current = get().byId[id]
    if (!current) return
    const next = change(current)
    if (next && next !== current) {
      touched(id)
      put({ ...get().byId, [id]: next })
    }
  }
  return {
    ...emptyState(),
    load: async () => {
      const changes: ChangesInFlight = {
        touched: new Set(),
        counted: new Map(),
        unreadSet: new Set(),
      }
      inFlight.add(changes)
      const asked = generation
      try {
        const list = await ipc()['conversations/list']()
        if (asked !== generation) return
        const { byId, listedUpTo } = merge(list, changes)
        set({ loaded: true, error: null, listedUpTo })
        put(byId)
      } catch (error) {
        if (asked === generation) set({ error: errorMessage(error) })
      } finally {
        inFlight.delete(changes)
      }
    },
    reloadSoon: () => {
      if (reloadQueued) return
      reloadQueued = true
      queueMicrotask(() => {
        reloadQueued = false
        void get().load()
      })
    },
    upsert: (conversation) => {
      const known = get().byId[conversation.id]
      const merged: Conversation = {
        ...conversation,
        unread_count: known ? known.unread_count : conversation.unread_count,
        last_message: newerMessage(known?.last_message ?? null, conversation.last_message),
      }
      touched(conversation.id)
      if (!known) {
        // Its count (0 in events) leaves out the messages it already has.
        set({
          listedUpTo: { ...get().listedUpTo, [conversation.id]: merged.last_message?.id ?? 0 },
        })
      }
      put({ ...get().byId, [conversation.id]: merged })
    },
    remove: (id) => {
      forgetMentions(id)
      if (!(id in get().byId)) return
      const byId = { ...get().byId }
      delete byId[id]
      touched(id)
      put(byId)
      if (get().activeId === id) set({ activeId: null })
    },
    setActive: (activeId) => set({ activeId }),
    applyMessage: (message, { countUnread, mentionsMe = false }) =>
      patch(message.conversation_id, (c) => {
        const isNew = !c.last_message || message.id > c.last_message.id
        if (!isNew) return c.last_message?.id === message.id ? { ...c, last_message: message } : c
        if (countUnread) counted(message)
        if (countUnread && mentionsMe) {
          const cid = message.conversation_id
          set({
            mentions: { ...get().mentions, [cid]: [...(get().mentions[cid] ?? []), message.id] },
          })
        }
        return {
          ...c,
          last_message: message,
          updated_at: c.updated_at > message.created_at ? c.updated_at : message.created_at,
          unread_count: countUnread ? c.unread_count + 1 : c.unread_count,
        }
      }),
    applyMessageChange: (message) =>
      patch(message.conversation_id, (c) =>
        c.last_message?.id === message.id ? { ...c, last_message: message } : c,
      ),
    forgetMention: (conversationId, messageId) => {
      const ids = get().mentions[conversationId]
      if (!ids?.includes(messageId)) return
      set({
        mentions: { ...get().mentions, [conversationId]: ids.filter((id) => id !== messageId) },
      })
    },
    applyReceipt: (conversationId, receipt) =>
      patch(conversationId, (c) => ({
        ...c,
        members: c.members.map((m) => {
          if (m.user_id !== receipt.user_id) return m
          const next = { ...m }
          // Reading implies delivery; markers only move forward.
          next.last_delivered_message_id = Math.max(
            m.last_delivered_message_id,
            receipt.up_to_message_id,
          )
          if (receipt.kind === 'read') {
            next.last_read_message_id = Math.max(m.last_read_message_id, receipt.up_to_message_id)
          }
          return next
        }),
      })),
    setUnread: (id, count) => {
      unreadSet(id)
      if (count === 0) forgetMentions(id)
      patch(id, (c) => (c.unread_count === count ? c : { ...c, unread_count: count }))
    },
    create: async (memberIds, title) => {
      try {
        const request: { member_ids: number[]; title?: string } = { member_ids: memberIds }
        if (title && title.trim()) request.title = title.trim()
        const conversation = await ipc()['conversations/create'](request)
        get().upsert(conversation)
        set({ error: null })
        return conversation
      } catch (error) {
        set({ error: errorMessage(error) })
        return null
      }
    },
    rename: async (id, title) => {
      get().upsert(await ipc()['conversations/rename']({ conversation_id: id, title }))
    },
    addMembers: async (id, userIds) => {
      const conversation = await ipc()['conversations/addMembers']({
        conversation_id: id,
        user_ids: userIds,
      })
      get().upsert(conversation)
    },
    removeMember: async (id, userId) => {
      const conversation = await ipc()['conversations/removeMember']({
        conversation_id: id,
        user_id: userId,
      })
      if (id in get().byId) get().upsert(conversation)
    },
    leave: async (id, me) => {
      set({ leaving: [...get().leaving, id] })
      try {
        await ipc()['conversations/removeMember']({ conversation_id: id, user_id: me })
      } catch (error) {
        get().takeLeaving(id)
        throw error
      }
    },
    takeLeaving: (id) => {
      const { leaving } = get()
      if (!leaving.includes(id)) return false
      set({ leaving: leaving.filter((l) => l !== id) })
      return true
    },
    reset: () => {
      generation += 1
      set(emptyState())
    },
  }
})

/** The message with the higher id; `b` on the same id. */
function newerMessage(a: Message | null, b: Message | null): Message | null {
  if (!a) return b
  if (!b) return a
  return b.id >= a.id ? b : a
}

/** The title to show: the set title, else the other members' names, else "Just you". */
export function conversationTitle(
  c: Conversation,
  selfId: number | null,
  people: Record<number, Person> = {},
): string {
  if (c.title) return c.title
  const others = c.members.filter((m) => m.user_id !== selfId)
  if (others.length === 0) return translate(messages.justYou)
  return others.map((m) => people[m.user_id]?.display_name ?? m.display_name).join(', ')
}

/** For a direct conversation, the other member's id (for the presence dot). */
export function directPeer(c: Conversation, selfId: number | null): number | null {
  if (c.kind !== 'direct') return null
  return c.members.find((m) => m.user_id !== selfId)?.user_id ?? null
}

/** What the server lets `me` do with a conversation they are a member of. */
export interface ConversationPermissions {
  /** Any member may rename a conversation, except a direct one (named after the other person). */
  rename: boolean
  /** Only Tidings groups take new members (a direct, email or bridged one → 400). */
  addMembers: boolean
  /** Any member may leave (for a direct conversation, the UI calls it deleting it). */
  leave: boolean
  /**
   * Others may be removed only by the conversation's creator or an admin (else 403), and never
   * from a direct conversation (400).
   */
  removeOthers: boolean
}

/** The server's rules (server/services/conversations.ts), so the UI offers only what works. */
export function conversationPermissions(
  c: Conversation,
  me: { id: number; role: string } | null,
): ConversationPermissions {
  const member = me !== null && c.members.some((m) => m.user_id === me.id)
  const direct = c.kind === 'direct'
  return {
    rename: member && !direct,
    addMembers: member && c.kind === 'group' && c.platform === 'tidings',
    leave: member,
    removeOthers: member && !direct && (c.created_by === me.id || me.role === 'admin'),
  }
}
