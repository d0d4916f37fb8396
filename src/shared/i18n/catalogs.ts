import de from './messages/de.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }
import { pseudoLocalizeCatalog } from './pseudo'
import { PSEUDO_LOCALE, type AppLocale, type TranslatedLocale } from './locales'

/**
 * One catalog per language, id → ICU message: en.json is extracted from the code's English
 * (`npm run i18n:extract`), de.json is its translation; the pseudo-locale's is made from the
 * English one when first asked for. tests/config/i18nCatalogs.test.ts holds them to the code.
 */
export type Catalog = Readonly<Record<string, string>>

const TRANSLATED: Readonly<Record<TranslatedLocale, Catalog>> = { en, de }

let pseudo: Catalog | null = null

export function catalogOf(locale: AppLocale): Catalog {
  if (locale === PSEUDO_LOCALE) return (pseudo ??= pseudoLocalizeCatalog(TRANSLATED.en))
  return TRANSLATED[locale]
}
