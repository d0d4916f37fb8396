import { beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_PREFERENCES, type Preferences } from '../../src/shared/preferences'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { installFakeTidings, type FakeTidings } from './fakeTidings'

let fake: FakeTidings

function prefs(muted: number[]): Preferences {
  return { ...DEFAULT_PREFERENCES, muted_conversation_ids: muted }
}

beforeEach(() => {
  fake = installFakeTidings()
  usePreferences.setState({ prefs: prefs([4]), loaded: true, error: null })
})

describe('muting from the main window (preferences store)', () => {
  it('goes through conversations/setMuted, never settings/set, and keeps what main answers', async () => {
    let answer: (value: Preferences) => void = () => undefined
    fake.handlers['conversations/setMuted'] = () =>
      new Promise<Preferences>((resolve) => {
        answer = resolve
      })
    const pending = usePreferences.getState().setMuted(7, true)
    // Shown at once, the other mute kept.
    expect(usePreferences.getState().prefs.muted_conversation_ids).toEqual([4, 7])
    answer(prefs([4, 7, 9]))
    expect(await pending).toBe(true)
    expect(usePreferences.getState().prefs.muted_conversation_ids).toEqual([4, 7, 9])
    expect(fake.calls).toEqual([
      { channel: 'conversations/setMuted', request: { conversation_id: 7, muted: true } },
    ])

    fake.handlers['conversations/setMuted'] = () => prefs([7, 9])
    expect(await usePreferences.getState().setMuted(4, false)).toBe(true)
    expect(fake.callsTo('conversations/setMuted').at(-1)).toEqual({
      conversation_id: 4,
      muted: false,
    })
    expect(usePreferences.getState().prefs.muted_conversation_ids).toEqual([7, 9])
    expect(fake.callsTo('settings/set')).toEqual([])
  })

  it('reverts and reports the error when main refuses', async () => {
    fake.handlers['conversations/setMuted'] = () => {
      throw Object.assign(new Error('Refused conversations/setMuted'), { code: 'untrusted_sender' })
    }
    expect(await usePreferences.getState().setMuted(7, true)).toBe(false)
    expect(usePreferences.getState().prefs.muted_conversation_ids).toEqual([4])
    expect(usePreferences.getState().error).toMatch(/Refused/)
  })
})

describe('pinning from the main window (preferences store)', () => {
  function pinnedPrefs(pinned: number[]): Preferences {
    return { ...DEFAULT_PREFERENCES, pinned_conversation_ids: pinned }
  }

  it('goes through conversations/setPinned, shows a pin at once, and keeps what main answers', async () => {
    usePreferences.setState({ prefs: pinnedPrefs([4]) })
    let answer: (value: Preferences) => void = () => undefined
    fake.handlers['conversations/setPinned'] = () =>
      new Promise<Preferences>((resolve) => {
        answer = resolve
      })
    const pending = usePreferences.getState().setPinned(7, true)
    // The new pin goes last.
    expect(usePreferences.getState().prefs.pinned_conversation_ids).toEqual([4, 7])
    answer(pinnedPrefs([4, 7]))
    expect(await pending).toBe(true)
    expect(fake.calls).toEqual([
      { channel: 'conversations/setPinned', request: { conversation_id: 7, pinned: true } },
    ])
    fake.handlers['conversations/setPinned'] = () => pinnedPrefs([7])
    expect(await usePreferences.getState().setPinned(4, false)).toBe(true)
    expect(usePreferences.getState().prefs.pinned_conversation_ids).toEqual([7])
  })

  it('shows nothing of a pin main refuses at the limit, and keeps the reason', async () => {
    usePreferences.setState({ prefs: pinnedPrefs([1, 2, 3, 4, 5]) })
    fake.handlers['conversations/setPinned'] = () => {
      expect(usePreferences.getState().prefs.pinned_conversation_ids).toEqual([1, 2, 3, 4, 5])
      throw Object.assign(new Error('You can pin up to 5 conversations. Unpin one first.'), {
        code: 'pin_limit_reached',
      })
    }
    expect(await usePreferences.getState().setPinned(6, true)).toBe(false)
    expect(usePreferences.getState().prefs.pinned_conversation_ids).toEqual([1, 2, 3, 4, 5])
    expect(usePreferences.getState().error).toBe(
      'You can pin up to 5 conversations. Unpin one first.',
    )
  })
})
