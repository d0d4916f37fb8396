import type { Page } from '@playwright/test'
import { MAX_PINNED_CONVERSATIONS } from '../src/shared/preferences'
import { expectNoSeriousViolations } from './support/axe'
import { expect, signUpPair, test } from './support/fixtures'
import { BOB, RestUser, conversationItem, openConversation } from './support/flows'

// Pinned conversations end to end: the real server, the real core (pins in its preferences) and
// the built renderer in Chromium.

/** The list's titles, top to bottom. */
function listTitles(page: Page): Promise<string[]> {
  return page
    .getByRole('navigation', { name: 'Conversations' })
    .getByTestId('conversation-title')
    .allTextContents()
}

function pinToggle(page: Page) {
  return page.getByTestId('thread').getByRole('button', { name: 'Pin conversation' })
}

test.describe('Pinned conversations', () => {
  test('a pinned conversation stays on top through new activity elsewhere; unpinning restores activity order; a pin past the limit is refused', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alicePage: page, aliceRest } = pair
    const bob = await RestUser.login(world.backend.url, BOB)
    // Three conversations: the direct one with Bob (the oldest), then two groups.
    const project = await aliceRest.createGroup('Project', [bob.auth.user.id])
    await expect(conversationItem(page, 'Project')).toBeVisible()
    await aliceRest.createGroup('Launch', [bob.auth.user.id])
    await expect(conversationItem(page, 'Launch')).toBeVisible()
    await expect.poll(() => listTitles(page)).toEqual(['Launch', 'Project', BOB.displayName])
    await expect(page.getByRole('list', { name: 'Pinned' })).toHaveCount(0)

    // Alice pins the oldest from its thread header: it moves to the top, in a group of its own,
    // with a pin sign.
    await openConversation(page, BOB.displayName)
    const toggle = pinToggle(page)
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await expect.poll(() => listTitles(page)).toEqual([BOB.displayName, 'Launch', 'Project'])
    const pinnedList = page.getByRole('list', { name: 'Pinned' })
    await expect(pinnedList.getByTestId('conversation-item')).toHaveCount(1)
    const indicator = conversationItem(page, BOB.displayName).getByTestId('pinned-indicator')
    await expect(indicator).toBeVisible()
    await expect(indicator).toHaveAccessibleName('Pinned')
    await expectNoSeriousViolations(page, 'conversation list with a pinned conversation')

    // A new message in another conversation reorders the rest, never above the pinned one.
    await bob.call('POST', `/conversations/${project.id}/messages`, {
      text: 'News for the project',
      client_id: 'pins-e2e-1',
    })
    await expect(conversationItem(page, 'Project').getByTestId('unread-badge')).toHaveText('1')
    await expect.poll(() => listTitles(page)).toEqual([BOB.displayName, 'Project', 'Launch'])

    // Unpinning, from the keyboard: back to activity order, no pinned group, no sign.
    await toggle.focus()
    await page.keyboard.press('Enter')
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await expect.poll(() => listTitles(page)).toEqual(['Project', 'Launch', BOB.displayName])
    await expect(pinnedList).toHaveCount(0)
    await expect(indicator).toHaveCount(0)

    // The limit: three more groups make six; five pins go in, the sixth is refused and shown.
    for (const title of ['Four', 'Five', 'Six']) {
      await aliceRest.createGroup(title, [bob.auth.user.id])
      await expect(conversationItem(page, title)).toBeVisible()
    }
    const toPin = [BOB.displayName, 'Project', 'Launch', 'Four', 'Five']
    expect(toPin).toHaveLength(MAX_PINNED_CONVERSATIONS)
    for (const title of toPin) {
      await openConversation(page, title)
      await pinToggle(page).click()
      await expect(pinToggle(page)).toHaveAttribute('aria-pressed', 'true')
    }
    await expect.poll(() => listTitles(page)).toEqual([...toPin, 'Six'])
    await openConversation(page, 'Six')
    await pinToggle(page).click()
    const error = page.getByTestId('thread').getByRole('alert')
    await expect(error).toHaveText(
      `You can pin up to ${MAX_PINNED_CONVERSATIONS} conversations. Unpin one first.`,
    )
    await expect(pinToggle(page)).toHaveAttribute('aria-pressed', 'false')
    await expect(pinnedList.getByTestId('conversation-item')).toHaveCount(MAX_PINNED_CONVERSATIONS)
    expect(await listTitles(page)).toEqual([...toPin, 'Six'])
    expect(
      (await pair.alice.core.handle('settings/get', undefined)).pinned_conversation_ids,
    ).toHaveLength(MAX_PINNED_CONVERSATIONS)
  })
})
