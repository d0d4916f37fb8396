import type { Page } from '@playwright/test'
import type { Message } from '../src/shared/models'
import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test, type World } from './support/fixtures'
import { ALICE, BOB, messageWithText, openConversation, send } from './support/flows'

// The interface's language end to end: main's core picks it (the OS's languages, then the
// setting), the built renderer in Chromium speaks it live in both windows. The pseudo-locale run
// finds any string that does not come from the catalog and any layout that breaks with longer
// text; the RTL test shows Arabic and Hebrew messages reading right to left in an English window.

const QUESTION = 'Shall we ship on Friday?'
const THREAD_REPLY = 'Friday it is.'
const ARABIC = 'مرحبا، هل نلتقي غدا في المكتب؟'
const HEBREW = 'שלום, מה שלומך היום?'

/**
 * axe in the pseudo-locale, but for one rule: a control's visible word and its longer accessible
 * name ("Pin" in "Pin conversation") are two messages, each padded on its own, so the word is
 * never inside the name there. English and German, whose translators keep them together, are
 * checked with it.
 */
const PSEUDO_AXE = { disableRules: ['label-content-name-mismatch'] }

/**
 * The text a user reads or hears on the page that has a plain ASCII letter in it, which in the
 * pseudo-locale means it did not come from the catalog (every catalog letter is accented): text
 * nodes of shown elements and the attributes read out (aria-label, title, placeholder, alt).
 * `data` is what users wrote (names, messages): it is shown as written in any language.
 */
function untranslatedText(
  page: Page,
  data: readonly string[],
  /** Tokens that are the same in every language (an emoji's `:shortcode:`), left out first. */
  untranslatable?: RegExp,
): Promise<string[]> {
  return page.evaluate(
    ({ known, skip }) => {
      const isData = (text: string) =>
        known.some((item) => text === item || item.includes(text) || text.includes(item))
      const skipped = skip ? new RegExp(skip, 'g') : null
      const found = new Set<string>()
      const consider = (text: string | null, where: string) => {
        const trimmed = (skipped ? (text ?? '').replace(skipped, '') : (text ?? '')).trim()
        if (!/[A-Za-z]/.test(trimmed)) return
        // What a user or the server named (a product name, a person) and is not to be translated.
        if (isData(trimmed)) return
        found.add(`${where}: ${trimmed}`)
      }
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement
        if (!parent || parent.closest('[translate="no"], script, style')) continue
        if (!parent.checkVisibility() && !parent.closest('.visually-hidden')) continue
        consider(node.textContent, parent.tagName.toLowerCase())
      }
      for (const element of document.querySelectorAll('*')) {
        if (element.closest('[translate="no"]')) continue
        for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description']) {
          if (element.hasAttribute(name)) consider(element.getAttribute(name), `@${name}`)
        }
      }
      return [...found].sort()
    },
    { known: data, skip: untranslatable?.source ?? null },
  )
}

