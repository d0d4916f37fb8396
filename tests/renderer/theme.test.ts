import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { followThemePreference } from '../../src/renderer/src/theme'

const stops: (() => void)[] = []

afterEach(() => {
  for (const stop of stops.splice(0)) stop()
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES, loaded: false, error: null })
})

describe('followThemePreference', () => {
  it('marks the root with the theme at once and follows every change until stopped', () => {
    const root = { dataset: {} as DOMStringMap }
    stops.push(followThemePreference(root))
    // Before the preferences load: 'system', the OS's scheme.
    expect(root.dataset.theme).toBe('system')
    usePreferences.getState().set({ ...DEFAULT_PREFERENCES, theme: 'dark' })
    expect(root.dataset.theme).toBe('dark')
    // Another preference changing leaves it be.
    usePreferences.getState().set({ ...DEFAULT_PREFERENCES, theme: 'dark', clock: '24h' })
    expect(root.dataset.theme).toBe('dark')
    usePreferences.getState().set({ ...DEFAULT_PREFERENCES, theme: 'light' })
    expect(root.dataset.theme).toBe('light')
    stops.pop()?.()
    usePreferences.getState().set({ ...DEFAULT_PREFERENCES, theme: 'dark' })
    expect(root.dataset.theme).toBe('light')
  })
})
