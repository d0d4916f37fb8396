import path from 'node:path'
import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import {
  ALICE,
  BOB,
  RestUser,
  bobReadsAllElsewhere,
  messageWithText,
  openConversation,
} from './support/flows'
import { SCREENSHOTS } from './support/screenshots'

// Replies end to end: Bob replies to a message of Alice's far back in their history; both see
// the quote, and choosing it pages back to the original and highlights it.

test('a reply quotes its original on both sides; its quote brings the original into view', async ({
  world,
}) => {
  const pair = await signUpPair(world)
  const { alicePage, bobPage, aliceRest, conversationId } = pair
  const original = 'Can you review the Rheinfall draft today?'
  // The original, then more than a page of history above the reply to come.
  const fillers = 60
  for (let i = 0; i <= fillers; i++) {
    await aliceRest.call('POST', `/conversations/${conversationId}/messages`, {
      text: i === 0 ? original : `Filler ${i}`,
      client_id: `reply-e2e-${i}`,
    })
  }
  // Read elsewhere, and a fresh window: it opens at the newest page (not at the New messages
  // divider) and knows nothing older, so reaching the original takes paging back.
  await bobReadsAllElsewhere(world.backend.url, conversationId)
  await bobPage.reload()
  await bobOpensConversation(pair)
  await expect(messageWithText(bobPage, `Filler ${fillers}`)).toBeInViewport()

  // Bob finds the original (search brings it into view), and chooses Reply on it.
  await bobPage.getByRole('searchbox', { name: 'Search messages' }).fill('rheinfall')
  await bobPage.getByTestId('search-result').first().click()
  const originalRow = messageWithText(bobPage, original)
  await expect(originalRow).toBeInViewport()
  await originalRow.hover()
  await originalRow.getByRole('button', { name: `Reply to ${ALICE.displayName}` }).click()
  const bar = bobPage.getByTestId('reply-bar')
  await expect(bar).toContainText(`Replying to ${ALICE.displayName}: ${original}`)
  const composer = bobPage.getByTestId('composer')
  await expect(composer).toBeFocused()
  await expectNoSeriousViolations(bobPage, 'composer with the reply bar')

  // Escape cancels; Reply is reachable from the keyboard too; × cancels and focus stays.
  await bobPage.keyboard.press('Escape')
  await expect(bar).toHaveCount(0)
  await originalRow.getByTestId('reply-message').focus()
  await bobPage.keyboard.press('Enter')
  await expect(bar).toBeVisible()
  await bar.getByRole('button', { name: 'Cancel reply' }).click()
  await expect(bar).toHaveCount(0)
  await expect(composer).toBeFocused()

  // The reply goes out with its quote and clears the bar.
  await originalRow.getByTestId('reply-message').focus()
  await bobPage.keyboard.press('Enter')
  await expect(bar).toBeVisible()
  const replyText = 'Yes, after lunch'
  await composer.fill(replyText)
  await composer.press('Enter')
  await expect(composer).toHaveValue('')
  await expect(bar).toHaveCount(0)
  const bobsReply = messageWithText(bobPage, replyText)
  await expect(bobsReply).toBeInViewport()
  await expect(bobsReply.getByTestId('reply-quote')).toHaveText(
    `In reply to ${ALICE.displayName}: ${original}`,
  )
  // The fillers were read on another device before this window loaded: none of them is news.
  await expect(bobPage.getByTestId('toast')).toHaveCount(0)
  await bobPage.screenshot({ path: path.join(SCREENSHOTS, 'reply.png') })

  // Alice, in a fresh window that has only the newest page, sees the quote from the server...
  await alicePage.reload()
  await openConversation(alicePage, BOB.displayName)
  const alicesCopy = messageWithText(alicePage, replyText)
  await expect(alicesCopy).toBeInViewport()
  const quote = alicesCopy.getByTestId('reply-quote')
  await expect(quote).toHaveText(`In reply to ${ALICE.displayName}: ${original}`)
  await expect(messageWithText(alicePage, original)).toHaveCount(0)

  // ...and choosing it pages back until the original is there, in view and highlighted.
  await quote.click()
  await expect(messageWithText(alicePage, original)).toBeInViewport()
  await expect(alicePage.locator('.thread__row[data-found="true"]')).toContainText(original)
  await expect(alicePage.locator('.thread__row[data-found="true"]')).toHaveCount(0)

  // Opening another conversation drops a reply being written.
  const bobId = (await RestUser.login(world.backend.url, BOB)).auth.user.id
  await aliceRest.createGroup('Elsewhere', [bobId])
  await messageWithText(alicePage, original).hover()
  await messageWithText(alicePage, original)
    .getByRole('button', { name: /^Reply to your message/ })
    .click()
  await expect(alicePage.getByTestId('reply-bar')).toBeVisible()
  await openConversation(alicePage, 'Elsewhere')
  await expect(alicePage.getByTestId('reply-bar')).toHaveCount(0)
  await openConversation(alicePage, BOB.displayName)
  await expect(alicePage.getByTestId('reply-bar')).toHaveCount(0)
})
