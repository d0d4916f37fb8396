import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { expect, signUpPair, test, type Pair } from './support/fixtures'
import {
  ALICE,
  BOB,
  RestUser,
  conversationItem,
  messageWithText,
  openConversation,
  send,
} from './support/flows'

// Composer drafts and the "New messages" divider, end to end: the real server, the real core
// (drafts in its local store) and the built renderer in Chromium.

/** Alice's second conversation, a group with Bob, made over REST; it reaches her list live. */
async function projectGroup(world: { backend: { url: string } }, pair: Pair): Promise<number> {
  const bobId = (await RestUser.login(world.backend.url, BOB)).auth.user.id
  const group = await pair.aliceRest.createGroup('Project', [bobId])
  await expect(conversationItem(pair.alicePage, 'Project')).toBeVisible()
  return group.id
}

/** Top to bottom: "NEW" for the divider, a message's text for a message row. */
async function threadRows(page: Page): Promise<string[]> {
  return page
    .getByTestId('thread')
    .locator('.thread__row')
    .evaluateAll((rows) =>
      rows.flatMap((row) => {
        if (row.querySelector('[data-testid="new-messages-divider"]')) return ['NEW']
        const text = row.querySelector('.message__text')?.textContent
        return text ? [text] : []
      }),
    )
}

test.describe('Drafts and the "New messages" divider', () => {
  test('a draft follows its conversation, outlives a reload, and goes once sent', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alice, alicePage: page } = pair
    await projectGroup(world, pair)
    const composer = page.getByTestId('composer')
    const bobItem = conversationItem(page, BOB.displayName)

    // Alice starts writing to Bob, then turns to the other conversation.
    await composer.fill('Half a thought')
    await expect(bobItem.getByTestId('conversation-draft')).toHaveCount(0)
    await openConversation(page, 'Project')
    await expect(composer).toHaveValue('')
    await expect(bobItem.getByTestId('conversation-draft')).toHaveText('Draft: Half a thought')
    await expect(bobItem.locator('.conversation__draft-label')).toHaveText('Draft:')

    // Back to Bob: the text is there, the caret after it, and the list shows no draft for the
    // open conversation.
    await openConversation(page, BOB.displayName)
    await expect(composer).toHaveValue('Half a thought')
    await expect(composer).toBeFocused()
    expect(await composer.evaluate((el: HTMLTextAreaElement) => el.selectionStart)).toBe(14)
    await expect(bobItem.getByTestId('conversation-draft')).toHaveCount(0)

    // Typing on and reloading at once (a restart of the renderer, before the pause that saves a
    // draft): closing the page saves it.
    await page.keyboard.type(' that goes on')
    await page.reload()
    await expect(bobItem.getByTestId('conversation-draft')).toHaveText(
      'Draft: Half a thought that goes on',
    )
    expect(await alice.core.handle('drafts/list', undefined)).toEqual([
      { conversation_id: pair.conversationId, text: 'Half a thought that goes on' },
    ])
    await openConversation(page, BOB.displayName)
    await expect(composer).toHaveValue('Half a thought that goes on')

    // Sending clears it, in the list, in main and after another reload.
    await composer.press('Enter')
    await expect(composer).toHaveValue('')
    await expect(messageWithText(page, 'Half a thought that goes on')).toBeVisible()
    await openConversation(page, 'Project')
    await expect(bobItem.getByTestId('conversation-draft')).toHaveCount(0)
    await expect(bobItem.locator('.conversation__preview')).toHaveText(
      'You: Half a thought that goes on',
    )
    expect(await alice.core.handle('drafts/list', undefined)).toEqual([])
    await page.reload()
    await openConversation(page, BOB.displayName)
    await expect(composer).toHaveValue('')
  })

  test('messages that arrived while away sit under a "New messages" divider', async ({ world }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage } = pair
    await projectGroup(world, pair)
    await openConversation(bobPage, ALICE.displayName)
    await send(bobPage, 'Seen this one')
    await expect(messageWithText(alicePage, 'Seen this one')).toBeVisible()

    // Alice looks at the other conversation while Bob sends three.
    await openConversation(alicePage, 'Project')
    for (const text of ['One', 'Two', 'Three']) await send(bobPage, text)
    const bobItem = conversationItem(alicePage, BOB.displayName)
    await expect(bobItem.getByTestId('unread-badge')).toHaveText('3')
    // A draft in the list as well, for the accessibility check below.
    await alicePage.getByTestId('composer').fill('Project notes')

    await openConversation(alicePage, BOB.displayName)
    const divider = alicePage.getByRole('separator', { name: 'New messages' })
    await expect(divider).toBeVisible()
    await expect
      .poll(() => threadRows(alicePage))
      .toEqual(['Seen this one', 'NEW', 'One', 'Two', 'Three'])
    const results = await new AxeBuilder({ page: alicePage }).analyze()
    expect(
      results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    ).toEqual([])

    // Reading and replying while the conversation is open leave the divider where it is.
    await send(alicePage, 'Got them')
    await send(bobPage, 'Great')
    await expect
      .poll(() => threadRows(alicePage))
      .toEqual(['Seen this one', 'NEW', 'One', 'Two', 'Three', 'Got them', 'Great'])

    // Away and back after reading: no divider.
    await openConversation(alicePage, 'Project')
    await openConversation(alicePage, BOB.displayName)
    await expect(messageWithText(alicePage, 'Great')).toBeVisible()
    await expect(divider).toHaveCount(0)
  })

  test('with more unread messages than fit, the view opens at the divider', async ({ world }) => {
    const pair = await signUpPair(world)
    const { alicePage, conversationId } = pair
    await projectGroup(world, pair)
    await openConversation(alicePage, 'Project')
    const bob = await RestUser.login(world.backend.url, BOB)
    // More than the usual first page (50): opening loads enough to reach the first unread one.
    for (let i = 1; i <= 80; i++) {
      await bob.call('POST', `/conversations/${conversationId}/messages`, {
        text: `Unread ${i}`,
        client_id: `bob-unread-${i}`,
      })
    }
    const bobItem = conversationItem(alicePage, BOB.displayName)
    await expect(bobItem.getByTestId('unread-badge')).toHaveText('80')
    // A fresh window, which has not received them live: it must load back to the first unread.
    await alicePage.reload()
    await expect(bobItem.getByTestId('unread-badge')).toHaveText('80')

    await openConversation(alicePage, BOB.displayName)
    await expect(alicePage.getByRole('separator', { name: 'New messages' })).toBeInViewport()
    await expect(messageWithText(alicePage, 'Unread 1')).toBeInViewport()
    // Not scrolled to the bottom: the newest are further down.
    const list = alicePage.getByTestId('message-list')
    expect(
      await list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight),
    ).toBeGreaterThan(1_000)
  })
})
