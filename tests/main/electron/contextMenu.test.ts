import { translatorFor } from '../../../src/shared/i18n/translator'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  configureSpellChecker,
  contextMenuEntries,
  menuTemplate,
  spellCheckerLanguages,
  type MenuParams,
} from '../../../src/main/electron/contextMenu'
import { createWindowManager } from '../../../src/main/electron/windows'
import {
  FakeBrowserWindow,
  type FakeMenu,
  Menu,
  clipboard,
  fakeEvent,
  fakeSession,
  resetFakeElectron,
} from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

beforeEach(() => resetFakeElectron())

const NO_FLAGS = { canCut: false, canCopy: false, canPaste: false, canSelectAll: false }
const EDITABLE_FLAGS = { canCut: true, canCopy: true, canPaste: true, canSelectAll: true }

function params(overrides: Partial<MenuParams>): MenuParams {
  return {
    misspelledWord: '',
    dictionarySuggestions: [],
    isEditable: false,
    linkURL: '',
    selectionText: '',
    editFlags: NO_FLAGS,
    ...overrides,
  }
}

describe('contextMenuEntries', () => {
  it('a misspelt word in the composer: suggestions, Add to dictionary, then editing', () => {
    const entries = contextMenuEntries(
      params({
        isEditable: true,
        misspelledWord: 'helo',
        dictionarySuggestions: ['hello', 'help', 'hell', 'helot', 'halo', 'hero'],
        editFlags: { ...EDITABLE_FLAGS, canCut: false, canCopy: false },
      }),
    )
    expect(entries).toEqual([
      { kind: 'replace', word: 'hello' },
      { kind: 'replace', word: 'help' },
      { kind: 'replace', word: 'hell' },
      { kind: 'replace', word: 'helot' },
      { kind: 'replace', word: 'halo' },
      { kind: 'add-to-dictionary', word: 'helo' },
      { kind: 'separator' },
      { kind: 'edit', role: 'cut', enabled: false },
      { kind: 'edit', role: 'copy', enabled: false },
      { kind: 'edit', role: 'paste', enabled: true },
      { kind: 'separator' },
      { kind: 'edit', role: 'selectAll', enabled: true },
    ])
  })

  it('a misspelt word without suggestions can still be added', () => {
    const entries = contextMenuEntries(
      params({ isEditable: true, misspelledWord: 'Tidings', editFlags: EDITABLE_FLAGS }),
    )
    expect(entries.slice(0, 2)).toEqual([
      { kind: 'no-suggestions' },
      { kind: 'add-to-dictionary', word: 'Tidings' },
    ])
  })

  it('a link in a message: Copy link, and Copy when text is selected', () => {
    expect(contextMenuEntries(params({ linkURL: 'https://example.com/a' }))).toEqual([
      { kind: 'copy-link', url: 'https://example.com/a' },
    ])
    expect(
      contextMenuEntries(
        params({
          linkURL: 'https://example.com/a',
          selectionText: 'example',
          editFlags: { ...NO_FLAGS, canCopy: true },
        }),
      ),
    ).toEqual([
      { kind: 'copy-link', url: 'https://example.com/a' },
      { kind: 'separator' },
      { kind: 'edit', role: 'copy', enabled: true },
    ])
  })

  it('nothing to offer on plain page text: no menu', () => {
    expect(contextMenuEntries(params({}))).toEqual([])
    expect(contextMenuEntries(params({ misspelledWord: 'helo' }))).toEqual([])
  })
})

describe('the native menu', () => {
  it('suggestions replace the word, Add to dictionary adds it, Copy link copies', () => {
    const contents = { replaceMisspelling: vi.fn(), session: fakeSession() }
    const template = menuTemplate(
      [
        { kind: 'replace', word: 'hello' },
        { kind: 'add-to-dictionary', word: 'helo' },
        { kind: 'separator' },
        { kind: 'copy-link', url: 'https://example.com' },
        { kind: 'no-suggestions' },
        { kind: 'edit', role: 'paste', enabled: false },
      ],
      contents,
      translatorFor('en'),
    )
    template[0]?.click?.({} as never, undefined, {} as never)
    expect(contents.replaceMisspelling).toHaveBeenCalledWith('hello')
    expect(template[1]?.label).toBe('Add to dictionary')
    template[1]?.click?.({} as never, undefined, {} as never)
    expect(contents.session.addWordToSpellCheckerDictionary).toHaveBeenCalledWith('helo')
    expect(template[2]).toEqual({ type: 'separator' })
    template[3]?.click?.({} as never, undefined, {} as never)
    expect(clipboard.writeText).toHaveBeenCalledWith('https://example.com')
    expect(template[4]).toEqual({ label: 'No suggestions', enabled: false })
    expect(template[5]).toEqual({ label: 'Paste', role: 'paste', enabled: false })
  })

  it('every window shows it on right-click, over that window', () => {
    const wm = createWindowManager({
      preloadPath: '/app/out/preload/index.cjs',
      devServerUrl: null,
      isQuitting: () => false,
      translator: () => translatorFor('en'),
      hideOnClose: () => false,
    })
    wm.createMainWindow()
    wm.openSettings()
    for (const win of FakeBrowserWindow.instances) {
      win.webContents.emit(
        'context-menu',
        fakeEvent(),
        params({ isEditable: true, editFlags: EDITABLE_FLAGS }),
      )
      const menu = Menu.buildFromTemplate.mock.results.at(-1)?.value as FakeMenu
      expect(menu.popup).toHaveBeenCalledWith({ window: win })
    }
    const calls = Menu.buildFromTemplate.mock.calls.length
    FakeBrowserWindow.instances[0]!.webContents.emit('context-menu', fakeEvent(), params({}))
    expect(Menu.buildFromTemplate).toHaveBeenCalledTimes(calls)
  })
})

describe('spell checker languages', () => {
  const available = ['de-DE', 'en-GB', 'en-US', 'fr', 'pt-BR']

  it('follow the user’s languages, matched by region or by language, in order', () => {
    expect(spellCheckerLanguages(['fr-CA', 'en-GB'], available)).toEqual(['fr', 'en-GB'])
    expect(spellCheckerLanguages(['de', 'pt-PT', 'en-US'], available)).toEqual([
      'de-DE',
      'pt-BR',
      'en-US',
    ])
    expect(spellCheckerLanguages(['en-AU', 'en-US'], available)).toEqual(['en-GB', 'en-US'])
  })

  it('fall back to en-US when no language has a dictionary', () => {
    expect(spellCheckerLanguages(['ja-JP'], available)).toEqual(['en-US'])
    expect(spellCheckerLanguages([], ['fr'])).toEqual([])
  })

  it('are set on the session except on macOS, whose own spell checker chooses', () => {
    const session = fakeSession()
    expect(configureSpellChecker(session, ['fr-FR'], 'linux')).toEqual(['fr'])
    expect(session.setSpellCheckerLanguages).toHaveBeenCalledWith(['fr'])
    const mac = fakeSession()
    expect(configureSpellChecker(mac, ['fr-FR'], 'darwin')).toEqual([])
    expect(mac.setSpellCheckerLanguages).not.toHaveBeenCalled()
  })
})
