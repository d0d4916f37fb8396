import path from 'node:path'
import type { Page } from '@playwright/test'
import type { Message } from '../src/shared/models'
import { expectNoSeriousViolations } from './support/axe'
import {
  bobOpensConversation,
  expect,
  signUpPair,
  test,
  type Pair,
  type World,
} from './support/fixtures'
import { BOB, messageWithText, openConversation } from './support/flows'
import { SCREENSHOTS } from './support/screenshots'

// The theme end to end: the real core keeps the preference, the built renderer in Chromium
// applies it (through <html data-theme> and the CSS color-scheme), live in every window.

/** The main surfaces of a window, by selector. */
const MESSENGER_SURFACES = ['html', '.sidebar', '.thread__header', '.composer']
const SETTINGS_SURFACES = ['html', '.card']

/**
 * The relative luminance (WCAG) of each surface's computed background and of the page's text:
 * below 0.1 is dark, above 0.8 light.
 */
function luminances(page: Page, selectors: string[]): Promise<Record<string, number>> {
  return page.evaluate((list) => {
    const luminance = (color: string): number => {
      const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
        const c = Number(v) / 255
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    const result: Record<string, number> = {}
    for (const selector of list) {
      const element = document.querySelector(selector)
      if (!element) throw new Error(`no ${selector} on the page`)
      result[selector] = luminance(getComputedStyle(element).backgroundColor)
    }
    result.text = luminance(getComputedStyle(document.body).color)
    return result
  }, selectors)
}

async function expectDark(page: Page, selectors: string[]): Promise<void> {
  await expect
    .poll(async () => {
      const { text, ...surfaces } = await luminances(page, selectors)
      return Object.values(surfaces).every((l) => l < 0.1) && text! > 0.7
    })
    .toBe(true)
}

async function expectLight(page: Page, selectors: string[]): Promise<void> {
  await expect
    .poll(async () => {
      const { text, ...surfaces } = await luminances(page, selectors)
      return Object.values(surfaces).every((l) => l > 0.8) && text! < 0.05
    })
    .toBe(true)
}

function themeRadio(settings: Page, name: string) {
  return settings.getByRole('group', { name: 'Theme' }).getByRole('radio', { name })
}

const QUESTION = 'Shall we ship the dark theme on Friday?'
const ANSWER = 'Yes, the contrast checks all pass.'

/**
 * Alice and Bob with a thread both wrote in, a reply (its quote) and a reaction, open in Alice's
 * messenger window.
 */
async function busyThread(world: World): Promise<Pair> {
  const pair = await signUpPair(world)
  const { alicePage: page, aliceRest, conversationId } = pair
  const post = (text: string, extra: object = {}) =>
    aliceRest.call<Message>('POST', `/conversations/${conversationId}/messages`, {
      text,
      client_id: `theme-${text.length}-${text.slice(0, 8)}`,
      ...extra,
    })
  const first = await post(QUESTION)
  await bobOpensConversation(pair)
  const bobsComposer = pair.bobPage.getByTestId('composer')
  await bobsComposer.fill(ANSWER)
  await bobsComposer.press('Enter')
  await post('Great, then Friday it is.', { reply_to_id: first.id })
  await aliceRest.call('PUT', `/conversations/${conversationId}/messages/${first.id}/reactions`, {
    emoji: '👍',
  })
  await openConversation(page, BOB.displayName)
  await expect(messageWithText(page, ANSWER)).toBeVisible()
  await expect(messageWithText(page, 'Great, then Friday it is.')).toBeVisible()
  await expect(messageWithText(page, QUESTION).getByTestId('reaction-chip')).toHaveText('👍1')
  return pair
}

test.describe('Theme', () => {
  test('Dark chosen in settings turns both windows dark live; axe passes on them in dark', async ({
    world,
  }) => {
    const { alice, alicePage: page } = await busyThread(world)
    await expectLight(page, MESSENGER_SURFACES)

    // The settings window: an Appearance section, System chosen.
    const settings = await alice.open(world.rendererUrl, 'settings.html')
    await expect(settings.getByRole('heading', { name: 'Appearance' })).toBeVisible()
    await expect(themeRadio(settings, 'System (follow the operating system)')).toBeChecked()

    // Dark, from the keyboard: arrow keys move the choice within the group.
    await themeRadio(settings, 'System (follow the operating system)').focus()
    await settings.keyboard.press('ArrowDown')
    await expect(themeRadio(settings, 'Light')).toBeChecked()
    await settings.keyboard.press('ArrowDown')
    await expect(themeRadio(settings, 'Dark')).toBeChecked()
    await expectDark(page, MESSENGER_SURFACES)
    await expectDark(settings, SETTINGS_SURFACES)
    expect((await alice.core.handle('settings/get', undefined)).theme).toBe('dark')

    // Legible in dark: axe's colour contrast rule included.
    await expectNoSeriousViolations(page, 'messenger in dark, a thread with a reply and reactions')
    await expectNoSeriousViolations(settings, 'settings in dark')
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dark.png') })

    // And back to Light, live again.
    await themeRadio(settings, 'Light').check()
    await expectLight(page, MESSENGER_SURFACES)
    await expectLight(settings, SETTINGS_SURFACES)
  })

  // Its own test: axe runs are slow, and the one above has two already.
  test('axe passes in dark with the reaction picker and the details dialog open', async ({
    world,
  }) => {
    const { alice, alicePage: page } = await busyThread(world)
    await alice.core.handle('settings/set', { theme: 'dark' })
    await expectDark(page, MESSENGER_SURFACES)
    const row = messageWithText(page, ANSWER)
    await row.hover()
    await row.getByRole('button', { name: `React to ${BOB.displayName}` }).click()
    await expect(row.getByTestId('reaction-picker')).toBeVisible()
    await expectNoSeriousViolations(page, 'messenger in dark, the reaction picker open')
    await page.keyboard.press('Escape')
    await expect(row.getByTestId('reaction-picker')).toHaveCount(0)
    await page.getByTestId('open-conversation-details').click()
    const details = page.getByTestId('conversation-details-dialog')
    await expect(details).toBeVisible()
    await expectDark(page, ['[data-testid="conversation-details-dialog"]'])
    await expectNoSeriousViolations(page, 'messenger in dark, the details dialog open')
  })

  test("'system' follows the OS's dark mode; 'light' stays light under it; the login view too", async ({
    world,
  }) => {
    const client = await world.launch()
    const page = await client.open(world.rendererUrl)
    await page.emulateMedia({ colorScheme: 'dark' })
    const login = page.getByTestId('login-form')
    await expect(login).toBeVisible()
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'system')
    await expectDark(page, ['html', '.login__card'])
    await expectNoSeriousViolations(page, 'first-run form in dark')

    await client.core.handle('settings/set', { theme: 'light' })
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light')
    await expectLight(page, ['html', '.login__card'])

    // Chosen before the window opens: the page starts light under a dark OS.
    const second = await client.open(world.rendererUrl)
    await second.emulateMedia({ colorScheme: 'dark' })
    await expect(second.locator('html')).toHaveAttribute('data-theme', 'light')
    await expectLight(second, ['html', '.login__card'])

    // Back to 'system': dark again, and light when the OS turns light.
    await client.core.handle('settings/set', { theme: 'system' })
    await expectDark(page, ['html', '.login__card'])
    await page.emulateMedia({ colorScheme: 'light' })
    await expectLight(page, ['html', '.login__card'])
  })
})
