import type { ThemePreference } from '../../shared/preferences'
import { usePreferences } from './stores/preferences'

/**
 * Keeps `<html data-theme>` on the theme preference, live: styles.css sets `color-scheme` from
 * it, which picks the side of every light-dark() colour. 'system' sets no scheme of its own, so
 * the OS decides (in Electron, nativeTheme passes the same choice on to prefers-color-scheme).
 * Returns the unsubscribe.
 */
export function followThemePreference(root: { dataset: DOMStringMap }): () => void {
  const apply = (theme: ThemePreference): void => {
    if (root.dataset.theme !== theme) root.dataset.theme = theme
  }
  apply(usePreferences.getState().prefs.theme)
  return usePreferences.subscribe((state) => apply(state.prefs.theme))
}
