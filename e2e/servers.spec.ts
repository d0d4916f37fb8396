import path from 'node:path'
import type { Page } from '@playwright/test'
import { inviteLink } from '../src/shared/deepLinks'
import { expectNoSeriousViolations } from './support/axe'
import { expect, signUpFirstAccount, signUpPair, test, type World } from './support/fixtures'
import {
  ALICE,
  BOB,
  CAROL,
  RestUser,
  conversationItem,
  messageWithText,
  openConversation,
  type Account,
} from './support/flows'
import { SCREENSHOTS } from './support/screenshots'

// Several servers in one app (issue #20): Alice belongs to two teams, adds the second team's
// server and switches between them without restarting. Each keeps its session and conversations,
// the badge counts both, and the server not shown still notifies. The world's backend is the
// app's bundled server; the second team's is another real server.

const DAVE: Account = { username: 'dave', password: 'dave-password-1', displayName: 'Dave Second' }

function rail(page: Page) {
  return page.getByRole('navigation', { name: 'Servers' })
}

/** The rail's button of the server whose name (or address) starts its accessible name. */
function serverButton(page: Page, name: string | RegExp) {
  return rail(page).getByRole('button', { name })
}

/**
 * "Add or remove servers" → the address → Add server; the dialog closes on the new server. With
 * `axeScreen`, axe looks at the dialog once it shows.
 */
