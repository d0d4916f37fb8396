import { defineMessages } from '../../shared/i18n/defineMessages'
import { Menu, clipboard } from 'electron'
import type {
  BrowserWindow,
  ContextMenuParams,
  MenuItemConstructorOptions,
  Session,
  WebContents,
} from 'electron'
import type { Translator } from '../../shared/i18n/translator'

/**
 * The windows' right-click menu: spelling suggestions and "Add to dictionary" on a misspelt word,
 * cut, copy and paste where they apply, and "Copy link" on a link. `contextMenuEntries` decides
 * (a pure function of Electron's context-menu parameters, tested without Electron); the rest turns
 * the entries into a native menu. Chromium's spell checker marks the words (the windows have
 * `spellcheck: true`), in the user's languages (spellCheckerLanguages below).
 */

/** The parameters the menu looks at: a subset of Electron's ContextMenuParams. */
export type MenuParams = Pick<
  ContextMenuParams,
  'misspelledWord' | 'dictionarySuggestions' | 'isEditable' | 'linkURL' | 'selectionText'
> & {
  editFlags: Pick<
    ContextMenuParams['editFlags'],
    'canCut' | 'canCopy' | 'canPaste' | 'canSelectAll'
  >
}

export type MenuEntry =
  | { kind: 'replace'; word: string }
  | { kind: 'no-suggestions' }
  | { kind: 'add-to-dictionary'; word: string }
  | { kind: 'copy-link'; url: string }
  | { kind: 'edit'; role: 'cut' | 'copy' | 'paste' | 'selectAll'; enabled: boolean }
  | { kind: 'separator' }

/** At most this many suggestions, as Chrome shows. */
export const MAX_SUGGESTIONS = 5

export function contextMenuEntries(params: MenuParams): MenuEntry[] {
  const groups: MenuEntry[][] = []
  const word = params.misspelledWord.trim()
  if (params.isEditable && word) {
    const suggestions = params.dictionarySuggestions.slice(0, MAX_SUGGESTIONS)
    groups.push([
      ...(suggestions.length > 0
        ? suggestions.map((suggestion): MenuEntry => ({ kind: 'replace', word: suggestion }))
        : [{ kind: 'no-suggestions' } as const]),
      { kind: 'add-to-dictionary', word },
    ])
  }
  if (params.linkURL) groups.push([{ kind: 'copy-link', url: params.linkURL }])
  const flags = params.editFlags
  if (params.isEditable) {
    groups.push([
      { kind: 'edit', role: 'cut', enabled: flags.canCut },
      { kind: 'edit', role: 'copy', enabled: flags.canCopy },
      { kind: 'edit', role: 'paste', enabled: flags.canPaste },
    ])
    groups.push([{ kind: 'edit', role: 'selectAll', enabled: flags.canSelectAll }])
  } else if (params.selectionText.trim()) {
    groups.push([{ kind: 'edit', role: 'copy', enabled: flags.canCopy }])
  }
  return groups.flatMap((group, index) =>
    index === 0 ? group : [{ kind: 'separator' } as const, ...group],
  )
}

const messages = defineMessages({
  noSuggestions: { id: 'contextMenu.noSuggestions', defaultMessage: 'No suggestions' },
  addToDictionary: { id: 'contextMenu.addToDictionary', defaultMessage: 'Add to dictionary' },
  copyLink: { id: 'contextMenu.copyLink', defaultMessage: 'Copy link' },
  cut: { id: 'contextMenu.cut', defaultMessage: 'Cut' },
  copy: { id: 'contextMenu.copy', defaultMessage: 'Copy' },
  paste: { id: 'contextMenu.paste', defaultMessage: 'Paste' },
  selectAll: { id: 'contextMenu.selectAll', defaultMessage: 'Select All' },
})

/** The native menu's items for the entries, in the interface's language; clicks act on `contents`. */
export function menuTemplate(
  entries: readonly MenuEntry[],
  contents: Pick<WebContents, 'replaceMisspelling'> & {
    session: Pick<Session, 'addWordToSpellCheckerDictionary'>
  },
  { t }: Translator,
): MenuItemConstructorOptions[] {
  return entries.map((entry): MenuItemConstructorOptions => {
    switch (entry.kind) {
      case 'replace':
        return { label: entry.word, click: () => contents.replaceMisspelling(entry.word) }
      case 'no-suggestions':
        return { label: t(messages.noSuggestions), enabled: false }
      case 'add-to-dictionary':
        return {
          label: t(messages.addToDictionary),
          click: () => contents.session.addWordToSpellCheckerDictionary(entry.word),
        }
      case 'copy-link':
        return { label: t(messages.copyLink), click: () => void clipboard.writeText(entry.url) }
      case 'edit':
        return { label: t(messages[entry.role]), role: entry.role, enabled: entry.enabled }
      case 'separator':
        return { type: 'separator' }
    }
  })
}

/** Shows the menu on right-click in `win`'s page, in the language of the moment. */
export function attachContextMenu(win: BrowserWindow, translator: () => Translator): void {
  const contents = win.webContents
  contents.on('context-menu', (_event, params) => {
    const entries = contextMenuEntries(params)
    if (entries.length === 0) return
    Menu.buildFromTemplate(menuTemplate(entries, contents, translator())).popup({ window: win })
  })
}

/**
 * The spell checker's languages for the user's preferred languages (app.getPreferredSystemLanguages,
 * e.g. ['fr-CA', 'en-US']) among those Chromium has dictionaries for (e.g. 'fr', 'en-US'): an
 * exact match, else the same language in another region. In the user's order, without repeats;
 * en-US when none matches.
 */
export function spellCheckerLanguages(
  preferred: readonly string[],
  available: readonly string[],
): string[] {
  const chosen: string[] = []
  const lower = new Map(available.map((code) => [code.toLowerCase(), code]))
  const base = (code: string) => code.toLowerCase().split(/[-_]/)[0] ?? ''
  for (const language of preferred) {
    const exact = lower.get(language.toLowerCase())
    const sameLanguage =
      exact ?? lower.get(base(language)) ?? available.find((code) => base(code) === base(language))
    if (sameLanguage && !chosen.includes(sameLanguage)) chosen.push(sameLanguage)
  }
  if (chosen.length === 0 && available.includes('en-US')) chosen.push('en-US')
  return chosen
}

/**
 * Sets the spell checker to the user's languages. macOS uses the system's spell checker, which
 * picks its languages itself (Electron ignores the call there).
 */
export function configureSpellChecker(
  session: Pick<Session, 'setSpellCheckerLanguages' | 'availableSpellCheckerLanguages'>,
  preferred: readonly string[],
  platform: NodeJS.Platform,
): string[] {
  if (platform === 'darwin') return []
  const languages = spellCheckerLanguages(preferred, session.availableSpellCheckerLanguages)
  if (languages.length > 0) session.setSpellCheckerLanguages(languages)
  return languages
}
