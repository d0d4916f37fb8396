import { create } from 'zustand'
import { createIntl, createIntlCache, type IntlShape } from 'react-intl'
import { catalogOf } from '../../../shared/i18n/catalogs'
import { SOURCE_LOCALE, localeInfo, type LocaleInfo } from '../../../shared/i18n/locales'
import {
  translatorFor,
  type MessageDescriptor,
  type MessageValues,
  type Translator,
} from '../../../shared/i18n/translator'
import type { TimeLocale } from '../../../shared/time'

/**
 * The language this window speaks: main's (`locale/get`, then every `locale/changed`; see
 * language.ts), so both windows and the notifications follow one setting. Holds the react-intl object the window's
 * components format with (RawIntlProvider) and the shared Translator for what is worded outside
 * React (toasts, errors, the shared notification wording); both read the same catalog.
 */
interface LocaleStore {
  info: LocaleInfo
  /** False until main answered: the window renders nothing before, so it never flashes English. */
  loaded: boolean
  intl: IntlShape
  translator: Translator
  set(info: LocaleInfo): void
  /** Main did not answer: the window works on, in English. */
  fallBack(): void
}

const cache = createIntlCache()
const intls = new Map<string, IntlShape>()

/** The react-intl object of a locale (cached: a language switch back and forth reuses it). */
function intlFor(info: LocaleInfo): IntlShape {
  const key = `${info.locale}|${info.formatLocale}`
  let intl = intls.get(key)
  if (!intl) {
    intl = createIntl(
      {
        locale: info.formatLocale,
        defaultLocale: SOURCE_LOCALE,
        messages: catalogOf(info.locale),
        // Missing or broken messages are the catalog tests' to find; the shared translator of
        // the same catalog reports them once, not on every render.
        onError: () => undefined,
      },
      cache,
    )
    intls.set(key, intl)
  }
  return intl
}

/** English, until main says otherwise (and in tests that render without main). */
const ENGLISH = localeInfo(SOURCE_LOCALE, ['en-US'])

function stateOf(info: LocaleInfo) {
  return {
    info,
    intl: intlFor(info),
    translator: translatorFor(info.locale, info.formatLocale),
  }
}

export const useLocale = create<LocaleStore>()((set) => ({
  ...stateOf(ENGLISH),
  loaded: false,
  set: (info) => set({ ...stateOf(info), loaded: true }),
  fallBack: () => set({ loaded: true }),
}))

/** A message in the window's language, for code outside React (stores and actions). */
export function translate(descriptor: MessageDescriptor, values?: MessageValues): string {
  return useLocale.getState().translator.t(descriptor, values)
}

/** The window's Translator, for shared code that words something (notification text, times). */
export function currentTranslator(): Translator {
  return useLocale.getState().translator
}

/** The window's Translator in a component (re-renders on a language change). */
export function useTranslator(): Translator {
  return useLocale((s) => s.translator)
}

/** The locale every shown time is formatted in. */
export function useTimeLocale(): TimeLocale {
  return useLocale((s) => s.translator)
}
