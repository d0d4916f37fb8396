import { localeInfo, type LocaleInfo } from '../../shared/i18n/locales'
import { translatorFor, type Translator } from '../../shared/i18n/translator'
import type { Preferences } from '../../shared/preferences'
import type { CoreOutputs } from './coreHost'

/**
 * The language of the interface: the `language` preference over the OS's languages. Main's
 * native notifications are worded in it, and every change (the setting, from the settings
 * window) is pushed to both windows as `locale/changed`, which also tells the Electron layer to
 * relabel the tray and menus.
 */
export class LocaleState {
  private current: LocaleInfo

  constructor(
    private readonly systemLocales: readonly string[],
    /** The preference is the device's, shared by every server's core: read it each time. */
    private readonly preferences: () => Preferences,
    private readonly outputs: CoreOutputs,
  ) {
    this.current = localeInfo(preferences().language, systemLocales)
  }

  info(): LocaleInfo {
    const language = this.preferences().language
    if (language !== this.current.preference) {
      this.current = localeInfo(language, this.systemLocales)
    }
    return this.current
  }

  translator(): Translator {
    const { locale, formatLocale } = this.info()
    return translatorFor(locale, formatLocale)
  }

  /** After any preference change: pushed only when the language setting changed. */
  preferencesChanged(preferences: Preferences): void {
    if (preferences.language === this.current.preference) return
    this.current = localeInfo(preferences.language, this.systemLocales)
    this.outputs.push('locale/changed', this.current)
  }
}
