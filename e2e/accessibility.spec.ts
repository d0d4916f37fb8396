import type { Locator, Page } from '@playwright/test'
import { expectNoSeriousViolations } from './support/axe'
import { expect, signUpPair, test } from './support/fixtures'
import {
  ALICE,
  BOB,
  CAROL,
  RestUser,
  createFirstAccount,
  messageWithText,
  openConversation,
  send,
} from './support/flows'

// Every screen passes axe without serious or critical violations, and the main paths work from
// the keyboard alone.

/** Presses Tab until `target` has focus (at most `limit` presses); fails otherwise. */
async function tabTo(page: Page, target: Locator, limit = 40): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab')
    if (await target.evaluate((el) => el === document.activeElement)) return presses
  }
  throw new Error(`not reachable with ${limit} Tab presses`)
}

test.describe('Accessibility', () => {
  // The screens are spread over three tests, each well inside the timeout on a loaded machine
  // (one test of them all once ran past it): every axe run takes seconds.
  test('axe finds no serious or critical violations on the login screens', async ({ world }) => {
    // Login (first-run mode).
    const client = await world.launch()
    const page = await client.open(world.rendererUrl)
    await expect(page.getByTestId('login-form')).toHaveAttribute('data-mode', 'first_account')
    await expectNoSeriousViolations(page, 'login (first account)')
    await client.close()

    await signUpPair(world)
    // Login (sign-in mode), on a fresh app.
    const third = await world.launch()
    const thirdPage = await third.open(world.rendererUrl)
    await expect(thirdPage.getByTestId('login-form')).toHaveAttribute('data-mode', 'signin')
    await expectNoSeriousViolations(thirdPage, 'login (sign in)')
  })

  test('axe finds no serious or critical violations in the main window: thread, mute, search, toast', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage } = pair
    // Main window with a thread, messages with links, a receipt and a toast.
    await openConversation(bobPage, ALICE.displayName)
    // Links in the text, in a received and in an own message.
    await send(bobPage, 'Notes at https://example.com/notes')
    await send(alicePage, 'Thanks, also www.example.org')
    await send(alicePage, 'Hello Bob')
    await send(bobPage, 'Hello Alice')
    await expect(messageWithText(alicePage, 'Hello Alice')).toBeVisible()
    await expect(
      messageWithText(alicePage, 'Notes at https://example.com/notes').getByRole('link'),
    ).toBeVisible()
    await expect(
      messageWithText(alicePage, 'Thanks, also www.example.org').getByRole('link'),
    ).toBeVisible()
    await expect(messageWithText(alicePage, 'Hello Bob').getByTestId('read-receipt')).toBeVisible()
    await expectNoSeriousViolations(alicePage, 'main window with a thread')
    // Muted: the pressed toggle in the header and the sign in the list.
    await alicePage.getByRole('button', { name: 'Mute notifications' }).click()
    await expect(alicePage.getByTestId('muted-indicator')).toBeVisible()
    await expectNoSeriousViolations(alicePage, 'main window with a muted conversation')
    // Message search results in the sidebar, the matches marked.
    await alicePage.getByRole('searchbox', { name: 'Search messages' }).fill('hello')
    await expect(alicePage.getByTestId('search-result')).toHaveCount(2)
    await expect(alicePage.getByTestId('search-snippet').locator('mark')).toHaveCount(2)
    await expectNoSeriousViolations(alicePage, 'message search results')
    await alicePage.getByRole('searchbox', { name: 'Search messages' }).press('Escape')
    await expect(alicePage.getByTestId('conversation-item')).toHaveCount(1)
    await pair.bob.setWindowFocused(bobPage, false)
    await send(alicePage, 'Still there?')
    const toast = bobPage.getByTestId('toast').filter({ hasText: 'Still there?' })
    await expect(toast).toBeVisible()
    await toast.hover()
    await expectNoSeriousViolations(bobPage, 'main window with a toast and an unread count')
  })

  test('axe finds no serious or critical violations in the event monitor, the new conversation dialog and settings', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alicePage } = pair
    await send(alicePage, 'Hello Bob')

    // Event monitor.
    await alicePage.getByTestId('toggle-event-monitor').click()
    await expect(alicePage.getByTestId('event-monitor')).toBeVisible()
    await expect(alicePage.getByTestId('event-entry').first()).toBeVisible()
    await expectNoSeriousViolations(alicePage, 'event monitor')
    await alicePage.getByTestId('toggle-event-monitor').click()
    await expect(alicePage.getByTestId('event-monitor')).toHaveCount(0)

    // New conversation dialog.
    await alicePage.getByTestId('new-conversation').click()
    const dialog = alicePage.getByTestId('new-conversation-dialog')
    await expect(dialog.getByTestId('person-option')).toHaveCount(1)
    await expectNoSeriousViolations(alicePage, 'new conversation dialog')
    await alicePage.keyboard.press('Escape')
    await expect(dialog).toHaveCount(0)

    // Settings, as an admin (picker) and as a member (read-only zone).
    const settings = await pair.alice.open(world.rendererUrl, 'settings.html')
    await expect(settings.getByTestId('timezone-select')).toBeVisible()
    await expect(settings.getByTestId('mute-checkbox')).toHaveCount(1)
    await expectNoSeriousViolations(settings, 'settings (admin)')
    const memberSettings = await pair.bob.open(world.rendererUrl, 'settings.html')
    await expect(memberSettings.getByTestId('timezone-readonly')).toBeVisible()
    await expectNoSeriousViolations(memberSettings, 'settings (member)')
  })

  // Its own test: the screens above already take most of a test's time.
  test('axe finds no serious or critical violations in the conversation details dialog', async ({
    world,
  }) => {
    const { alicePage, aliceRest } = await signUpPair(world)
    // Conversation details of a group: members, rename, the add-people picker, then the leave
    // confirmation; Escape closes it and focus goes back to the button that opened it.
    await aliceRest.registerInvited(CAROL)
    const bobId = (await RestUser.login(world.backend.url, BOB)).auth.user.id
    await aliceRest.createGroup('Design review', [bobId])
    await openConversation(alicePage, 'Design review')
    await alicePage.getByTestId('open-conversation-details').click()
    const details = alicePage.getByTestId('conversation-details-dialog')
    await expect(details.getByTestId('member-item')).toHaveCount(2)
    await expect(details.getByTestId('add-person-option')).toHaveCount(1)
    await expect(details.getByLabel('Title')).toHaveValue('Design review')
    await expectNoSeriousViolations(alicePage, 'conversation details dialog')
    await details.getByTestId('leave-conversation').click()
    await expect(details.getByTestId('leave-confirm')).toBeVisible()
    await expect(details.getByRole('button', { name: 'Stay' })).toBeFocused()
    await expectNoSeriousViolations(alicePage, 'conversation details: leave confirmation')
    await alicePage.keyboard.press('Escape')
    await expect(details).toHaveCount(0)
    await expect(alicePage.getByTestId('open-conversation-details')).toBeFocused()
  })

  // Its own test too, on one app: the first test is near its time limit on a busy machine.
  test('axe finds no serious or critical violations in the settings password form', async ({
    world,
  }) => {
    const alice = await world.launch()
    await createFirstAccount(await alice.open(world.rendererUrl), ALICE)
    const settings = await alice.open(world.rendererUrl, 'settings.html')
    const passwordForm = settings.getByTestId('password-section')
    // With the error it shows next to its fields, and after a change, with its success message.
    await passwordForm.getByRole('button', { name: 'Change password' }).click()
    await expect(passwordForm.getByRole('alert')).toHaveText('Enter your current password.')
    await expectNoSeriousViolations(settings, 'settings: password form error')
    await passwordForm.getByLabel('Current password').fill(ALICE.password)
    await passwordForm.getByLabel(/^New password/).fill('alice-new-password-2')
    await passwordForm.getByLabel('Confirm the new password').fill('alice-new-password-2')
    await passwordForm.getByRole('button', { name: 'Change password' }).click()
    await expect(passwordForm.getByRole('status')).toHaveText(/^Password changed\./)
    await expectNoSeriousViolations(settings, 'settings: password changed')
    // The confirmation "Sign out other devices" asks first.
    await passwordForm.getByRole('button', { name: 'Sign out other devices' }).click()
    await expect(passwordForm.getByTestId('sign-out-others-confirm')).toBeVisible()
    await expectNoSeriousViolations(settings, 'settings: sign out other devices confirmation')
  })

  test('the keyboard alone opens a conversation, sends, opens dialogs and changes settings', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alice, alicePage, bobPage } = pair

    // Bob opens the conversation from the list with the keyboard.
    const item = bobPage.getByTestId('conversation-item')
    await expect(item).toHaveCount(1)
    await tabTo(bobPage, item)
    await bobPage.keyboard.press('Enter')
    await expect(bobPage.getByTestId('thread').getByRole('heading', { level: 2 })).toHaveText(
      ALICE.displayName,
    )

    // Alice tabs to the composer, types and sends with Enter.
    await alicePage.locator('body').focus()
    await tabTo(alicePage, alicePage.getByTestId('composer'))
    await alicePage.keyboard.type('Sent without a mouse')
    await alicePage.keyboard.press('Enter')
    await expect(messageWithText(bobPage, 'Sent without a mouse')).toBeVisible()
    await expect(alicePage.getByTestId('composer')).toHaveValue('')
    await expect(alicePage.getByTestId('composer')).toBeFocused()
    // Shift+Enter makes a new line instead of sending.
    await alicePage.keyboard.type('line one')
    await alicePage.keyboard.press('Shift+Enter')
    await alicePage.keyboard.type('line two')
    await expect(alicePage.getByTestId('composer')).toHaveValue('line one\nline two')
    await alicePage.keyboard.press('Enter')
    await expect(messageWithText(bobPage, 'line one\nline two')).toBeVisible()

    // The event monitor toggles with its shortcut.
    await alicePage.keyboard.press('Control+Shift+E')
    await expect(alicePage.getByTestId('event-monitor')).toBeVisible()
    await alicePage.keyboard.press('Control+Shift+E')
    await expect(alicePage.getByTestId('event-monitor')).toHaveCount(0)

    // The new-conversation dialog: reachable, operable, and Escape closes it.
    await alicePage.locator('body').focus()
    await tabTo(alicePage, alicePage.getByTestId('new-conversation'))
    await alicePage.keyboard.press('Enter')
    const dialog = alicePage.getByTestId('new-conversation-dialog')
    await expect(dialog).toBeVisible()
    await expect(dialog.getByRole('searchbox', { name: 'Find people' })).toBeFocused()
    await alicePage.keyboard.press('Escape')
    await expect(dialog).toHaveCount(0)

    // Settings open from the top bar with the keyboard.
    await alicePage.locator('body').focus()
    await tabTo(alicePage, alicePage.getByTestId('open-settings'))
    const opened = alice.context.waitForEvent('page')
    await alicePage.keyboard.press('Enter')
    const settings = await opened
    expect(alice.settingsOpened).toHaveLength(1)
    await expect(settings.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible()
    // The timezone picker works from the keyboard: search, arrow through the list, save.
    await settings.locator('body').focus()
    await tabTo(settings, settings.getByTestId('timezone-search'))
    await settings.keyboard.type('Kolkata')
    await settings.keyboard.press('Tab')
    await expect(settings.getByTestId('timezone-select')).toBeFocused()
    await settings.keyboard.press('ArrowDown')
    await expect(settings.getByTestId('timezone-select')).toHaveValue('Asia/Kolkata')
    await settings.keyboard.press('Tab')
    await expect(settings.getByTestId('timezone-save')).toBeFocused()
    await settings.keyboard.press('Enter')
    await expect(settings.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()
    await expect(bobPage.getByTestId('toast').filter({ hasText: 'Asia/Kolkata' })).toBeVisible()
  })
})
