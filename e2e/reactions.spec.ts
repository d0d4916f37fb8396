import type { Page } from '@playwright/test'
import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import { ALICE, BOB, messageWithText, openConversation } from './support/flows'

// Reactions end to end: Bob reacts to a message of Alice's from the picker; Alice sees the chip
// live and who chose it; she adds her own; Bob adds hers too (several each, Slack's way), then
// takes his back one at a time. The quick picker works from the keyboard and passes axe while open;
// the full picker (any emoji) is in the second test.

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
  // Left of the first is the last: "More emoji", then the last quick one.
  await expect(alicePicker.getByRole('button', { name: 'More emoji' })).toBeFocused()
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

  // Bob adds ❤️ by choosing its chip: two on ❤️, and his 👍 stays (several reactions each).
  await chip(bobPage, text, '❤️').click()
  await expect(aliceHearts).toHaveText('❤️2')
  await expect(aliceHearts).toHaveAccessibleName(`❤️ 2 reactions: You, ${BOB.displayName}`)
  await expect(aliceThumbs).toHaveText('👍1')
  await expect(chip(bobPage, text, '❤️')).toHaveAttribute('aria-pressed', 'true')
  await expect(chip(bobPage, text, '👍')).toHaveAttribute('aria-pressed', 'true')

  // Bob takes each back by choosing his own chip again: 👍 goes, then his ❤️.
  await chip(bobPage, text, '👍').click()
  await expect(aliceThumbs).toHaveCount(0)
  await expect(aliceHearts).toHaveText('❤️2')
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

test('reactions: any emoji from the full picker, by search, category, skin tone and recently used', async ({
  world,
}) => {
  // Many screens after one sign-up of two people: more than the default time on a loaded machine.
  test.slow()
  const pair = await signUpPair(world)
  const { alicePage, bobPage, aliceRest, conversationId } = pair
  const text = 'Launch day'
  await aliceRest.call('POST', `/conversations/${conversationId}/messages`, {
    text,
    client_id: 'reactions-e2e-any',
  })
  await bobOpensConversation(pair)
  await openConversation(alicePage, BOB.displayName)
  const bobsRow = messageWithText(bobPage, text)
  await expect(bobsRow).toBeVisible()

  // "More emoji" opens the full picker, labelled, with focus in its search; axe passes.
  await bobsRow.hover()
  const reactButton = bobsRow.getByTestId('react-message')
  await reactButton.click()
  await bobsRow.getByRole('button', { name: 'More emoji' }).click()
  const picker = bobsRow.getByRole('dialog', { name: `Reactions to ${ALICE.displayName}` })
  await expect(picker).toBeVisible()
  const search = picker.getByRole('searchbox', { name: 'Search emoji' })
  await expect(search).toBeFocused()
  await expect(picker.getByRole('tab', { name: 'Smileys & emotion' })).toHaveAttribute(
    'aria-selected',
    'true',
  )
  await expect(picker.getByRole('button', { name: 'grinning face', exact: true })).toBeVisible()
  await expectNoSeriousViolations(bobPage, 'emoji picker open')

  // Search by name, Enter takes the first match: 🚀 on Alice's screen, live.
  await search.fill('rocket')
  await expect(picker.getByRole('button', { name: 'rocket', exact: true })).toBeVisible()
  await search.press('Enter')
  await expect(picker).toHaveCount(0)
  await expect(reactButton).toBeFocused()
  await expect(chip(alicePage, text, '🚀')).toHaveAccessibleName(
    `🚀 1 reaction: ${BOB.displayName}`,
  )

  // A category and a skin tone: the people tab shows 👍 in the chosen tone, and the tone is kept.
  await reactButton.click()
  await bobsRow.getByRole('button', { name: 'More emoji' }).click()
  await expect(picker).toBeVisible()
  // Recently used opens first, with the rocket in it.
  await expect(picker.getByRole('tab', { name: 'Recently used' })).toHaveAttribute(
    'aria-selected',
    'true',
  )
  await expect(picker.locator('[data-testid="emoji-option"][data-emoji="🚀"]')).toHaveAttribute(
    'aria-pressed',
    'true',
  )
  await picker
    .getByRole('combobox', { name: 'Skin tone' })
    .selectOption({ label: '✋🏾 Medium-dark' })
  await picker.getByRole('tab', { name: 'People & body' }).click()
  const thumbs = picker.locator('[data-testid="emoji-option"][data-emoji="👍🏾"]')
  await expect(thumbs).toHaveAccessibleName('thumbs up')
  // The grid by keyboard: one tab stop, arrows move, Enter chooses.
  await thumbs.focus()
  await bobPage.keyboard.press('ArrowRight')
  await expect(picker.locator('[data-testid="emoji-option"][data-emoji="👎🏾"]')).toBeFocused()
  await bobPage.keyboard.press('ArrowLeft')
  await bobPage.keyboard.press('Enter')
  await expect(picker).toHaveCount(0)
  await expect(chip(alicePage, text, '👍🏾')).toHaveAccessibleName(
    `👍🏾 1 reaction: ${BOB.displayName}`,
  )
  // Both of Bob's reactions stand.
  await expect(chip(bobPage, text, '🚀')).toHaveAttribute('aria-pressed', 'true')
  await expect(chip(bobPage, text, '👍🏾')).toHaveAttribute('aria-pressed', 'true')

  // Escape closes the full picker and gives focus back; the tone and recent emoji are kept.
  await reactButton.click()
  await bobsRow.getByRole('button', { name: 'More emoji' }).click()
  await expect(picker.getByRole('combobox', { name: 'Skin tone' })).toHaveValue('4')
  await expect(
    picker.getByTestId('emoji-option').first(),
    'the newest recently used emoji comes first',
  ).toHaveAttribute('data-emoji', '👍🏾')
  await search.fill('zzqx')
  await expect(picker.getByRole('status')).toHaveText('No emoji match “zzqx”.')
  await bobPage.keyboard.press('Escape')
  await expect(picker).toHaveCount(0)
  await expect(reactButton).toBeFocused()
})
