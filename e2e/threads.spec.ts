import path from 'node:path'
import type { Page } from '@playwright/test'
import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import { BOB, messageWithText, send, threadTexts } from './support/flows'
import { SCREENSHOTS } from './support/screenshots'

// Threads end to end, as in Slack: Bob replies in a thread of Alice's message, once also to the
// conversation; the root shows the count and the repliers; Alice, who started it, follows it and
// is told of replies; her Threads view lists it with the unread replies until she reads them.

/** Opens the thread of a message from its row ("Reply in thread"). */
async function replyInThreadOf(page: Page, text: string): Promise<void> {
  const row = messageWithText(page, text)
  await row.hover()
  await row.getByTestId('reply-in-thread').click()
  await expect(page.getByTestId('thread-root')).toContainText(text)
}

/** Sends a reply from the open thread panel. */
async function replyInPanel(page: Page, text: string, alsoToChannel = false): Promise<void> {
  const panel = page.getByTestId('thread-panel')
  if (alsoToChannel) await panel.getByTestId('thread-also-to-channel').check()
  const input = panel.getByTestId('thread-composer-input')
  await input.fill(text)
  await input.press('Enter')
  await expect(input).toHaveValue('')
  await expect(panel.getByTestId('message-item').filter({ hasText: text }).last()).toHaveAttribute(
    'data-status',
    'sent',
  )
}

test('a thread: replies in the panel, one also in the conversation, the root’s summary, following, the Threads view and its unread', async ({
  world,
}) => {
  const pair = await signUpPair(world)
  const { alicePage, bobPage } = pair
  await bobOpensConversation(pair)
  const root = 'Shall we ship v2 on Friday?'
  await send(alicePage, root)
  await expect(messageWithText(bobPage, root)).toBeVisible()

  // Bob opens the thread and replies there: the reply is in the panel, not in the conversation.
  await replyInThreadOf(bobPage, root)
  const bobPanel = bobPage.getByTestId('thread-panel')
  await expect(bobPanel.getByTestId('thread-reply-count')).toHaveText('No replies yet')
  await expectNoSeriousViolations(bobPage, 'thread panel')
  await replyInPanel(bobPage, 'Friday works for me')
  await expect(bobPanel.getByTestId('thread-reply-count')).toHaveText('1 reply')
  expect(await threadTexts(bobPage)).not.toContain('Friday works for me')
  await expect(bobPanel.getByTestId('thread-follow')).toHaveAttribute('aria-pressed', 'true')

  // Alice, who started it, sees the count and Bob's avatar on her root, and is told of the reply.
  const aliceRoot = messageWithText(alicePage, root)
  const aliceSummary = aliceRoot.getByTestId('thread-summary')
  await expect(aliceSummary).toContainText('1 reply')
  await expect(aliceSummary.getByTestId('thread-replier')).toHaveText(['B'])
  expect(await threadTexts(alicePage)).not.toContain('Friday works for me')
  const toast = alicePage.getByTestId('toast').filter({ hasText: 'Friday works for me' })
  await expect(toast).toBeVisible()

  // A reply also sent to the conversation shows in both, marked as a thread's.
  await replyInPanel(bobPage, 'Release notes are in the wiki', true)
  const inChannel = messageWithText(alicePage, 'Release notes are in the wiki')
  await expect(inChannel).toBeVisible()
  await expect(inChannel.getByTestId('open-reply-thread')).toHaveText('Replied in a thread')
  await expect(
    bobPanel
      .getByTestId('message-item')
      .filter({ hasText: 'Release notes' })
      .getByTestId('also-in-channel'),
  ).toBeVisible()
  await expect(aliceSummary).toContainText('2 replies')

  // Alice's Threads view: the thread, with two replies she has not read; the button counts it.
  await expect(alicePage.getByTestId('threads-unread')).toHaveText(/^1/)
  await alicePage.getByTestId('open-threads').click()
  const followed = alicePage.getByTestId('followed-thread')
  await expect(followed).toHaveCount(1)
  await expect(followed).toContainText(root)
  await expect(followed.getByTestId('followed-thread-unread')).toHaveText(/^2/)
  await expectNoSeriousViolations(alicePage, 'Threads view')
  await alicePage.screenshot({ path: path.join(SCREENSHOTS, 'threads-view.png') })

  // Opening it shows the panel and reads the replies: nothing unread is left.
  await followed.click()
  const alicePanel = alicePage.getByTestId('thread-panel')
  await expect(alicePanel.getByTestId('thread-reply-count')).toHaveText('2 replies')
  await expect(alicePage.getByTestId('threads-unread')).toHaveCount(0)
  await replyInPanel(alicePage, 'Great, Friday it is')
  // Both repliers on Bob's root now, the most recent first.
  const bobSummary = messageWithText(bobPage, root).getByTestId('thread-summary')
  await expect(bobSummary).toContainText('3 replies')
  await expect(bobSummary.getByTestId('thread-replier')).toHaveText(['A', 'B'])
  // Bob's open panel took Alice's reply live: the root and three replies.
  await expect(bobPanel.getByTestId('message-item')).toHaveCount(4)
  await alicePage.screenshot({ path: path.join(SCREENSHOTS, 'thread.png') })

  // Bob unfollows: Alice's next reply is not news to him; the thread leaves his Threads view.
  await bobPanel.getByTestId('thread-follow').click()
  await expect(bobPanel.getByTestId('thread-follow')).toHaveAttribute('aria-pressed', 'false')
  await bobPanel.getByTestId('thread-close').click()
  await expect(bobPage.getByTestId('thread-panel')).toHaveCount(0)
  await replyInPanel(alicePage, `Thanks ${BOB.displayName}`)
  await expect(bobSummary).toContainText('4 replies')
  await expect(
    bobPage.getByTestId('toast').filter({ hasText: `Thanks ${BOB.displayName}` }),
  ).toHaveCount(0)
  await bobPage.getByTestId('open-threads').click()
  await expect(bobPage.getByTestId('threads-view')).toContainText('No threads yet')
  // Alice's own replies never count as unread for her.
  await expect(alicePage.getByTestId('threads-unread')).toHaveCount(0)
})
