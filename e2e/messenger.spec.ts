import path from 'node:path'
import { DateTime } from 'luxon'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import {
  ALICE,
  BOB,
  RestUser,
  clockTime,
  conversationItem,
  createFirstAccount,
  messageItems,
  messageWithText,
  openConversation,
  send,
  threadTexts,
} from './support/flows'

// The messenger end to end: the real server, the real main-process core and the built renderer
// in Chromium, driven by clicks and keystrokes like a user.

const SCREENSHOTS = path.resolve(import.meta.dirname, '../docs/screenshots')

test.describe('Tidings renderer in Chromium', () => {
  test('first run creates the administrator and opens the main window', async ({ world }) => {
    const client = await world.launch()
    const page = await client.open(world.rendererUrl)

    await createFirstAccount(page, ALICE)

    await expect(page.getByTestId('login-form')).toHaveCount(0)
    await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Create invite' })).toBeVisible()
    const rest = await RestUser.login(world.backend.url, ALICE)
    expect(rest.auth.user).toMatchObject({ username: ALICE.username, role: 'admin' })
  })

  test('an invited user registers and both exchange messages live', async ({ world }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage } = pair

    // The conversation Alice created reaches Bob's list live.
    await expect(conversationItem(bobPage, ALICE.displayName)).toBeVisible()
    await openConversation(bobPage, ALICE.displayName)

    await send(alicePage, 'Hi Bob, welcome to Tidings!')
    await expect(messageWithText(bobPage, 'Hi Bob, welcome to Tidings!')).toBeVisible()
    await send(bobPage, 'Thanks Alice, glad to be here.')
    await expect(messageWithText(alicePage, 'Thanks Alice, glad to be here.')).toBeVisible()
    await send(alicePage, 'Lunch at noon?')
    await expect(messageWithText(bobPage, 'Lunch at noon?')).toBeVisible()

    const expected = ['Hi Bob, welcome to Tidings!', 'Thanks Alice, glad to be here.', 'Lunch at noon?']
    await expect.poll(() => threadTexts(alicePage)).toEqual(expected)
    await expect.poll(() => threadTexts(bobPage)).toEqual(expected)
    await expect(messageWithText(alicePage, 'Lunch at noon?')).toHaveAttribute('data-status', 'sent')
    // The sender's side marks its own messages; the other side shows the sender's name.
    await expect(messageWithText(alicePage, 'Lunch at noon?').locator('.message__sender')).toHaveText(
      'You',
    )
    await expect(messageWithText(bobPage, 'Lunch at noon?').locator('.message__sender')).toHaveText(
      ALICE.displayName,
    )

    await alicePage.screenshot({ path: path.join(SCREENSHOTS, 'main-window.png') })
  })
})

export { BOB, DateTime, messageItems, bobOpensConversation, clockTime }
