import type { Page } from '@playwright/test'
import { MAX_PINNED_CONVERSATIONS } from '../src/shared/preferences'
import { expectNoSeriousViolations } from './support/axe'
import { expect, signUpPair, test, type World } from './support/fixtures'
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

/**
 * Alice and Bob with their direct conversation (the oldest), then groups of both with these
 * titles made over REST in this order; each reaches Alice's list live. Returns the group ids.
 */
async function withGroups(world: World, titles: string[]) {
  const pair = await signUpPair(world)
  const bob = await RestUser.login(world.backend.url, BOB)
  const ids: Record<string, number> = {}
  for (const title of titles) {
    ids[title] = (await pair.aliceRest.createGroup(title, [bob.auth.user.id])).id
    await expect(conversationItem(pair.alicePage, title)).toBeVisible()
  }
  return { pair, bob, ids }
}

/** The settings window's pin checkbox of one conversation. */
function settingsBox(settings: Page, conversationId: number) {
  return settings.locator(`[data-testid="pin-checkbox"][data-conversation-id="${conversationId}"]`)
}

test.describe('Pinned conversations', () => {
  test('a pinned conversation stays on top through new activity elsewhere; unpinning restores activity order', async ({
    world,
  }) => {
    const { pair, bob, ids } = await withGroups(world, ['Project', 'Launch'])
    const { alice, alicePage: page } = pair
    await expect.poll(() => listTitles(page)).toEqual(['Launch', 'Project', BOB.displayName])
    const pinnedList = page.getByRole('list', { name: 'Pinned' })
    await expect(pinnedList).toHaveCount(0)
    // The settings window, open meanwhile, lists the pins too.
    const settings = await alice.open(world.rendererUrl, 'settings.html')
    const bobBox = settingsBox(settings, pair.conversationId)
    await expect(bobBox).not.toBeChecked()

    // Alice pins the oldest from its thread header: it moves to the top, in a group of its own,
    // with a pin sign.
    await openConversation(page, BOB.displayName)
    const toggle = pinToggle(page)
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await expect.poll(() => listTitles(page)).toEqual([BOB.displayName, 'Launch', 'Project'])
    await expect(pinnedList.getByTestId('conversation-item')).toHaveCount(1)
    const indicator = conversationItem(page, BOB.displayName).getByTestId('pinned-indicator')
    await expect(indicator).toBeVisible()
    await expect(indicator).toHaveAccessibleName('Pinned')
    await expectNoSeriousViolations(page, 'conversation list with a pinned conversation')
    // The settings window follows at once.
    await expect(bobBox).toBeChecked()

    // A new message in another conversation reorders the rest, never above the pinned one.
    await bob.call('POST', `/conversations/${ids.Project}/messages`, {
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
    await expect(bobBox).not.toBeChecked()

    // And the other way round: pinned in the settings window, the main window follows.
    await bobBox.check()
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await expect.poll(() => listTitles(page)).toEqual([BOB.displayName, 'Project', 'Launch'])
  })

  test(`a pin past ${MAX_PINNED_CONVERSATIONS} is refused with a visible message and changes nothing`, async ({
    world,
  }) => {
    const { pair, ids } = await withGroups(world, ['Two', 'Three', 'Four', 'Five', 'Six'])
    const { alice, alicePage: page } = pair
    const pinnedList = page.getByRole('list', { name: 'Pinned' })
    const settings = await alice.open(world.rendererUrl, 'settings.html')
    // Five pins (made in main directly: the windows follow a change from anywhere).
    const toPin = [pair.conversationId, ids.Two!, ids.Three!, ids.Four!, ids.Five!]
    expect(toPin).toHaveLength(MAX_PINNED_CONVERSATIONS)
    for (const id of toPin) {
      await alice.core.handle('conversations/setPinned', { conversation_id: id, pinned: true })
    }
    const pinnedOrder = [BOB.displayName, 'Two', 'Three', 'Four', 'Five', 'Six']
    await expect.poll(() => listTitles(page)).toEqual(pinnedOrder)
    await expect(pinnedList.getByTestId('conversation-item')).toHaveCount(5)

    // The sixth, from its thread header: refused, said under the button, nothing moves.
    await openConversation(page, 'Six')
    await pinToggle(page).click()
    const error = page.getByTestId('thread').getByRole('alert')
    await expect(error).toHaveText(
      `You can pin up to ${MAX_PINNED_CONVERSATIONS} conversations. Unpin one first.`,
    )
    await expect(pinToggle(page)).toHaveAttribute('aria-pressed', 'false')
    await expect(pinnedList.getByTestId('conversation-item')).toHaveCount(5)
    expect(await listTitles(page)).toEqual(pinnedOrder)
    expect((await alice.core.handle('settings/get', undefined)).pinned_conversation_ids).toEqual(
      toPin,
    )

    // The settings window offers no sixth pin: its box is disabled, the reason beside it.
    await expect(settingsBox(settings, ids.Six!)).toBeDisabled()
    await expect(settings.getByTestId('pin-limit-hint')).toContainText('unpin one to pin another')
    await expectNoSeriousViolations(settings, 'settings window with the pins at the limit')

    // Unpinned there, the main window follows; then the sixth pins from the header, last.
    await settingsBox(settings, ids.Two!).uncheck()
    await expect(pinnedList.getByTestId('conversation-item')).toHaveCount(4)
    await expect(settingsBox(settings, ids.Six!)).toBeEnabled()
    await pinToggle(page).click()
    await expect(pinToggle(page)).toHaveAttribute('aria-pressed', 'true')
    await expect(error).toHaveCount(0)
    await expect(settingsBox(settings, ids.Six!)).toBeChecked()
    await expect
      .poll(() => listTitles(page))
      .toEqual([BOB.displayName, 'Three', 'Four', 'Five', 'Six', 'Two'])
  })

  test('a pin of a conversation no longer in the list can be unpinned in settings, freeing its slot', async ({
    world,
  }) => {
    const { pair } = await withGroups(world, [])
    const { alice, alicePage: page } = pair
    // A pin whose conversation's removal this device never heard of (a resync past it): the
    // preference holds an id the list does not have, which no row of the main window shows.
    const stale = pair.conversationId + 1000
    await alice.core.handle('settings/set', { pinned_conversation_ids: [stale] })
    await expect(page.getByRole('list', { name: 'Pinned' })).toHaveCount(0)

    const settings = await alice.open(world.rendererUrl, 'settings.html')
    const box = settings.locator(
      `[data-testid="pin-checkbox-gone"][data-conversation-id="${stale}"]`,
    )
    await expect(box).toBeChecked()
    await expect(box.locator('xpath=..')).toHaveText('Pin a conversation you are no longer in')
    await box.click()
    await expect(box).toHaveCount(0)
    await expect
      .poll(
        async () => (await alice.core.handle('settings/get', undefined)).pinned_conversation_ids,
      )
      .toEqual([])
  })
})