/**
 * Controls whose label does not fit them (text cut off or spilling out), and whether the page
 * scrolls sideways: what a translation 40% longer than English breaks first.
 */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      found.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px)`)
    }
    for (const control of document.querySelectorAll<HTMLElement>(
      'button, [role="tab"], label, legend, h1, h2, h3',
    )) {
      if (!control.checkVisibility() || control.closest('.visually-hidden')) continue
      // An emoji's button holds a glyph, no words: one the machine's fonts lack as a single glyph
      // (a newer ZWJ sequence) is drawn as several, in any language.
      if (control.dataset.testid === 'emoji-option') continue
      if (control.scrollWidth > control.clientWidth + 1) {
        found.push(`${control.tagName.toLowerCase()}: ${control.textContent?.trim()}`)
      }
    }
    return found
  })
}

async function expectAllTranslated(
  page: Page,
  screen: string,
  data: readonly string[],
  untranslatable?: RegExp,
) {
  await expect
    .poll(() => untranslatedText(page, data, untranslatable), { message: screen })
    .toEqual([])
  expect.soft(await overflowing(page), `${screen}: overflowing controls`).toEqual([])
}

/** Alice and Bob's thread with a message from each: Bob's holds the question. */
async function threadWithMessages(world: World) {
  const pair = await signUpPair(world)
  await bobOpensConversation(pair)
  await send(pair.bobPage, QUESTION)
  await expect(messageWithText(pair.alicePage, QUESTION)).toBeVisible()
  return pair
}

test.describe('Languages', () => {
  test('the pseudo-locale shows no string outside the catalog and no clipped control', async ({
    world,
  }) => {
    const { alicePage, bobPage } = await threadWithMessages(world)
    await send(alicePage, 'Yes, Friday.')
    // Everything users named or wrote, which no catalog translates.
    const data = [
      'Tidings',
      ALICE.displayName,
      ALICE.username,
      BOB.displayName,
      BOB.username,
      QUESTION,
      'Yes, Friday.',
      THREAD_REPLY,
    ]

    // The check finds English: Bob's window, in English, is full of it.
    expect(await untranslatedText(bobPage, data)).toEqual(
      expect.arrayContaining(['h1: Conversations', '@aria-label: Application']),
    )

    // Alice again, on a machine whose OS runs in the pseudo-locale.
    const pseudo = await world.launch({ systemLocales: ['en-XA'] })
    const page = await pseudo.open(world.rendererUrl)
    const form = page.getByTestId('login-form')
    await expect(form).toHaveAttribute('data-mode', 'signin')
    await expect(page.locator('html')).toHaveAttribute('lang', 'en')
    await expectAllTranslated(page, 'sign-in form', data)
    await form.locator('input[name="username"]').fill(ALICE.username)
    await form.locator('input[name="password"]').fill(ALICE.password)
    await form.locator('button[type="submit"]').click()
    await expect(page.getByTestId('current-user')).toHaveText(ALICE.displayName)
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected')

    await openConversation(page, BOB.displayName)
    await expect(messageWithText(page, QUESTION)).toBeVisible()
    await expectAllTranslated(page, 'messenger with a thread open', data)
    await expectNoSeriousViolations(page, 'messenger in the pseudo-locale', PSEUDO_AXE)

    await page.getByTestId('new-conversation').click()
    await expect(page.getByRole('dialog')).toBeVisible()
    await expectAllTranslated(page, 'new conversation dialog', data)
    await page.keyboard.press('Escape')
    await expect(page.getByRole('dialog')).toHaveCount(0)

    await page.getByTestId('open-conversation-details').click()
    await expect(page.getByTestId('conversation-details-dialog')).toBeVisible()
    await expectAllTranslated(page, 'conversation details dialog', data)
    await page.keyboard.press('Escape')

    // The server rail (checked with the messenger above) and its dialog to add or remove servers,
    // with a server's Remove question open.
    await page.getByTestId('manage-servers').click()
    const servers = page.getByTestId('servers-dialog')
    await expect(servers.getByTestId('server-row')).toHaveCount(1)
    await servers.getByTestId('server-url').fill('http://chat.example.com')
    await expect(servers.getByTestId('server-unencrypted-confirm')).toBeVisible()
    await servers.getByTestId('server-add').click()
    await expect(servers.getByRole('alert')).toBeVisible()
    await expectAllTranslated(page, 'servers dialog', data)
    await expectNoSeriousViolations(page, 'servers dialog in the pseudo-locale', PSEUDO_AXE)
    await page.keyboard.press('Escape')
    await expect(servers).toHaveCount(0)

    // A thread of Bob's question: its panel, with a reply of Alice's, and her Threads view.
    const question = messageWithText(page, QUESTION)
    await question.hover()
    await question.getByTestId('reply-in-thread').click()
    const panel = page.getByTestId('thread-panel')
    await expect(panel.getByTestId('thread-root')).toContainText(QUESTION)
    await panel.getByTestId('thread-composer-input').fill(THREAD_REPLY)
    await panel.getByTestId('thread-composer-input').press('Enter')
    await expect(
      panel.getByTestId('message-item').filter({ hasText: THREAD_REPLY }),
    ).toHaveAttribute('data-status', 'sent')
    await expect(messageWithText(page, QUESTION).getByTestId('thread-summary')).toBeVisible()
    await expectAllTranslated(page, 'thread panel', data)
    await expectNoSeriousViolations(page, 'thread panel in the pseudo-locale', PSEUDO_AXE)

    // The full emoji picker: its tabs, tones and every emoji's name, but for the shortcodes.
    await question.hover()
    await question.getByTestId('react-message').click()
    await question.getByTestId('more-emoji').click()
    const picker = page.getByTestId('emoji-picker')
    await expect(picker.getByTestId('emoji-option').first()).toBeVisible()
    await expectAllTranslated(page, 'emoji picker', data, /:[\w+-]+:/)
    await page.keyboard.press('Escape')
    await expect(picker).toHaveCount(0)

    await page.getByTestId('open-threads').click()
    await expect(page.getByTestId('followed-thread')).toHaveCount(1)
    await expectAllTranslated(page, 'threads view', data)

    await page.getByTestId('toggle-event-monitor').click()
    await expect(page.locator('.monitor')).toBeVisible()
    await expectAllTranslated(page, 'event monitor', [...data, ...EVENT_TYPE_NAMES])

    // Alice runs the server: the settings window has the admin console too.
    const settings = await pseudo.open(world.rendererUrl, 'settings.html')
    await expect(settings.getByTestId('language-setting')).toBeVisible()
    await expect(settings.getByTestId('person-row')).toHaveCount(2)
    await expect(settings.getByTestId('audit-row').first()).toBeVisible()
    await expect(settings.getByTestId('retention-save')).toBeEnabled()
    await expectAllTranslated(settings, 'settings window', [...data, 'English', 'Deutsch'])
    await expectNoSeriousViolations(settings, 'settings in the pseudo-locale', PSEUDO_AXE)
  })

  test('German from the OS, then chosen in settings: both windows switch live, and back', async ({
    world,
  }) => {
    // A German OS: the first-run form speaks German before anyone signs in.
    const fresh = await world.launch({ systemLocales: ['de-AT', 'en-US'] })
    const first = await fresh.open(world.rendererUrl)
    await expect(first.locator('html')).toHaveAttribute('lang', 'de-AT')
    const form = first.getByTestId('login-form')
    await expect(form.getByRole('heading')).toHaveText('Administratorkonto erstellen')
    await expect(form.getByLabel('Benutzername')).toBeVisible()
    await expectNoSeriousViolations(first, 'first-run form in German')
    await fresh.close()

    const { alice, alicePage: page } = await threadWithMessages(world)
    const settings = await alice.open(world.rendererUrl, 'settings.html')
    const language = settings.getByTestId('language-setting')
    await expect(language).toHaveValue('system')
    await expect(language.locator('option[value="system"]')).toHaveText('System (English)')

    await language.selectOption('de')
    for (const window of [page, settings]) {
      await expect(window.locator('html')).toHaveAttribute('lang', 'de')
    }
    await expect(page.locator('.sidebar__title')).toHaveText('Unterhaltungen')
    await expect(page.getByTestId('composer')).toHaveAttribute(
      'placeholder',
      /^Nachricht schreiben/,
    )
    await expect(page.getByTestId('day-separator').first()).toHaveText('Heute')
    await expect(settings.getByRole('heading', { name: 'Sprache', exact: true })).toBeVisible()
    await expect(settings).toHaveTitle('Tidings-Einstellungen')
    expect((await alice.core.handle('locale/get', undefined)).locale).toBe('de')
    // The server rail and Settings → Servers: the built-in server's address is words too.
    await expect(page.getByRole('navigation', { name: 'Server', exact: true })).toContainText(
      'Eingebauter Server auf diesem Computer',
    )
    await expect(
      page.getByRole('button', { name: 'Server hinzufügen oder entfernen' }),
    ).toBeVisible()
    await expect(settings.getByTestId('servers-section')).toContainText('Server hinzufügen')
    await expectNoSeriousViolations(page, 'messenger in German')
    await expectNoSeriousViolations(settings, 'settings in German')

    // The formatting hint and the emoji picker in German: the keys as a German keyboard names
    // them, the tabs, and the emoji by their German CLDR names; search takes English words too.
    await expect(page.getByTestId('formatting-hint')).toContainText('Strg+B fett')
    const question = messageWithText(page, QUESTION)
    await question.hover()
    await question.getByTestId('react-message').click()
    await question.getByRole('button', { name: 'Weitere Emoji' }).click()
    const picker = page.getByTestId('emoji-picker')
    await expect(picker.getByRole('tab', { name: 'Smileys und Gefühle' })).toHaveAttribute(
      'aria-selected',
      'true',
    )
    await expect(
      picker.getByRole('button', { name: 'grinsendes Gesicht', exact: true }),
    ).toBeVisible()
    await picker.getByRole('searchbox', { name: 'Emoji suchen' }).fill('rocket')
    await expect(picker.getByRole('button', { name: 'Rakete', exact: true })).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(picker).toHaveCount(0)

    // Back to the system's language, from the German menu.
    await expect(language.locator('option[value="system"]')).toHaveText('System (English)')
    await language.selectOption('system')
    await expect(page.locator('.sidebar__title')).toHaveText('Conversations')
    await expect(page.getByTestId('day-separator').first()).toHaveText('Today')
    await expect(settings).toHaveTitle('Tidings settings')
    await expect(page.locator('html')).toHaveAttribute('lang', 'en-US')
  })

  test('Arabic and Hebrew messages read right to left in an English window', async ({ world }) => {
    const pair = await threadWithMessages(world)
    const { alicePage: page, aliceRest, conversationId } = pair
    for (const text of [ARABIC, HEBREW]) {
      await aliceRest.call<Message>('POST', `/conversations/${conversationId}/messages`, {
        text,
        client_id: `rtl-${text.length}`,
      })
    }
    await openConversation(pair.bobPage, ALICE.displayName)
    for (const [text, direction] of [
      [ARABIC, 'rtl'],
      [HEBREW, 'rtl'],
      [QUESTION, 'ltr'],
    ] as const) {
      const paragraph = messageWithText(pair.bobPage, text).locator('.message__text')
      await expect(paragraph).toBeVisible()
      expect(await paragraph.evaluate((p) => getComputedStyle(p).direction), text).toBe(direction)
      // The text sits at the paragraph's start: its right edge for RTL, its left for LTR.
      const [line, box] = await paragraph.evaluate((p) => {
        const range = document.createRange()
        range.selectNodeContents(p)
        const r = range.getBoundingClientRect()
        const b = p.getBoundingClientRect()
        return [
          { left: r.left, right: r.right },
          { left: b.left, right: b.right },
        ]
      })
      if (direction === 'rtl') expect(box.right - line.right, text).toBeLessThan(2)
      else expect(line.left - box.left, text).toBeLessThan(2)
    }
    // The conversation list's preview of the last message reads right to left too.
    const preview = pair.bobPage.getByTestId('conversation-preview-text').first()
    await expect(preview).toContainText(HEBREW)
    expect(await preview.evaluate((p) => getComputedStyle(p).direction)).toBe('rtl')

    // Typing Arabic turns the composer right to left as it is typed.
    const composer = page.getByTestId('composer')
    await composer.fill(ARABIC)
    expect(await composer.evaluate((c) => getComputedStyle(c).direction)).toBe('rtl')
    await expectNoSeriousViolations(pair.bobPage, 'a thread with Arabic and Hebrew messages')

    // A formatted Arabic message, and a thread of it: the root, a Hebrew reply and the thread's
    // composer in its panel, and the Threads view's line all read right to left.
    const bobPage = pair.bobPage
    await composer.fill(`**${ARABIC}**`)
    await composer.press('Enter')
    const formatted = messageWithText(bobPage, ARABIC)
      .last()
      .getByTestId('formatted-text')
      .locator('p')
    await expect(formatted).toBeVisible()
    expect(await formatted.evaluate((p) => getComputedStyle(p).direction)).toBe('rtl')
    const root = messageWithText(bobPage, ARABIC).last()
    await root.hover()
    await root.getByTestId('reply-in-thread').click()
    const panel = bobPage.getByTestId('thread-panel')
    const rootText = panel.getByTestId('thread-root').getByTestId('formatted-text').locator('p')
    await expect(rootText).toContainText(ARABIC)
    expect(await rootText.evaluate((p) => getComputedStyle(p).direction)).toBe('rtl')
    const threadInput = panel.getByTestId('thread-composer-input')
    await threadInput.fill(HEBREW)
    expect(await threadInput.evaluate((c) => getComputedStyle(c).direction)).toBe('rtl')
    await threadInput.press('Enter')
    const reply = panel
      .getByTestId('message-item')
      .filter({ hasText: HEBREW })
      .locator('.message__text')
    await expect(reply).toBeVisible()
    expect(await reply.evaluate((p) => getComputedStyle(p).direction)).toBe('rtl')
    await bobPage.getByTestId('open-threads').click()
    const line = bobPage.getByTestId('followed-thread-text')
    await expect(line).toContainText(ARABIC)
    expect(await line.evaluate((p) => getComputedStyle(p).direction)).toBe('rtl')
  })
})

/** The event monitor lists stream events by their protocol names, which are not translated. */
const EVENT_TYPE_NAMES = [
  'message_sent',
  'message_received',
  'conversation_created',
  'user_online',
  'user_offline',
  'typing',
  'read',
]
