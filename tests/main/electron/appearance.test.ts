import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nativeTheme, resetFakeElectron } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { WINDOW_BACKGROUND, applyThemePreference, onThemeUpdated, windowBackgroundColor } =
  await import('../../../src/main/electron/appearance')

beforeEach(() => resetFakeElectron())

describe('appearance (nativeTheme)', () => {
  it('hands the preference to nativeTheme.themeSource, only when it changes', () => {
    applyThemePreference('dark')
    expect(nativeTheme.themeSource).toBe('dark')
    expect(windowBackgroundColor()).toBe(WINDOW_BACKGROUND.dark)
    applyThemePreference('dark')
    applyThemePreference('light')
    expect(windowBackgroundColor()).toBe(WINDOW_BACKGROUND.light)
    applyThemePreference('system')
    expect(nativeTheme.sourcesSet).toEqual(['dark', 'light', 'system'])
  })

  it("follows the OS under 'system', and reports each change until stopped", () => {
    const updates = vi.fn()
    const stop = onThemeUpdated(updates)
    applyThemePreference('system')
    expect(windowBackgroundColor()).toBe(WINDOW_BACKGROUND.light)
    nativeTheme.setSystemDark(true)
    expect(windowBackgroundColor()).toBe(WINDOW_BACKGROUND.dark)
    expect(updates).toHaveBeenCalledTimes(1)
    applyThemePreference('light')
    expect(windowBackgroundColor()).toBe(WINDOW_BACKGROUND.light)
    expect(updates).toHaveBeenCalledTimes(2)
    stop()
    applyThemePreference('dark')
    expect(updates).toHaveBeenCalledTimes(2)
  })
})
