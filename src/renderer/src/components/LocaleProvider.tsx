import type { ReactNode } from 'react'
import { RawIntlProvider } from 'react-intl'
import { useLocale } from '../stores/locale'

/**
 * Gives the window's components its language (react-intl's `useIntl` and `FormattedMessage`),
 * and re-renders them all when it changes. Nothing renders before main said which language it
 * is, so a German window never starts in English.
 */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const intl = useLocale((s) => s.intl)
  const loaded = useLocale((s) => s.loaded)
  return <RawIntlProvider value={intl}>{loaded ? children : null}</RawIntlProvider>
}
