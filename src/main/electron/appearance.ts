import { nativeTheme } from 'electron'
import type { ThemePreference } from '../../shared/preferences'

/**
 * What a window shows before its page paints. The dark one is the pages' dark `--bg`
 * (src/renderer/src/styles.css), so a dark window never flashes white while it loads.
 */
export const WINDOW_BACKGROUND = { light: '#ffffff', dark: '#0f141b' } as const

/**
 * The theme preference, for everything Chromium and the OS draw: native menus, the title bar,
 * scrollbars, form controls and the pages' `prefers-color-scheme` ('system' follows the OS live).
 */
export function applyThemePreference(theme: ThemePreference): void {
  // Every preference change (a mute, a pin) comes through here; only a new theme is passed on.
  if (nativeTheme.themeSource !== theme) nativeTheme.themeSource = theme
}

export function windowBackgroundColor(): string {
  return nativeTheme.shouldUseDarkColors ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light
}

/** Calls `listener` whenever dark colours come or go (the preference or the OS). */
export function onThemeUpdated(listener: () => void): () => void {
  nativeTheme.on('updated', listener)
  return () => {
    nativeTheme.removeListener('updated', listener)
  }
}
