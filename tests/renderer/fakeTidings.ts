import {
  INVOKE_CHANNELS,
  type InvokeChannel,
  type SessionState,
  type TidingsApi,
} from '../../src/shared/ipc'
import type { AnyTidingsEvent, EventDataMap } from '../../src/shared/events'
import type { EventType } from '../../src/shared/eventTypes'
import type { Conversation, Member, Message } from '../../src/shared/models'

/**
 * A stand-in for the preload's `window.tidings`: the renderer's only boundary. Invoke channels
 * answer from `handlers` (an unhandled channel rejects) and every call is recorded; `emit` and
 * `push` deliver stream events and pushes to whatever the renderer subscribed.
 */
export interface FakeTidings {
  api: TidingsApi
  calls: { channel: InvokeChannel; request: unknown }[]
  handlers: Partial<Record<InvokeChannel, (request: unknown) => unknown>>
  emit(event: AnyTidingsEvent): void
  push(channel: string, payload: unknown): void
  callsTo(channel: InvokeChannel): unknown[]
}

export function installFakeTidings(): FakeTidings {
  const calls: FakeTidings['calls'] = []
  const handlers: FakeTidings['handlers'] = {}
  const eventListeners = new Map<string, Set<(event: AnyTidingsEvent) => void>>()
  const pushListeners = new Map<string, Set<(payload: unknown) => void>>()
  const api: Record<string, unknown> = {}
  for (const channel of INVOKE_CHANNELS) {
    api[channel] = async (request: unknown) => {
      calls.push({ channel, request })
      const handler = handlers[channel]
      if (!handler) throw new Error(`unhandled channel ${channel}`)
      return handler(request)
    }
  }
  function listen<T>(map: Map<string, Set<T>>, key: string, listener: T): () => void {
    const set = map.get(key) ?? new Set<T>()
    set.add(listener)
    map.set(key, set)
    return () => set.delete(listener)
  }
  api.on = (type: string, listener: (event: AnyTidingsEvent) => void) =>
    listen(eventListeners, type, listener)
  api.subscribe = (channel: string, listener: (payload: unknown) => void) =>
    listen(pushListeners, channel, listener)
  const fake: FakeTidings = {
    api: api as unknown as TidingsApi,
    calls,
    handlers,
    emit(event) {
      for (const key of [event.type, '*']) {
        for (const listener of eventListeners.get(key) ?? []) listener(event)
      }
    },
    push(channel, payload) {
      for (const listener of pushListeners.get(channel) ?? []) listener(payload)
    },
    callsTo: (channel) => calls.filter((c) => c.channel === channel).map((c) => c.request),
  }
  ;(globalThis as unknown as { window: { tidings: TidingsApi } }).window = { tidings: fake.api }
  return fake
}

let eventId = 0

export function event<T extends EventType>(
  type: T,
  data: EventDataMap[T],
  timestamp = '2026-01-15T15:30:00Z',
): AnyTidingsEvent {
  return {
    type,
    id: type === 'typing_indicator' ? null : ++eventId,
    timestamp,
    timezone: 'UTC',
    data,
  } as AnyTidingsEvent
}

export const ME = { id: 1, username: 'me', display_name: 'Me Myself', role: 'admin' as const }
export const JANE = { id: 2, username: 'jane', display_name: 'Jane', role: 'member' as const }
export const BOB = { id: 3, username: 'bob', display_name: 'Bob', role: 'member' as const }

export function member(user: { id: number; username: string; display_name: string }): Member {
  return {
    user_id: user.id,
    username: user.username,
    display_name: user.display_name,
    last_read_message_id: 0,
    last_delivered_message_id: 0,
  }
}

export function message(
  id: number,
  conversationId: number,
  sender: { id: number; display_name: string },
  text: string,
  createdAt = `2026-01-15T15:${String(id % 60).padStart(2, '0')}:00Z`,
  clientId = `c-${sender.id}-${id}`,
): Message {
  return {
    id,
    conversation_id: conversationId,
    sender_id: sender.id,
    sender_name: sender.display_name,
    client_id: clientId,
    text,
    created_at: createdAt,
    edited_at: null,
    deleted_at: null,
    reply_to: null,
  }
}

export function conversation(
  id: number,
  others: { id: number; username: string; display_name: string }[],
  options: Partial<Conversation> = {},
): Conversation {
  return {
    id,
    title: null,
    kind: others.length > 1 ? 'group' : 'direct',
    platform: 'tidings',
    created_by: ME.id,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    members: [member(ME), ...others.map(member)],
    last_message: null,
    unread_count: 0,
    ...options,
  }
}

/** Resolves once `check` passes (polling microtasks/timers), or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** A signed-in session of ME on the bundled server. */
export const SESSION: SessionState = {
  user: ME,
  server_url: 'http://127.0.0.1:1',
  embedded: true,
  needs_first_account: false,
  secure_storage: true,
}
