import type { Message } from './models'

/**
 * A thread reply that was not also sent to the channel: it shows in its thread only, and counts
 * toward the Threads view rather than the conversation's unread count.
 */
export function isThreadOnly(message: Pick<Message, 'thread_root_id' | 'in_channel'>): boolean {
  return message.thread_root_id !== undefined && message.in_channel !== true
}
