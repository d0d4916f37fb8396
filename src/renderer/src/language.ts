import type { MessageDescriptor } from '../../shared/i18n/translator'
import { ipc } from './ipcClient'
import { useLocale } from './stores/locale'

/** What of the page the language decides outside React: `<html lang>` and the window title. */
export interface LanguageTarget {
  documentElement: { lang: string }
  title: string
}

/**
 * Keeps the window in main's language, live: loads it (`locale/get`), follows `locale/changed`,
 * and keeps `<html lang>` (screen readers pick their voice by it, the spell checker and
 * hyphenation their language) and the window title (`title`, if the window's title is not just
 * the product's name) on it. Returns the unsubscribe.
 */
export function followLocale(target: LanguageTarget, title: MessageDescriptor | null): () => void {
  const apply = (): void => {
    const { info, translator } = useLocale.getState()
    if (target.documentElement.lang !== info.formatLocale) {
      target.documentElement.lang = info.formatLocale
    }
    const text = title ? translator.t(title) : target.title
    if (target.title !== text) target.title = text
  }
  const unsubscribeStore = useLocale.subscribe(apply)
  const tidings = ipc()
  const unsubscribePush = tidings.subscribe('locale/changed', (info) =>
    useLocale.getState().set(info),
  )
  tidings['locale/get']()
    .then((info) => {
      // A `locale/changed` that came first is newer than this answer.
      if (!useLocale.getState().loaded) useLocale.getState().set(info)
    })
    .catch(() => useLocale.getState().fallBack())
  return () => {
    unsubscribeStore()
    unsubscribePush()
  }
}
