/**
 * The languages Tidings speaks, and which one a user gets: the language chosen in the settings
 * window, else the first of the OS's languages Tidings has (Electron's `app.getLocale()`, then
 * the user's preferred languages), else English.
 */

/** The languages with a catalog of their own (src/shared/i18n/messages/<locale>.json). */
export const TRANSLATED_LOCALES = ['en', 'de'] as const

/**
 * The pseudo-locale: English made longer (about 40%), accented and bracketed, to show in the UI
 * any string that does not come from the catalog and any layout that breaks with longer text.
 * Chromium's tag for it; reached through the OS locale (`TIDINGS_LOCALE=en-XA`), never offered
 * in the settings window.
 */
export const PSEUDO_LOCALE = 'en-XA'

export type TranslatedLocale = (typeof TRANSLATED_LOCALES)[number]
export type AppLocale = TranslatedLocale | typeof PSEUDO_LOCALE

/** The language every message is written in first (the code's defaultMessage). */
export const SOURCE_LOCALE: TranslatedLocale = 'en'

/** The language setting: follow the OS, or one of the translated languages. */
export type LanguagePreference = 'system' | TranslatedLocale
export const LANGUAGE_PREFERENCES: readonly LanguagePreference[] = ['system', ...TRANSLATED_LOCALES]

/**
 * Each language by its own name, as a language menu lists them (a German reader looking for
 * German finds "Deutsch" whatever the interface speaks now).
 */
export const LANGUAGE_NAMES: Readonly<Record<TranslatedLocale, string>> = {
  en: 'English',
  de: 'Deutsch',
}

/** What the windows and main are told: the language in use and why. */
export interface LocaleInfo {
  /** The language the interface speaks. */
  locale: AppLocale
  /**
   * The BCP 47 tag dates, times, numbers and plurals are formatted for: the OS's own tag when it
   * is of that language ('en-GB' reads "15 Jan 2026"), else the language itself.
   */
  formatLocale: string
  /** The setting that chose it. */
  preference: LanguagePreference
  /** The OS's languages as main read them, first the one Electron runs in. */
  system: string[]
}

export function isLanguagePreference(value: unknown): value is LanguagePreference {
  return typeof value === 'string' && (LANGUAGE_PREFERENCES as readonly string[]).includes(value)
}

/**
 * The locale an OS language tag maps to, or null when Tidings has no catalog for it: a tag of a
 * translated language in any region or script ('de-AT', 'de_CH', 'en-GB'), or the pseudo-locale.
 */
export function supportedLocaleOf(tag: string): AppLocale | null {
  const normalized = normalizeTag(tag).toLowerCase()
  if (normalized === PSEUDO_LOCALE.toLowerCase()) return PSEUDO_LOCALE
  const language = normalized.split('-')[0] ?? ''
  return (TRANSLATED_LOCALES as readonly string[]).includes(language)
    ? (language as TranslatedLocale)
    : null
}

/** The locale a user gets: the setting, else the first OS language Tidings has, else English. */
export function resolveLocale(
  preference: LanguagePreference,
  systemLocales: readonly string[],
): AppLocale {
  if (preference !== 'system') return preference
  for (const tag of systemLocales) {
    const locale = supportedLocaleOf(tag)
    if (locale) return locale
  }
  return SOURCE_LOCALE
}

/**
 * The locale the Intl APIs (plural rules, dates, numbers, lists) are asked for: the pseudo-locale
 * is English underneath.
 */
export function intlLocaleOf(locale: AppLocale): TranslatedLocale {
  return locale === PSEUDO_LOCALE ? SOURCE_LOCALE : locale
}

export function isPseudoLocale(locale: string): boolean {
  return locale === PSEUDO_LOCALE
}

/**
 * The tag `locale` is formatted for: the first OS language of the same language that Intl takes
 * ('de-AT' for German on an Austrian system), else the language itself. The pseudo-locale formats
 * as English.
 */
export function formatLocaleOf(locale: AppLocale, systemLocales: readonly string[]): string {
  if (isPseudoLocale(locale)) return SOURCE_LOCALE
  for (const tag of systemLocales) {
    if (supportedLocaleOf(tag) !== locale) continue
    const canonical = canonicalTag(normalizeTag(tag))
    if (canonical) return canonical
  }
  return locale
}

/** The full picture for a setting and the OS's languages. */
export function localeInfo(
  preference: LanguagePreference,
  systemLocales: readonly string[],
): LocaleInfo {
  const locale = resolveLocale(preference, systemLocales)
  return {
    locale,
    formatLocale: formatLocaleOf(locale, systemLocales),
    preference,
    system: [...systemLocales],
  }
}

/** 'de_DE.UTF-8' (a POSIX LANG) → 'de-DE'; BCP 47 tags unchanged. */
function normalizeTag(tag: string): string {
  return tag
    .trim()
    .replace(/[.@].*$/, '')
    .replace(/_/g, '-')
}

function canonicalTag(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null
  } catch {
    return null
  }
}
