import type { ReactNode } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { RawIntlProvider } from 'react-intl'
import { translatorFor } from '../../src/shared/i18n/translator'
import { useLocale } from '../../src/renderer/src/stores/locale'

/**
 * Components as the window renders them: inside its language (LocaleProvider's RawIntlProvider),
 * English unless a test set another in the locale store.
 */
export function renderWithIntl(node: ReactNode): string {
  return renderToStaticMarkup(
    <RawIntlProvider value={useLocale.getState().intl}>{node}</RawIntlProvider>,
  )
}

/** The English translator, for helpers that word things. */
export const EN = translatorFor('en')
