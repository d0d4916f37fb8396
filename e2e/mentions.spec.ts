import { expectNoSeriousViolations } from './support/axe'
import { expect, signUpPair, test } from './support/fixtures'
import type { Page } from '@playwright/test'
import {
  ALICE,
  BOB,
  RestUser,
  conversationItem,
  messageItems,
  openConversation,
} from './support/flows'

// @mentions end to end: Alice completes @bo to Bob from the keyboard and sends; Bob, looking at
// another conversation, sees the "@" on the unread badge, then the message highlighted as
// mentioning him, with a chip that names him.

test('a mention is completed from the keyboard, marked in the list and highlighted for Bob', async ({
  world,
}) => {
  const pair = await signUpPair(world)
  const { alicePage, bobPage, aliceRest } = pair
  // Bob looks at another conversation, so the one with Alice gathers unread messages.
  const bob = await RestUser.login(world.backend.url, BOB)
  await aliceRest.createGroup('Elsewhere', [bob.auth.user.id])
  await openConversation(bobPage, 'Elsewhere')

  const composer = alicePage.getByTestId('composer')
  await expect(composer).toHaveAttribute('role', 'combobox')
  await expect(composer).toHaveAttribute('aria-expanded', 'false')
  await composer.pressSequentially('Can you check this, @bo')
  const list = alicePage.getByRole('listbox', { name: 'People to mention' })
  await expect(list).toBeVisible()
  await expect(composer).toHaveAttribute('aria-expanded', 'true')
  const option = list.getByRole('option', { name: `${BOB.displayName} @${BOB.username}` })
  await expect(option).toHaveAttribute('aria-selected', 'true')
  await expect(composer).toHaveAttribute(
    'aria-activedescendant',
    (await option.getAttribute('id'))!,
  )
  await expectNoSeriousViolations(alicePage, 'composer with the mention list open')

  // Escape closes the list and keeps the text; typing on opens it again.
  await composer.press('Escape')
  await expect(list).toBeHidden()
  await expect(composer).toHaveValue('Can you check this, @bo')
  await expect(composer).toHaveAttribute('aria-expanded', 'false')
  await composer.pressSequentially('b')
  await expect(list).toBeVisible()

  // ↓ wraps round the one option; Enter picks it (and does not send).
  await composer.press('ArrowDown')
  await expect(option).toHaveAttribute('aria-selected', 'true')
  await composer.press('Enter')
  await expect(list).toBeHidden()
  await expect(composer).toHaveValue('Can you check this, @bob ')
  await composer.pressSequentially('before lunch?')
  await composer.press('Enter')
  await expect(composer).toHaveValue('')
  // The chip's spoken name is in the text content, so the row is found by its words around it.
  const mentionRow = (page: Page) => messageItems(page).filter({ hasText: 'before lunch?' })
  // Alice sees the chip too, but her own message is not one that mentions her.
  const alicesCopy = mentionRow(alicePage)
  await expect(alicesCopy.locator('.message__text')).toHaveText(
    `Can you check this, @bob@${BOB.displayName} before lunch?`,
  )
  await expect(alicesCopy.getByTestId('mention')).toHaveAttribute('title', BOB.displayName)
  await expect(alicesCopy).not.toHaveAttribute('data-mentions-me')

  // Bob: the "@" on the unread badge of the conversation with Alice...
  const item = conversationItem(bobPage, ALICE.displayName)
  const badge = item.getByTestId('unread-badge')
  await expect(badge.getByTestId('mention-marker')).toHaveText('@')
  await expect(badge).toHaveAttribute('aria-label', '1 unread message, including a mention of you')
  await expect(conversationItem(bobPage, 'Elsewhere').getByTestId('mention-marker')).toHaveCount(0)

  // ...and the message highlighted, announced as mentioning him; reading it clears the sign.
  await openConversation(bobPage, ALICE.displayName)
  const row = mentionRow(bobPage)
  await expect(row).toHaveAttribute('data-mentions-me', 'true')
  await expect(row).toHaveAttribute('aria-label', /, mentions you$/)
  await expect(row.getByTestId('mention')).toHaveAttribute('title', BOB.displayName)
  await expect(row.getByTestId('mention')).toHaveClass(/mention--me/)
  await expect(item.getByTestId('unread-badge')).toHaveCount(0)
  await expectNoSeriousViolations(bobPage, 'thread with a message that mentions the reader')
})
