import { accountHandlers } from './accountHandlers'
import { adminHandlers } from './adminHandlers'
import { attachmentHandlers } from './attachmentHandlers'
import { conversationHandlers } from './conversationHandlers'
import { messageHandlers } from './messageHandlers'
import { sessionHandlers } from './sessionHandlers'
import { settingsHandlers } from './settingsHandlers'
import type { CoreHandlers, CoreParts } from './types'

export type { AppHandlers, CoreHandlers, CoreParts, Handler } from './types'

/**
 * The core's handler registry: every channel of the IPC table the core answers, grouped by
 * domain. Typed as CoreHandlers, so a channel added to the table without a handler here (or a
 * handler answering the wrong type) does not compile.
 */
export function coreHandlers(parts: CoreParts): CoreHandlers {
  return {
    ...sessionHandlers(parts),
    ...conversationHandlers(parts),
    ...messageHandlers(parts),
    ...attachmentHandlers(parts),
    ...accountHandlers(parts),
    ...settingsHandlers(parts),
    ...adminHandlers(parts),
  }
}
