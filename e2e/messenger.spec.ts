import path from 'node:path'
import type { Page } from '@playwright/test'
import { DateTime } from 'luxon'
import {
  bobOpensConversation,
  expect,
  signUpPair,
  signUpPairThroughUi,
  test,
} from './support/fixtures'
import {
  ALICE,
  BOB,
  bobReadsAllElsewhere,
  CAROL,
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
import { SCREENSHOTS } from './support/screenshots'

// The messenger end to end: the real server, the real main-process core and the built renderer
// in Chromium, driven by clicks and keystrokes like a user. Each test has its own server and apps.

/** The timezone change reaches a page as a system notification toast; waits for it and closes it. */
async function dismissTimezoneToast(page: Page): Promise<void> {
  const toast = page.getByTestId('toast').and(page.locator('[data-kind="system_notification"]'))
  await expect(toast).toBeVisible()
  await toast.getByTestId('toast-dismiss').click()
  await expect(toast).toHaveCount(0)
}

/** The time a message row shows. */
function shownTime(page: Page, text: string) {
  return messageWithText(page, text).locator('.message__time')
}

/** The numbers of the "History n" messages the reader sees: those inside the thread's view. */
async function messagesInView(page: Page): Promise<number[]> {
  return page.getByTestId('message-list').evaluate((list) => {
    const view = list.getBoundingClientRect()
    return [...list.querySelectorAll('[data-testid="message-item"]')]
      .filter((item) => {
        const box = item.getBoundingClientRect()
        return box.bottom > view.top && box.top < view.bottom
      })
      .map((item) => /History (\d+)/.exec(item.textContent ?? '')?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
  })
}

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
    const pair = await signUpPairThroughUi(world)
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

    const expected = [
      'Hi Bob, welcome to Tidings!',
      'Thanks Alice, glad to be here.',
      'Lunch at noon?',
    ]
    await expect.poll(() => threadTexts(alicePage)).toEqual(expected)
    await expect.poll(() => threadTexts(bobPage)).toEqual(expected)
    await expect(messageWithText(alicePage, 'Lunch at noon?')).toHaveAttribute(
      'data-status',
      'sent',
    )
    // Own messages read "You"; the other side shows the sender's name.
    await expect(
      messageWithText(alicePage, 'Lunch at noon?').locator('.message__sender'),
    ).toHaveText('You')
    await expect(messageWithText(bobPage, 'Lunch at noon?').locator('.message__sender')).toHaveText(
      ALICE.displayName,
    )
    // The list previews the newest message on both sides.
    await expect(conversationItem(alicePage, BOB.displayName)).toContainText('You: Lunch at noon?')
    await expect(conversationItem(bobPage, ALICE.displayName)).toContainText(
      `${ALICE.displayName}: Lunch at noon?`,
    )

    await alicePage.screenshot({ path: path.join(SCREENSHOTS, 'main-window.png') })
  })

  test('web links in a message are anchors that open outside the app; other schemes stay text', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage } = pair
    await bobOpensConversation(pair)

    const text =
      'Docs: https://example.com/docs?page=2 and www.example.org, but not javascript:alert(1)\nThanks'
    await send(alicePage, text)
    const message = messageWithText(bobPage, text)
    await expect(message).toBeVisible()

    // The text reads as it was written; two of its parts are links, named by their text.
    const body = message.locator('.message__text')
    await expect(body).toHaveText(text, { useInnerText: true })
    const links = body.getByRole('link')
    await expect(links).toHaveCount(2)
    const https = body.getByRole('link', { name: 'https://example.com/docs?page=2', exact: true })
    const www = body.getByRole('link', { name: 'www.example.org', exact: true })
    await expect(https).toHaveAttribute('href', 'https://example.com/docs?page=2')
    await expect(www).toHaveAttribute('href', 'https://www.example.org')
    // target=_blank makes a click a window-open request, which main denies and hands to the
    // system browser; no opener or referrer goes along. (No click here: there is no network.)
    for (const link of [https, www]) {
      await expect(link).toHaveAttribute('target', '_blank')
      await expect(link).toHaveAttribute('rel', 'noopener noreferrer')
    }
    // The javascript: text is no link, anywhere on the page.
    await expect(bobPage.locator('a[href^="javascript:" i]')).toHaveCount(0)
    await expect(links.filter({ hasText: 'javascript' })).toHaveCount(0)
    // Links are reachable from the keyboard.
    await www.focus()
    await expect(www).toBeFocused()

    // The sender's own copy is linked too.
    await expect(
      messageWithText(alicePage, text).getByRole('link', { name: 'www.example.org' }),
    ).toHaveAttribute('href', 'https://www.example.org')
    // The list's preview is inside a button: it stays plain text, with no link nested in it.
    const item = conversationItem(bobPage, ALICE.displayName)
    await expect(item).toContainText(`${ALICE.displayName}: Docs: https://example.com/docs?page=2`)
    await expect(item.locator('a')).toHaveCount(0)
  })

  test('an unfocused receiver gets a toast, an unread count and a native notification in the organization timezone', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { bob, alicePage, bobPage, aliceRest, conversationId } = pair
    const zone = 'America/New_York'
    await aliceRest.setTimezone(zone)
    await dismissTimezoneToast(bobPage)
    await bobOpensConversation(pair)

    // Bob switches to another app: the thread stays on screen, the window loses focus.
    await bob.setWindowFocused(bobPage, false)
    const text = 'Are you there, Bob?'
    await send(alicePage, text)

    const [message] = (await aliceRest.messages(conversationId)).filter((m) => m.text === text)
    expect(message).toBeDefined()
    const createdAt = DateTime.fromISO(message!.created_at, { zone }).setLocale('en-US')
    const abbreviation = createdAt.offsetNameShort
    expect(abbreviation).toMatch(/^E[SD]T$/)
    const time = `${createdAt.toFormat('h:mm a')} ${abbreviation}`

    // In-app toast, with the time in the organization zone.
    const toast = bobPage
      .getByTestId('toast')
      .and(bobPage.locator('[data-kind="message_received"]'))
    await expect(toast).toBeVisible()
    await expect(toast.locator('.toast__title')).toHaveText(ALICE.displayName)
    await expect(toast.locator('.toast__body')).toHaveText(text)
    await expect(toast.locator('.toast__time')).toHaveText(time)
    // The unread count in the list and the app badge.
    await expect(
      conversationItem(bobPage, ALICE.displayName).getByTestId('unread-badge'),
    ).toHaveText('1')
    await expect.poll(() => bob.unreadCounts.at(-1)).toBe(1)
    // The native notification main raises (after its coalescing window).
    await expect.poll(() => bob.notifications.length).toBe(1)
    expect(bob.notifications[0]).toMatchObject({
      title: ALICE.displayName,
      body: `${time} · ${text}`,
      conversation_id: conversationId,
      // Tagged with its server (the app's bundled one here): a click shows that server first.
      tag: `bundled/conversation:${conversationId}`,
      server_id: 'bundled',
    })
    // The thread shows the same wall-clock time.
    await expect(shownTime(bobPage, text)).toHaveText(clockTime(message!.created_at, zone))

    // Hovering keeps the toast on screen for the picture.
    await toast.hover()
    await expect(toast).toHaveAttribute('data-paused', 'true')
    await bobPage.screenshot({ path: path.join(SCREENSHOTS, 'thread-with-toast.png') })

    // Back in the window: the message counts as read, on both sides.
    await bob.setWindowFocused(bobPage, true)
    await expect(
      conversationItem(bobPage, ALICE.displayName).getByTestId('unread-badge'),
    ).toHaveCount(0)
    await expect.poll(() => bob.unreadCounts.at(-1)).toBe(0)
    await expect(messageWithText(alicePage, text).getByTestId('read-receipt')).toHaveText(
      `Read by ${BOB.displayName}`,
    )
    expect(bob.notifications).toHaveLength(1)
  })

  test('a message for a conversation not on screen notifies even with the window focused', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { bob, alicePage, bobPage } = pair
    // Bob's window has focus but shows no conversation.
    await expect(conversationItem(bobPage, ALICE.displayName)).toBeVisible()
    await expect(bobPage.getByTestId('thread')).toHaveCount(0)

    await send(alicePage, 'Ping from Alice')
    const toast = bobPage.getByTestId('toast').filter({ hasText: 'Ping from Alice' })
    await expect(toast).toBeVisible()
    await expect(
      conversationItem(bobPage, ALICE.displayName).getByTestId('unread-badge'),
    ).toHaveText('1')
    await expect.poll(() => bob.notifications.length).toBe(1)
    expect(bob.notifications[0]!.body).toMatch(/^\d{1,2}:\d{2} [AP]M UTC · Ping from Alice$/)

    // Clicking the toast opens the conversation and reads it.
    await toast.getByTestId('toast-open').click()
    await expect(bobPage.getByTestId('thread').getByRole('heading', { level: 2 })).toHaveText(
      ALICE.displayName,
    )
    await expect(messageWithText(bobPage, 'Ping from Alice')).toBeVisible()
    await expect(
      conversationItem(bobPage, ALICE.displayName).getByTestId('unread-badge'),
    ).toHaveCount(0)
  })

  test('muting a conversation from its thread silences it, shows in the list and in settings; unmuting brings notifications back', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alice, alicePage, bobPage, conversationId } = pair
    await bobOpensConversation(pair)
    const settings = await alice.open(world.rendererUrl, 'settings.html')
    const settingsCheckbox = settings.locator(
      `[data-testid="mute-checkbox"][data-conversation-id="${conversationId}"]`,
    )
    await expect(settingsCheckbox).not.toBeChecked()

    // Alice has the conversation with Bob open; she mutes it from the thread header.
    const toggle = alicePage.getByTestId('thread').getByRole('button', {
      name: 'Mute notifications',
    })
    const indicator = conversationItem(alicePage, BOB.displayName).getByTestId('muted-indicator')
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await expect(indicator).toHaveCount(0)
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await expect(indicator).toBeVisible()
    await expect(indicator).toHaveAccessibleName('Muted')
    // The settings window, open meanwhile, follows at once.
    await expect(settingsCheckbox).toBeChecked()

    // In the background, Bob's message arrives but raises no notification.
    await alice.setWindowFocused(alicePage, false)
    await send(bobPage, 'Quiet please')
    await expect(messageWithText(alicePage, 'Quiet please')).toBeVisible()

    // Unmuted, the next message notifies: the only notification is that one (a muted message
    // would have been raised before it, or gathered into "2 new messages" with it).
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await expect(indicator).toHaveCount(0)
    await expect(settingsCheckbox).not.toBeChecked()
    await send(bobPage, 'Heard again')
    await expect.poll(() => alice.notifications.length).toBe(1)
    expect(alice.notifications[0]).toMatchObject({
      conversation_id: conversationId,
      body: expect.stringMatching(/ · Heard again$/),
    })

    // And the other way round: muted in the settings window, the main window follows.
    await settingsCheckbox.check()
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await expect(indicator).toBeVisible()
  })

  test('the admin changes the timezone in settings and times change at once for everyone', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alice, alicePage, bobPage, aliceRest, conversationId } = pair
    await aliceRest.setTimezone('America/New_York')
    await dismissTimezoneToast(bobPage)
    await dismissTimezoneToast(alicePage)
    await bobOpensConversation(pair)
    const text = 'What time is it over there?'
    await send(alicePage, text)
    await expect(messageWithText(bobPage, text)).toBeVisible()
    const [message] = (await aliceRest.messages(conversationId)).filter((m) => m.text === text)
    const before = clockTime(message!.created_at, 'America/New_York')
    const after = clockTime(message!.created_at, 'Asia/Tokyo')
    expect(after).not.toBe(before)
    await expect(shownTime(bobPage, text)).toHaveText(before)

    // Alice opens the settings window from the top bar.
    const settingsOpened = alice.context.waitForEvent('page')
    await alicePage.getByTestId('open-settings').click()
    const settings = await settingsOpened
    await expect(settings.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible()
    const select = settings.getByTestId('timezone-select')
    await expect(select).toHaveValue('America/New_York')
    await expect(settings.getByTestId('timezone-save')).toBeDisabled()

    await settings.getByTestId('timezone-search').fill('Tokyo')
    const tokyo = select.locator('option[value="Asia/Tokyo"]')
    await expect(tokyo).toHaveText('(UTC+09:00) Asia/Tokyo')
    // The search narrows the list (the current choice stays listed).
    await expect(select.locator('option')).toHaveCount(2)
    await select.selectOption('Asia/Tokyo')
    await expect(settings.getByTestId('timezone-preview')).toContainText('Now in Asia/Tokyo')
    await expect(settings.getByTestId('timezone-preview')).toContainText('GMT+9')
    await settings.screenshot({ path: path.join(SCREENSHOTS, 'settings.png'), fullPage: true })
    await settings.getByTestId('timezone-save').click()
    await expect(settings.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()

    // Bob's open thread and Alice's follow at once.
    await expect(shownTime(bobPage, text)).toHaveText(after)
    await expect(shownTime(alicePage, text)).toHaveText(after)
    const rest = await RestUser.login(world.backend.url, BOB)
    expect(await rest.call('GET', '/branding')).toMatchObject({ timezone: 'Asia/Tokyo' })
    // The settings window of a member shows the zone read-only.
    const bobSettings = await pair.bob.open(world.rendererUrl, 'settings.html')
    await expect(bobSettings.getByTestId('timezone-readonly')).toContainText('Asia/Tokyo')
    await expect(bobSettings.getByTestId('timezone-select')).toHaveCount(0)
    // The harness has no OS keyring (like Linux without one): Settings → Servers says no server's
    // sign-in is kept, and offers to keep them unencrypted, with a warning.
    const servers = bobSettings.getByTestId('servers-section')
    await expect(servers.getByTestId('insecure-storage')).toContainText('sign in again')
    const keep = servers.getByTestId('unencrypted-sign-in')
    await expect(keep).not.toBeChecked()
    await expect(servers).toContainText('kept unencrypted')
    // Ticked, it is the device's preference, as main keeps it: a new window shows it ticked.
    await keep.check()
    await expect(keep).toBeChecked()
    await bobSettings.reload()
    await expect(bobSettings.getByTestId('unencrypted-sign-in')).toBeChecked()
  })

  test('after a server restart, messages queued on both sides arrive once each, in order', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage } = pair
    await bobOpensConversation(pair)
    await send(alicePage, 'Before the restart')
    await expect(messageWithText(bobPage, 'Before the restart')).toBeVisible()

    await world.backend.stop()
    for (const page of [alicePage, bobPage]) {
      await expect(page.getByTestId('connection-status')).toHaveAttribute(
        'data-status',
        'reconnecting',
      )
      await expect(page.getByTestId('connection-status')).toContainText('Reconnecting')
    }

    // Both keep writing while the server is away: the sends wait in each outbox.
    const fromAlice = ['Alice offline 1', 'Alice offline 2', 'Alice offline 3']
    const fromBob = ['Bob offline 1', 'Bob offline 2']
    for (const text of fromAlice) await send(alicePage, text)
    for (const text of fromBob) await send(bobPage, text)
    for (const text of fromAlice) {
      await expect(messageWithText(alicePage, text)).toHaveAttribute('data-status', 'pending')
      await expect(messageWithText(alicePage, text).getByTestId('message-status')).toHaveText(
        'Sending…',
      )
    }
    for (const text of fromBob) {
      await expect(messageWithText(bobPage, text)).toHaveAttribute('data-status', 'pending')
    }

    await world.backend.start()
    for (const page of [alicePage, bobPage]) {
      // Reconnecting follows the real backoff (up to 30 s between attempts).
      await expect(page.getByTestId('connection-status')).toHaveAttribute(
        'data-status',
        'connected',
        { timeout: 45_000 },
      )
      await expect(page.getByTestId('connection-status')).toHaveText('Connected')
    }

    const all = ['Before the restart', ...fromAlice, ...fromBob]
    for (const page of [alicePage, bobPage]) {
      for (const text of all) await expect(messageWithText(page, text)).toHaveCount(1)
      await expect(messageItems(page)).toHaveCount(all.length)
      await expect(messageItems(page).and(page.locator('[data-status="pending"]'))).toHaveCount(0)
    }
    // Same order on both sides, ordered by server id, and each sender's own order kept.
    const aliceOrder = await threadTexts(alicePage)
    expect(await threadTexts(bobPage)).toEqual(aliceOrder)
    expect(aliceOrder.filter((t) => fromAlice.includes(t))).toEqual(fromAlice)
    expect(aliceOrder.filter((t) => fromBob.includes(t))).toEqual(fromBob)
    const ids = await messageItems(alicePage).evaluateAll((items) =>
      items.map((item) => Number(item.getAttribute('data-message-id'))),
    )
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(all.length)
    // And the server stored each exactly once.
    const stored = (await pair.aliceRest.messages(pair.conversationId)).map((m) => m.text)
    expect(stored).toEqual(aliceOrder)
  })

  test('typing indicator and read receipts show', async ({ world }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage } = pair
    await bobOpensConversation(pair)

    const indicator = alicePage.getByTestId('typing-indicator')
    await expect(indicator).toHaveText('')
    await bobPage.getByTestId('composer').pressSequentially('Hold on, I am wri', { delay: 20 })
    await expect(indicator).toHaveText(`${BOB.displayName} is typing…`)
    // Clearing the draft stops it.
    await bobPage.getByTestId('composer').fill('')
    await expect(indicator).toHaveText('')

    await send(alicePage, 'Did you get this?')
    const receipt = messageWithText(alicePage, 'Did you get this?').getByTestId('read-receipt')
    // Bob has the conversation open and focused: it is read at once.
    await expect(messageWithText(bobPage, 'Did you get this?')).toBeVisible()
    await expect(receipt).toHaveText(`Read by ${BOB.displayName}`)

    // A sent message clears the sender's typing notice on the other side.
    await bobPage.getByTestId('composer').pressSequentially('Yes, got it', { delay: 20 })
    await expect(indicator).toHaveText(`${BOB.displayName} is typing…`)
    await bobPage.getByTestId('composer').press('Enter')
    await expect(messageWithText(alicePage, 'Yes, got it')).toBeVisible()
    await expect(indicator).toHaveText('')
    // The receipt moves to Alice's newest own message only.
    await send(alicePage, 'Great')
    await expect(messageWithText(alicePage, 'Great').getByTestId('read-receipt')).toHaveText(
      `Read by ${BOB.displayName}`,
    )
    await expect(alicePage.getByTestId('read-receipt')).toHaveCount(1)
  })

  test('scrolling up loads the older history page by page, up to the start', async ({ world }) => {
    const pair = await signUpPair(world)
    const { bobPage, aliceRest, conversationId } = pair
    // 180 messages: the newest page (50) plus three older pages. Bob's open window receives
    // them live, before he opens the conversation.
    const total = 180
    for (let i = 1; i <= total; i++) {
      await aliceRest.call('POST', `/conversations/${conversationId}/messages`, {
        text: `History ${i}`,
        client_id: `history-${i}`,
      })
    }
    // Wait until it has them all (its list counts them), as a reader would see them arrive: a
    // window still taking them in would open at a first page sized by fewer unread messages, and
    // a reload would start with the rest of them still on their way.
    await expect(
      conversationItem(bobPage, ALICE.displayName).getByTestId('unread-badge'),
    ).toHaveAttribute('aria-label', `${total} unread messages`, { timeout: 60_000 })
    const list = bobPage.getByTestId('message-list')
    const start = bobPage.getByText('Start of the conversation')

    /** Wheels upwards over the messages, as a reader would, until the start shows. */
    async function wheelToStart(): Promise<void> {
      await list.hover()
      await expect(async () => {
        await bobPage.mouse.wheel(0, -1500)
        await expect(start).toBeInViewport({ timeout: 1_000 })
      }).toPass({ timeout: 60_000 })
      await expect(messageWithText(bobPage, 'History 1')).toBeInViewport()
      const numbers = (await threadTexts(bobPage)).map((t) => Number(t.replace('History ', '')))
      expect(numbers[0]).toBe(1)
      expect(numbers).toEqual(numbers.map((_, i) => i + 1))
    }

    // With the messages already received live, the pages add nothing new on screen: the thread
    // must still page back to the start of the history.
    await bobOpensConversation(pair)
    // None of them read yet: the view opens at the "New messages" divider above the first.
    await expect(bobPage.getByRole('separator', { name: 'New messages' })).toBeInViewport()
    await expect(messageWithText(bobPage, 'History 1')).toBeInViewport()
    await wheelToStart()

    // A fresh window knows only the newest page.
    await bobReadsAllElsewhere(world.backend.url, conversationId)
    await bobPage.reload()
    await bobOpensConversation(pair)
    await expect(messageWithText(bobPage, `History ${total}`)).toBeInViewport()
    await expect(messageWithText(bobPage, `History ${total - 50}`)).toHaveCount(0)
    // Wheel up slowly until the older page arrives above the messages the reader is looking at.
    await list.hover()
    await expect(async () => {
      await bobPage.mouse.wheel(0, -300)
      await expect(messageWithText(bobPage, `History ${total - 50}`)).toBeAttached({
        timeout: 500,
      })
    }).toPass({ timeout: 30_000 })
    // What the reader sees then: the messages around where they were, with the new page above
    // them; not the new page's oldest messages, where a view left at the top when the page came
    // in would be (and from where it would fetch page after page).
    const shown = await messagesInView(bobPage)
    expect(shown.length).toBeGreaterThan(0)
    expect(Math.min(...shown)).toBeGreaterThan(total - 90)
    await expect(start).toHaveCount(0)
    await wheelToStart()
  })

  test('conversation details: rename a group, add a member, and a member leaves', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage, aliceRest } = pair
    const carol = await aliceRest.registerInvited(CAROL)
    const bobId = (await RestUser.login(world.backend.url, BOB)).auth.user.id
    const group = await aliceRest.createGroup('Project', [bobId])
    expect(group.kind).toBe('group')

    await openConversation(alicePage, 'Project')
    await openConversation(bobPage, 'Project')

    // Alice opens the details from the thread header: the title and both members.
    await alicePage.getByTestId('open-conversation-details').click()
    const details = alicePage.getByTestId('conversation-details-dialog')
    await expect(details).toBeVisible()
    await expect(details.getByRole('heading', { name: 'Conversation details' })).toBeVisible()
    await expect(details.getByTestId('details-title')).toHaveText('Project')
    const members = details.getByTestId('member-item')
    await expect(members).toHaveCount(2)
    await expect(members.filter({ hasText: `${ALICE.displayName} (you)` })).toHaveCount(1)
    // Bob's app is open: he shows online, as in the list.
    await expect(members.filter({ hasText: BOB.displayName })).toContainText('(online)')

    // Rename: Bob's list and thread show the new title live.
    await details.getByLabel('Title').fill('Project Phoenix')
    await details.getByTestId('details-rename').click()
    await expect(details.getByTestId('details-title')).toHaveText('Project Phoenix')
    await expect(conversationItem(bobPage, 'Project Phoenix')).toBeVisible()
    await expect(bobPage.getByTestId('thread').getByRole('heading', { level: 2 })).toHaveText(
      'Project Phoenix',
    )

    // Add Carol: only people not yet members are offered.
    const options = details.getByTestId('add-person-option')
    await expect(options).toHaveCount(1)
    await options.filter({ hasText: CAROL.displayName }).click()
    await details.getByTestId('details-add').click()
    await expect(members).toHaveCount(3)
    await expect(members.filter({ hasText: CAROL.displayName })).toContainText('(offline)')
    await expect(options).toHaveCount(0)
    expect((await carol.conversation(group.id)).members.map((m) => m.username)).toEqual([
      ALICE.username,
      BOB.username,
      CAROL.username,
    ])
    // The creator (and admin) may remove the others.
    await expect(details.getByTestId('remove-member')).toHaveCount(2)

    // Bob sees Carol join live; as a plain member he may leave but not remove anyone.
    await bobPage.getByTestId('open-conversation-details').click()
    const bobDetails = bobPage.getByTestId('conversation-details-dialog')
    await expect(bobDetails.getByTestId('member-item')).toHaveCount(3)
    await expect(bobDetails.getByTestId('details-title')).toHaveText('Project Phoenix')
    await expect(bobDetails.getByTestId('remove-member')).toHaveCount(0)

    // Leaving asks first; staying keeps everything.
    await bobDetails.getByTestId('leave-conversation').click()
    await expect(bobDetails.getByTestId('leave-confirm')).toContainText('Leave Project Phoenix?')
    await bobDetails.getByRole('button', { name: 'Stay' }).click()
    await expect(bobDetails.getByTestId('leave-confirm')).toHaveCount(0)
    await expect(bobDetails.getByTestId('leave-conversation')).toBeFocused()
    await bobDetails.getByTestId('leave-conversation').click()
    await bobDetails.getByTestId('leave-confirm-button').click()

    // Bob left: the group is gone from his list and screen; Alice's open dialog updates.
    await expect(bobDetails).toHaveCount(0)
    await expect(conversationItem(bobPage, 'Project Phoenix')).toHaveCount(0)
    await expect(bobPage.getByTestId('thread')).toHaveCount(0)
    await expect(conversationItem(bobPage, ALICE.displayName)).toBeVisible()
    await expect(members).toHaveCount(2)
    await expect(members.filter({ hasText: BOB.displayName })).toHaveCount(0)

    // Alice removes Carol; Escape closes the dialog and focus returns to its button.
    await details.getByRole('button', { name: `Remove ${CAROL.displayName}` }).click()
    await expect(members).toHaveCount(1)
    expect((await aliceRest.conversation(group.id)).members.map((m) => m.username)).toEqual([
      ALICE.username,
    ])
    await alicePage.keyboard.press('Escape')
    await expect(details).toHaveCount(0)
    await expect(alicePage.getByTestId('open-conversation-details')).toBeFocused()
  })

  test('conversation details of a direct conversation: no title, nobody removed; deleting it asks first', async ({
    world,
  }) => {
    const { alicePage, bobPage, conversationId } = await signUpPair(world)
    // Alice created it and is an admin: in a group she could rename it and remove Bob.
    await alicePage.getByTestId('open-conversation-details').click()
    const details = alicePage.getByTestId('conversation-details-dialog')
    await expect(details.getByTestId('details-title')).toHaveText(BOB.displayName)
    await expect(details).toContainText('Direct conversation')
    await expect(details.getByTestId('member-item')).toHaveCount(2)
    await expect(details.getByLabel('Title')).toHaveCount(0)
    await expect(details.getByTestId('details-rename')).toHaveCount(0)
    await expect(details.getByTestId('remove-member')).toHaveCount(0)
    await expect(details.getByTestId('add-person-option')).toHaveCount(0)

    // Leaving it is deleting it from her list, and asks first; keeping it changes nothing.
    const remove = details.getByTestId('leave-conversation')
    await expect(remove).toHaveText('Delete conversation')
    await remove.click()
    const confirm = details.getByTestId('leave-confirm')
    await expect(confirm).toContainText(`Delete your conversation with ${BOB.displayName}?`)
    await details.getByRole('button', { name: 'Keep' }).click()
    await expect(confirm).toHaveCount(0)
    await expect(remove).toBeFocused()
    await remove.click()
    await details.getByRole('button', { name: 'Delete', exact: true }).click()

    await expect(details).toHaveCount(0)
    await expect(conversationItem(alicePage, BOB.displayName)).toHaveCount(0)
    // Bob keeps it, with its history, alone in it now.
    const bob = await RestUser.login(world.backend.url, BOB)
    expect((await bob.conversation(conversationId)).members.map((m) => m.username)).toEqual([
      BOB.username,
    ])
    await expect(bobPage.getByTestId('conversation-item')).toHaveCount(1)
  })

  test('search finds a message far back in history, opens it in view, and finds later ones', async ({
    world,
  }) => {
    const pair = await signUpPair(world)
    const { alicePage, bobPage, aliceRest, conversationId } = pair
    const old = 'Meet at the Rheinfall lighthouse on Tuesday'
    // The message, then more than two pages of history above it.
    const total = 130
    for (let i = 0; i <= total; i++) {
      await aliceRest.call('POST', `/conversations/${conversationId}/messages`, {
        text: i === 0 ? old : `Filler ${i}`,
        client_id: `search-${i}`,
      })
    }
    // A fresh window knows only the newest page of the conversation.
    await bobReadsAllElsewhere(world.backend.url, conversationId)
    await bobPage.reload()
    await bobOpensConversation(pair)
    await expect(messageWithText(bobPage, `Filler ${total}`)).toBeInViewport()
    await expect(messageWithText(bobPage, old)).toHaveCount(0)

    // Ctrl+F focuses the field; a word prefix finds the message, the match marked.
    await bobPage.keyboard.press('Control+f')
    const field = bobPage.getByRole('searchbox', { name: 'Search messages' })
    await expect(field).toBeFocused()
    await bobPage.keyboard.type('rheinf')
    const results = bobPage.getByTestId('search-result')
    await expect(results).toHaveCount(1)
    await expect(results.first().getByTestId('search-snippet')).toHaveText(old)
    await expect(results.first().locator('mark')).toHaveText(['Rheinfall'])
    await expect(results.first()).toContainText(ALICE.displayName)
    // The conversation list gives way to the results.
    await expect(bobPage.getByTestId('conversation-item')).toHaveCount(0)

    // Choosing it pages back through the history until the message is there, then shows it.
    await results.first().click()
    const found = messageWithText(bobPage, old)
    await expect(found).toBeInViewport()
    await expect(bobPage.locator('.thread__row[data-found="true"]')).toContainText(old)
    // The highlight is brief.
    await expect(bobPage.locator('.thread__row[data-found="true"]')).toHaveCount(0)
    await expect(found).toBeInViewport()

    // Escape empties the field and brings the conversation list back.
    await field.focus()
    await bobPage.keyboard.press('Escape')
    await expect(field).toHaveValue('')
    await expect(bobPage.getByTestId('conversation-item')).toHaveCount(1)

    // A message sent later is found too, newest first; nothing found reads so.
    await send(bobPage, 'Rheinfall again next summer?')
    await alicePage.getByRole('searchbox', { name: 'Search messages' }).fill('RHEIN')
    await expect(alicePage.getByTestId('search-snippet')).toHaveText([
      'Rheinfall again next summer?',
      old,
    ])
    await alicePage.screenshot({ path: path.join(SCREENSHOTS, 'search.png') })
    await alicePage.getByRole('searchbox', { name: 'Search messages' }).fill('rheinfall zebra')
    await expect(alicePage.getByTestId('search-empty')).toBeVisible()
  })
})
