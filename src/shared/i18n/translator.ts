import {
  IntlErrorCode,
  createIntl,
  createIntlCache,
  type IntlShape,
  type MessageDescriptor,
} from '@formatjs/intl'
import { catalogOf } from './catalogs'
import { SOURCE_LOCALE, formatLocaleOf, isPseudoLocale, type AppLocale } from './locales'
import { accent } from './pseudo'

/**
 * Messages in one language, for main (tray, menus, dialogs, native notifications) and for what
 * the windows word outside React (toasts, errors, the shared wording of notifications). FormatJS
 * (`@formatjs/intl`, ICU MessageFormat with CLDR plural rules): the same catalogs and the same
 * formatter as the windows' react-intl.
 */

/** Values a message is formatted with: its placeholders' strings, numbers and dates. */
export type MessageValues = Record<string, string | number | boolean | Date | null | undefined>

export type { MessageDescriptor }

/** A message in one language: Translator.t, or react-intl's formatMessage with plain values. */
export type Translate = (descriptor: MessageDescriptor, values?: MessageValues) => string

export interface Translator {
  /** The catalog's language. */
  readonly locale: AppLocale
  /** The tag dates, numbers, lists and plurals are formatted for (see LocaleInfo). */
  readonly formatLocale: string
  /** A message of the catalog (its English defaultMessage if the catalog lacks it). */
  readonly t: Translate
  /** Names run together as the language lists them without "and"'s weight: "Jane, Bob". */
  list(items: readonly string[]): string
  /**
   * Text the Intl APIs formatted (a date, a time, a relative time), as this locale shows it: the
   * pseudo-locale accents it too, so a window in it shows no plain English of its own.
   */
  formatted(text: string): string
  /** The underlying FormatJS object, for what `t` does not cover. */
  readonly intl: IntlShape<string>
}

const cache = createIntlCache()
const translators = new Map<string, Translator>()

/** The translator of `locale`, formatting for `formatLocale` (cached). */
export function translatorFor(
  locale: AppLocale,
  formatLocale: string = formatLocaleOf(locale, []),
): Translator {
  const key = `${locale}|${formatLocale}`
  let translator = translators.get(key)
  if (!translator) {
    translator = createTranslator(locale, formatLocale)
    translators.set(key, translator)
  }
  return translator
}

function createTranslator(locale: AppLocale, formatLocale: string): Translator {
  const pseudo = isPseudoLocale(locale)
  const intl = createIntl(
    {
      locale: formatLocale,
      defaultLocale: SOURCE_LOCALE,
      messages: catalogOf(locale),
      onError: (error) => {
        // English falls back to the code's own defaultMessage, which the catalog is extracted
        // from; any other gap is a bug the catalog tests report.
        if (error.code === IntlErrorCode.MISSING_TRANSLATION && locale === SOURCE_LOCALE) return
        console.error(`[i18n ${locale}]`, error.message)
      },
    },
    cache,
  )
  return {
    locale,
    formatLocale,
    intl,
    t: (descriptor, values) => intl.formatMessage(descriptor, values),
    list: (items) => intl.formatList([...items], { type: 'unit', style: 'short' }),
    formatted: (text) => (pseudo ? accent(text) : text),
  }
}
