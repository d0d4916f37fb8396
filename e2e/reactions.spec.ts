import type { Page } from '@playwright/test'
import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import { ALICE, BOB, messageWithText, openConversation } from './support/flows'

// Reactions end to end: Bob reacts to a message of Alice's from the picker; Alice sees the chip
// live and who chose it; she adds her own; Bob switches to hers, then takes his back. The picker
// works from the keyboard and passes axe while open.

function chip(page: Page, text: string, emoji: string) {
  return messageWithText(page, text).locator(`[data-testid="reaction-chip"][data-emoji="${emoji}"]`)
}

test('reactions: set from the picker, seen live, replaced, removed; the picker by keyboard', async ({
  world,
}) => {
  const pair = await signUpPair(world)
  const { alicePage, bobPage, aliceRest, conversationId } = pair
  const text = 'The release is out'
  await aliceRest.call('POST', `/conversations/${conversationId}/messages`, {
    text,
    client_id: 'reactions-e2e-1',
  })
  await bobOpensConversation(pair)
  await openConversation(alicePage, BOB.displayName)
  const bobsRow = messageWithText(bobPage, text)
  const alicesRow = messageWithText(alicePage, text)
  await expect(bobsRow).toBeVisible()
  await expect(alicesRow).toBeVisible()

  // Bob opens the picker with the mouse: it is labelled, focus is on its first emoji, axe passes.
  await bobsRow.hover()
  const reactButton = bobsRow.getByRole('button', { name: `React to ${ALICE.displayName}` })
  await reactButton.click()
  const picker = bobsRow.getByRole('toolbar', { name: `Reactions to ${ALICE.displayName}` })
  await expect(picker).toBeVisible()
  await expect(picker.getByRole('button', { name: 'React with thumbs up' })).toBeFocused()
  await expectNoSeriousViolations(bobPage, 'reaction picker open')
  await picker.getByRole('button', { name: 'React with thumbs up' }).click()
  await expect(picker).toHaveCount(0)
  await expect(reactButton).toBeFocused()

  // Alice sees it live: one 👍, Bob's.
  const aliceThumbs = chip(alicePage, text, '👍')
  await expect(aliceThumbs).toHaveText('👍1')
  await expect(aliceThumbs).toHaveAccessibleName(`👍 1 reaction: ${BOB.displayName}`)
  await expect(aliceThumbs).toHaveAttribute('aria-pressed', 'false')
  await expect(chip(bobPage, text, '👍')).toHaveAttribute('aria-pressed', 'true')
  await expect(chip(bobPage, text, '👍')).toHaveAccessibleName('👍 1 reaction: You')

  // Alice adds ❤️ from the keyboard: Enter opens, arrow keys move, Escape closes and returns
  // focus, Tab reaches the choices too, Enter chooses.
  const aliceReact = alicesRow.getByTestId('react-message')
  await aliceReact.focus()
  await alicePage.keyboard.press('Enter')
  const alicePicker = alicesRow.getByTestId('reaction-picker')
  await expect(alicePicker).toBeVisible()
  await alicePage.keyboard.press('ArrowRight')
  await expect(alicePicker.getByRole('button', { name: 'React with heart' })).toBeFocused()
  await alicePage.keyboard.press('ArrowLeft')
  await alicePage.keyboard.press('ArrowLeft')
  await expect(alicePicker.getByRole('button', { name: 'React with thanks' })).toBeFocused()
  await alicePage.keyboard.press('Escape')
  await expect(alicePicker).toHaveCount(0)
  await expect(aliceReact).toBeFocused()
  await alicePage.keyboard.press('Enter')
  await expect(alicePicker).toBeVisible()
  await alicePage.keyboard.press('Tab')
  await expect(alicePicker.getByRole('button', { name: 'React with heart' })).toBeFocused()
  await alicePage.keyboard.press('Enter')
  await expect(alicePicker).toHaveCount(0)
  const aliceHearts = chip(alicePage, text, '❤️')
  await expect(aliceHearts).toHaveText('❤️1')
  await expect(aliceHearts).toHaveAttribute('aria-pressed', 'true')
  await expect(chip(bobPage, text, '❤️')).toHaveAccessibleName(
    `❤️ 1 reaction: ${ALICE.displayName}`,
  )

  // Bob switches to ❤️ by choosing its chip: two on ❤️, none on 👍.
  await chip(bobPage, text, '❤️').click()
  await expect(aliceHearts).toHaveText('❤️2')
  await expect(aliceHearts).toHaveAccessibleName(`❤️ 2 reactions: You, ${BOB.displayName}`)
  await expect(aliceThumbs).toHaveCount(0)
  await expect(chip(bobPage, text, '❤️')).toHaveAttribute('aria-pressed', 'true')
  await expect(chip(bobPage, text, '👍')).toHaveCount(0)

  // Bob takes his back by choosing his own chip again.
  await chip(bobPage, text, '❤️').click()
  await expect(aliceHearts).toHaveText('❤️1')
  await expect(aliceHearts).toHaveAccessibleName('❤️ 1 reaction: You')
  await expect(chip(bobPage, text, '❤️')).toHaveAttribute('aria-pressed', 'false')

  // A fresh window gets them from history.
  await bobPage.reload()
  await bobOpensConversation(pair)
  await expect(chip(bobPage, text, '❤️')).toHaveAccessibleName(
    `❤️ 1 reaction: ${ALICE.displayName}`,
  )
})
