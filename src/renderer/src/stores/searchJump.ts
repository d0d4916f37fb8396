import { Limits } from '../../../shared/limits'
import type { ThreadState } from './messages'

/** Pages of the largest size loaded at most to reach a search result's message. */
export const MAX_JUMP_PAGES = 50
/** The page size of those loads: the server's largest, so few round trips reach far back. */
export const JUMP_PAGE_SIZE = Limits.historyMaxPageSize

/**
 * What the thread does next for a search result it is to bring into view:
 * - `show`: the message is loaded, scroll to it;
 * - `wait`: an older page is on its way;
 * - `load`: ask for the next older page;
 * - `gone`: the start of the history is loaded without it (deleted or moved since the search);
 * - `too_far`: MAX_JUMP_PAGES pages were loaded without reaching it; the user can scroll on.
 */
export type JumpStep = 'show' | 'wait' | 'load' | 'gone' | 'too_far'

export function nextJumpStep(
  thread: Pick<ThreadState, 'messages' | 'nextBefore' | 'loadingOlder'>,
  messageId: number,
  pagesLoaded: number,
): JumpStep {
  if (thread.messages.some((m) => m.id === messageId)) return 'show'
  if (thread.loadingOlder) return 'wait'
  if (thread.nextBefore === null) return 'gone'
  if (pagesLoaded >= MAX_JUMP_PAGES) return 'too_far'
  return 'load'
}
