import fs from 'node:fs'
import path from 'node:path'
import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import { ALICE, BOB, messageItems, messageWithText, openConversation } from './support/flows'
import { png } from './support/images'
import { SCREENSHOTS } from './support/screenshots'

// Attachments end to end: Alice attaches an image and a text file and sends them; Bob sees the
// image rendered and the file as a card he can save; a message of a file alone works too.

test('Alice sends an image and a text file; Bob sees the image and saves the file', async ({
  world,
}) => {
  const pair = await signUpPair(world)
  const { alicePage, bobPage, bob } = pair
  await bobOpensConversation(pair)

  // Alice attaches two files: each uploads at once and shows as a chip; Send waits for them.
  const image = png(160, 120, [29, 78, 216])
  await alicePage.getByTestId('attach-input').setInputFiles([
    { name: 'harbour.png', mimeType: 'image/png', buffer: image },
    { name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from('Decisions: ship Friday') },
  ])
  const chips = alicePage.getByTestId('pending-file')
  await expect(chips).toHaveCount(2)
  await expect(chips.and(alicePage.locator('[data-status="ready"]'))).toHaveCount(2)
  await expect(chips.first()).toContainText('harbour.png')
  await expectNoSeriousViolations(alicePage, 'composer with files to send')

  // Removing one and adding it again: the chip goes, and comes back.
  await alicePage.getByRole('button', { name: 'Remove minutes.txt' }).click()
  await expect(chips).toHaveCount(1)
  await alicePage.getByTestId('attach-input').setInputFiles({
    name: 'minutes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Decisions: ship Friday'),
  })
  await expect(chips.and(alicePage.locator('[data-status="ready"]'))).toHaveCount(2)

  const composer = alicePage.getByTestId('composer')
  await composer.fill('Photos and minutes from today')
  await composer.press('Enter')
  await expect(composer).toHaveValue('')
  await expect(chips).toHaveCount(0)

  // Bob: the image is decoded and shown, the text file is a card with Save.
  const bobsCopy = messageWithText(bobPage, 'Photos and minutes from today')
  const shown = bobsCopy.getByRole('img', { name: 'harbour.png' })
  await expect(shown).toBeVisible()
  await expect.poll(() => shown.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(160)
  const card = bobsCopy.getByTestId('attachment-card')
  await expect(card).toContainText('minutes.txt')
  await expect(card).toContainText('22 B')
  await card.getByRole('button', { name: 'Save minutes.txt' }).click()
  const saved = path.join(bob.downloadsDir, 'minutes.txt')
  // What the user gets is the content: wait for it, not for the file's name to exist.
  await expect
    .poll(() => (fs.existsSync(saved) ? fs.readFileSync(saved, 'utf8') : null))
    .toBe('Decisions: ship Friday')
  await expectNoSeriousViolations(bobPage, 'thread with an image and a file card')
  await bobPage.getByTestId('toasts').evaluate((toasts) => ((toasts as HTMLElement).hidden = true))
  await bobPage.screenshot({ path: path.join(SCREENSHOTS, 'attachments.png') })
  await bobPage.getByTestId('toasts').evaluate((toasts) => ((toasts as HTMLElement).hidden = false))

  // A file alone: Send is enabled with no text, and the list previews it.
  await expect(alicePage.getByTestId('send-button')).toBeDisabled()
  await alicePage.getByTestId('attach-input').setInputFiles({
    name: 'budget.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('item,cost\nboat,1200\n'),
  })
  await expect(chips.and(alicePage.locator('[data-status="ready"]'))).toHaveCount(1)
  await expect(alicePage.getByTestId('send-button')).toBeEnabled()
  await alicePage.getByTestId('send-button').click()
  const lastOfBob = messageItems(bobPage).last()
  await expect(lastOfBob.getByTestId('attachment-card')).toContainText('budget.csv')
  await expect(lastOfBob.locator('.message__text')).toHaveCount(0)
  await openConversation(bobPage, ALICE.displayName)
  await expect(
    bobPage.getByTestId('conversation-item').filter({ hasText: ALICE.displayName }),
  ).toContainText(`${ALICE.displayName}: 📎 budget.csv`)
  await expect(
    alicePage.getByTestId('conversation-item').filter({ hasText: BOB.displayName }),
  ).toContainText('You: 📎 budget.csv')
})