async function addServer(page: Page, url: string, axeScreen?: string): Promise<void> {
  await rail(page).getByRole('button', { name: 'Add or remove servers' }).click()
  const dialog = page.getByRole('dialog', { name: 'Servers' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('server-row')).toHaveCount(
    await rail(page).getByTestId('server-item').count(),
  )
  if (axeScreen) await expectNoSeriousViolations(page, axeScreen)
  await dialog.getByLabel('Add a server by its address').fill(url)
  await dialog.getByRole('button', { name: 'Add server' }).click()
  await expect(dialog).toBeHidden()
}

/** A second team's server, run by Carol (its first account, so its admin). */
async function secondTeam(world: World) {
  const second = await world.startBackend()
  return { second, carol: await RestUser.register(second.url, CAROL) }
}

/** Alice's app, where she is the admin of the bundled server, and a second team's server. */
async function aliceAndSecondTeam(world: World) {
  return { ...(await signUpFirstAccount(world)), ...(await secondTeam(world)) }
}

test.describe('Several servers', () => {
  test('adds a second team’s server, switches between them, sums the badge and notifies from the one not shown', async ({
    world,
  }) => {
    const { alice, alicePage } = await signUpPair(world)
    const second = await world.startBackend()
    // The second team: Carol runs it (its admin), Alice joins it with an account of her own.
    const carol = await RestUser.register(second.url, CAROL)
    await carol.setOrganizationName('Second Team')

    await expect(rail(alicePage).getByTestId('server-item')).toHaveCount(1)
    await addServer(alicePage, second.url, 'the servers dialog')
    // Alice's window shows the new server, signed out there; the first stays signed in.
    await expect(serverButton(alicePage, /^Second Team/)).toHaveAttribute('aria-current', 'true')
    const form = alicePage.getByTestId('login-form')
    await expect(form).toHaveAttribute('data-mode', 'signin')
    await expect(form).toContainText(`Server: ${second.url}`)
    await form.getByRole('button', { name: 'I have an invite code' }).click()
    await form.getByLabel('Username').fill(ALICE.username)
    await form.getByLabel('Password').fill(ALICE.password)
    await form.getByLabel('Invite code').fill(await carol.createInvite())
    await form.getByRole('button', { name: 'Register' }).click()
    await expect(alicePage.getByTestId('current-user')).toHaveText(ALICE.username)
    await expect(alicePage.getByTestId('connection-status')).toHaveAttribute(
      'data-status',
      'connected',
    )
    const dave = await carol.registerInvited(DAVE)
    const aliceOnSecond = (await RestUser.login(second.url, ALICE)).auth.user.id
    const withDave = await dave.startDirect(aliceOnSecond)
    await dave.send(withDave.id, 'Welcome to the second team')
    await openConversation(alicePage, DAVE.displayName)
    await expect(messageWithText(alicePage, 'Welcome to the second team')).toBeVisible()
    await expectNoSeriousViolations(alicePage, 'two servers, the second shown')

    // Back to the first team (from the keyboard, Ctrl+1): its conversations, not the second's.
    await alicePage.keyboard.press('Control+1')
    await expect(serverButton(alicePage, /^Tidings/)).toHaveAttribute('aria-current', 'true')
    await expect(alicePage.getByTestId('current-user')).toHaveText(ALICE.displayName)
    await expect(conversationItem(alicePage, BOB.displayName)).toBeVisible()
    await expect(conversationItem(alicePage, DAVE.displayName)).toHaveCount(0)

    // Dave writes on the server not shown: it counts on its rail button and on the badge, and
    // notifies although Alice's window has focus (she cannot see that server).
    const badgeBefore = alice.unreadCounts.at(-1) ?? 0
    await dave.send(withDave.id, 'Are you joining the call?')
    await expect(serverButton(alicePage, /^Second Team.*, 1 unread$/)).toBeVisible()
    await expect(serverButton(alicePage, /^Second Team/).getByTestId('server-unread')).toHaveText(
      '1',
    )
    await expect.poll(() => alice.unreadCounts.at(-1)).toBe(badgeBefore + 1)
    // Bob writes on the first: the badge is the sum of both servers.
    const bob = await RestUser.login(world.backend.url, BOB)
    const [withBob] = await bob.conversations()
    await bob.send(withBob!.id, 'Lunch?')
    await expect.poll(() => alice.unreadCounts.at(-1)).toBe(badgeBefore + 2)
    await expect(serverButton(alicePage, /^Tidings.*, 1 unread$/)).toBeVisible()
    await alicePage.screenshot({ path: path.join(SCREENSHOTS, 'servers.png') })
    await expect
      .poll(() => alice.notifications.map((n) => n.body))
      .toContainEqual(expect.stringContaining('Are you joining the call?'))

    // Clicking the second server's notification shows that server and the conversation.
    const notification = alice.notifications.find((n) => n.body.includes('joining the call'))!
    await alice.clickNotification(notification)
    await expect(serverButton(alicePage, /^Second Team/)).toHaveAttribute('aria-current', 'true')
    await expect(alicePage.getByTestId('thread').getByRole('heading', { level: 2 })).toHaveText(
      DAVE.displayName,
    )
    await expect(messageWithText(alicePage, 'Are you joining the call?')).toBeVisible()
    // Read there: only the first server's message still counts.
    await expect.poll(() => alice.unreadCounts.at(-1)).toBe(badgeBefore + 1)
    await expect(serverButton(alicePage, /^Tidings.*, 1 unread$/)).toBeVisible()
  })

  test('a plain-http address of another machine is added only once the user confirms it', async ({
    world,
  }) => {
    const { page } = await signUpFirstAccount(world)
    await rail(page).getByRole('button', { name: 'Add or remove servers' }).click()
    const dialog = page.getByRole('dialog', { name: 'Servers' })
    const address = dialog.getByLabel('Add a server by its address')
    const confirm = dialog.getByTestId('server-unencrypted-confirm')
    // This machine over http needs no word.
    await address.fill('http://127.0.0.1:1')
    await expect(confirm).toHaveCount(0)
    // Another machine (::ffff:127.0.0.1 is not one of this machine's names; port 1 is closed).
    await address.fill('http://[::ffff:7f00:1]:1')
    await expect(confirm).not.toBeChecked()
    await expectNoSeriousViolations(page, 'servers dialog: an unencrypted address')
    await dialog.getByRole('button', { name: 'Add server' }).click()
    await expect(dialog.getByRole('alert')).toContainText('not encrypted')
    await expect(dialog.getByTestId('server-row')).toHaveCount(1)
    // Confirmed, the core is asked: this address answers nothing, so it is still not added.
    await confirm.check()
    await dialog.getByRole('button', { name: 'Add server' }).click()
    await expect(dialog.getByTestId('servers-error')).toContainText('No Tidings server answered')
    await expect(dialog.getByTestId('server-row')).toHaveCount(1)
    await expect(rail(page).getByTestId('server-item')).toHaveCount(1)
  })

  test('removes a server: signed out there and gone from the list, the other one shown', async ({
    world,
  }) => {
    const { client, page, second } = await aliceAndSecondTeam(world)
    await addServer(page, second.url)
    await expect(rail(page).getByTestId('server-item')).toHaveCount(2)

    const settings = await client.open(world.rendererUrl, 'settings.html')
    const section = settings.getByTestId('servers-section')
    await expect(section.getByTestId('server-row')).toHaveCount(2)
    await expectNoSeriousViolations(settings, 'settings: servers and updates')
    const row = section.getByTestId('server-row').filter({ hasText: new URL(second.url).host })
    await row.getByRole('button', { name: 'Remove' }).click()
    await expect(row).toContainText('You are signed out there')
    await row.getByRole('button', { name: 'Remove server' }).click()
    await expect(section.getByTestId('server-row')).toHaveCount(1)
    // The last server cannot be removed.
    await expect(section.getByRole('button', { name: 'Remove' })).toHaveCount(0)
    await expect(rail(page).getByTestId('server-item')).toHaveCount(1)
    await expect(page.getByTestId('current-user')).toHaveText(ALICE.displayName)
  })

  test('an invite link for another server offers to add it, then fills in its registration form', async ({
    world,
  }) => {
    const { client, page, second, carol } = await aliceAndSecondTeam(world)
    const code = await carol.createInvite()

    // Declined: nothing changes.
    client.addServers = false
    await client.openLink(inviteLink(second.url, code))
    expect(client.addServerQuestions).toEqual([second.url])
    await expect(rail(page).getByTestId('server-item')).toHaveCount(1)

    client.addServers = true
    await client.openLink(inviteLink(second.url, code))
    await expect(rail(page).getByTestId('server-item')).toHaveCount(2)
    const form = page.getByTestId('login-form')
    await expect(form).toHaveAttribute('data-mode', 'register')
    await expect(form.getByLabel('Invite code')).toHaveValue(code)
    await form.getByLabel('Username').fill(DAVE.username)
    await form.getByLabel('Password').fill(DAVE.password)
    await form.getByRole('button', { name: 'Register' }).click()
    await expect(page.getByTestId('current-user')).toHaveText(DAVE.username)
  })

  test('an invite link that arrived before the window fills in the form when it opens', async ({
    world,
  }) => {
    const client = await world.launch()
    const { second, carol } = await secondTeam(world)
    const code = await carol.createInvite()
    // A cold start's link: handled before any page could hear navigation/invite.
    await client.openLink(inviteLink(second.url, code))
    const page = await client.open(world.rendererUrl)
    const form = page.getByTestId('login-form')
    await expect(form).toHaveAttribute('data-mode', 'register')
    await expect(form.getByLabel('Invite code')).toHaveValue(code)
  })
})

test.describe('Updates', () => {
  test('the bar offers "Restart to update" once an update is ready, and Settings turns updates off', async ({
    world,
  }) => {
    const { client, page } = await signUpFirstAccount(world)
    await expect(page.getByTestId('update-banner')).toHaveCount(0)

    client.startUpdater('9.9.9')
    const banner = page.getByTestId('update-banner')
    await expect(banner).toHaveText(/Tidings 9\.9\.9 is ready\./)
    await expect(banner).toHaveAttribute('role', 'status')
    await expectNoSeriousViolations(page, 'main window with the update bar')

    const settings = await client.open(world.rendererUrl, 'settings.html')
    const status = settings.getByTestId('update-status')
    await expect(status).toHaveText(
      'Tidings 9.9.9 is ready: it is installed when Tidings restarts.',
    )

    // Turned off in Settings: no bar; turned on again, the update is found and offered again.
    const toggle = settings.getByTestId('auto-update')
    await expect(toggle).toBeChecked()
    await toggle.uncheck()
    await expect(status).toHaveText('Tidings will not look for updates.')
    await expect(banner).toHaveCount(0)
    expect((await client.core.handle('settings/get', undefined)).auto_update).toBe(false)
    await toggle.check()
    await expect(banner).toHaveText(/Tidings 9\.9\.9 is ready\./)

    await banner.getByRole('button', { name: 'Restart to update' }).click()
    await expect.poll(() => client.installs).toEqual(['9.9.9'])
  })
})
