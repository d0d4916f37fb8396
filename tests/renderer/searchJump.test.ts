import { beforeEach, describe, expect, it } from 'vitest'
import { Limits } from '../../src/shared/limits'
import type { MessagePage } from '../../src/shared/models'
import { jumpNotShown } from '../../src/renderer/src/actions/navigation'
import { useMessages } from '../../src/renderer/src/stores/messages'
import {
  JUMP_PAGE_SIZE,
  MAX_JUMP_PAGES,
  nextJumpStep,
} from '../../src/renderer/src/stores/searchJump'
import { useToasts } from '../../src/renderer/src/stores/toasts'
import { BOB, installFakeTidings, message, type FakeTidings } from './fakeTidings'

const loaded = (ids: number[], nextBefore: number | null, loadingOlder = false) => ({
  messages: ids.map((id) => message(id, 7, BOB, `m${id}`)),
  nextBefore,
  loadingOlder,
})

describe('bringing a search result into view', () => {
  it('shows a loaded message, waits for a page on its way, and otherwise pages back', () => {
    expect(nextJumpStep(loaded([40, 41, 42], 40), 41, 0)).toBe('show')
    expect(nextJumpStep(loaded([40, 41, 42], 40, true), 12, 3)).toBe('wait')
    expect(nextJumpStep(loaded([40, 41, 42], 40), 12, 0)).toBe('load')
    expect(nextJumpStep(loaded([40, 41, 42], 40), 12, MAX_JUMP_PAGES - 1)).toBe('load')
  })

  it('gives up at the start of the history, and after the last page it may load', () => {
    expect(nextJumpStep(loaded([1, 2, 3], null), 12, 4)).toBe('gone')
    expect(nextJumpStep(loaded([40, 41, 42], 40), 12, MAX_JUMP_PAGES)).toBe('too_far')
  })

  describe('with the renderer stores', () => {
    let fake: FakeTidings
    beforeEach(() => {
      fake = installFakeTidings()
      useMessages.getState().reset()
      useToasts.getState().reset()
    })

    it('pages back with the largest page the server gives', async () => {
      fake.handlers['messages/history'] = (request) => {
        const { before } = request as { before?: number }
        const page: MessagePage = {
          messages: [message(before === undefined ? 500 : 300, 7, BOB, 'x')],
          next_before: before === undefined ? 500 : 300,
        }
        return page
      }
      await useMessages.getState().loadLatest(7)
      await useMessages.getState().loadOlder(7, JUMP_PAGE_SIZE)
      await useMessages.getState().loadOlder(7)
      const limits = fake.callsTo('messages/history').map((r) => (r as { limit?: number }).limit)
      expect(limits.slice(1)).toEqual([Limits.historyMaxPageSize, Limits.historyPageSize])
    })

    it('tells the user why a result could not be shown', () => {
      jumpNotShown(7, 'too_far')
      jumpNotShown(7, 'gone')
      const toasts = useToasts.getState().toasts
      expect(toasts.map((t) => [t.kind, t.title, t.conversation_id])).toEqual([
        ['search', 'Message too far back', 7],
        ['search', 'Message not found', 7],
      ])
      expect(toasts[0]!.body).toContain(
        `${(MAX_JUMP_PAGES * JUMP_PAGE_SIZE).toLocaleString('en-US')}`,
      )
    })
  })
})
