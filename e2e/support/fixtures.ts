import fs from 'node:fs'
import { test as base, expect, type Page } from '@playwright/test'
import type { ServerOptions } from '../../server/startServer'
import type { CoreTuning } from '../../src/main/core/appCore'
import {
  ALICE,
  BOB,
  RestUser,
  type Account,
  createFirstAccount,
  createInvite,
  expectSignedIn,
  registerWithInvite,
  startDirectConversation,
  openConversation,
} from './flows'
import { Backend, DesktopClient, serveRenderer } from './harness'

/**
 * Per-test world: its own server (fresh SQLite file) and the desktop clients the test launches,
 * on the worker's renderer server. Everything is closed after the test, passed or failed.
 */
export interface World {
  /** The server the apps run as their bundled one. */
  backend: Backend
  rendererUrl: string
  launch(options?: {
    tuning?: CoreTuning
    systemLocales?: readonly string[]
  }): Promise<DesktopClient>
  /** Another team's server (a fresh one per call), for an app to add. */
  startBackend(options?: ServerOptions): Promise<Backend>
}

export const test = base.extend<
  { world: World; serverOptions: ServerOptions },
  { rendererUrl: string }
>({
  /** What a spec adds to the server's options (`test.use({ serverOptions })`). */
  serverOptions: [{}, { option: true }],
  /** The built renderer is static files: one server of them per worker serves every test. */
  rendererUrl: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's needs from this
    async ({}, use) => {
      const renderer = await serveRenderer()
      try {
        await use(renderer.url)
      } finally {
        await renderer.close()
      }
    },
    { scope: 'worker' },
  ],
  world: async ({ browser, serverOptions, rendererUrl }, use) => {
    const backend = new Backend(serverOptions)
    await backend.start()
    const clients: DesktopClient[] = []
    const others: Backend[] = []
    try {
      await use({
        backend,
        rendererUrl,
        launch: async (options) => {
          const client = await DesktopClient.launch(browser, backend.url, options)
          clients.push(client)
          return client
        },
        startBackend: async (options) => {
          const other = new Backend(options)
          others.push(other)
          await other.start()
          return other
        },
      })
    } finally {
      for (const client of clients) {
        await client.close().catch(() => undefined)
        fs.rmSync(client.userDataDir, { recursive: true, force: true })
      }
      for (const server of [backend, ...others]) {
        await server.stop().catch(() => undefined)
        fs.rmSync(server.dataDir, { recursive: true, force: true })
      }
    }
    // The pages' policy is strict (no inline script, no network of their own, no form posting):
    // nothing the app does may need what it blocks.
    expect(clients.flatMap((client) => client.policyViolations)).toEqual([])
  },
})

export { expect }

/** Two signed-in users of one server, each in their own app, with a direct conversation. */
export interface Pair {
  alice: DesktopClient
  bob: DesktopClient
  alicePage: Page
  bobPage: Page
  aliceRest: RestUser
  conversationId: number
}

/**
 * Alice and Bob as apps that signed up before start: each core registers over the real server
 * (session/register: Alice as the first account, its admin; Bob with an invite code of hers) and
 * the window opens on the signed-in session; Alice's core creates their direct conversation and
 * she opens it from her list. Only the set-up skips the forms, which cost a pair a third of its
 * CPU (Chromium renders each form and dialog): the sign-up, invite and new-conversation screens
 * have their own tests (messenger.spec's registration through signUpPairThroughUi, the axe runs
 * of accessibility.spec).
 */
export async function signUpPair(world: World, options: { tuning?: CoreTuning } = {}) {
  const alice = await signedUpApp(world, ALICE, options)
  const aliceRest = await RestUser.login(world.backend.url, ALICE)
  const bob = await signedUpApp(world, BOB, options, await aliceRest.createInvite())
  const conversation = await alice.core.handle('conversations/create', {
    member_ids: [bob.core.sessionState().user!.id],
  })

  const alicePage = await alice.open(world.rendererUrl)
  await expectSignedIn(alicePage, ALICE)
  await openConversation(alicePage, BOB.displayName)
  const bobPage = await bob.open(world.rendererUrl)
  await expectSignedIn(bobPage, BOB)
  return {
    alice,
    bob,
    alicePage,
    bobPage,
    aliceRest,
    conversationId: conversation.id,
  } satisfies Pair
}

/**
 * The same pair, all through the UI: Alice creates the admin account on first run and an invite;
 * Bob registers with it; Alice starts a direct conversation with Bob (it reaches Bob's open
 * window through conversation_created).
 */
export async function signUpPairThroughUi(world: World, options: { tuning?: CoreTuning } = {}) {
  const alice = await world.launch(options)
  const alicePage = await alice.open(world.rendererUrl)
  await createFirstAccount(alicePage, ALICE)
  const code = await createInvite(alicePage)

  const bob = await world.launch(options)
  const bobPage = await bob.open(world.rendererUrl)
  await registerWithInvite(bobPage, BOB, code)

  await startDirectConversation(alicePage, BOB)
  const conversationId = Number(
    await alicePage
      .getByTestId('conversation-item')
      .and(alicePage.locator('[aria-current="true"]'))
      .getAttribute('data-conversation-id'),
  )
  expect(conversationId).toBeGreaterThan(0)
  const aliceRest = await RestUser.login(world.backend.url, ALICE)
  return { alice, bob, alicePage, bobPage, aliceRest, conversationId } satisfies Pair
}

/**
 * Alice's app, signed in as the server's first account (its admin) as an app that signed up
 * before starts (her core registered, then her window opened). The first-run form has its own
 * tests (messenger.spec, accessibility.spec, admin.spec, password.spec).
 */
export async function signUpFirstAccount(world: World, options: { tuning?: CoreTuning } = {}) {
  const client = await signedUpApp(world, ALICE, options)
  const page = await client.open(world.rendererUrl)
  await expectSignedIn(page, ALICE)
  return { client, page }
}

/** An app whose core registered `account` over the real server (session/register). */
async function signedUpApp(
  world: World,
  account: Account,
  options: { tuning?: CoreTuning },
  inviteCode?: string,
): Promise<DesktopClient> {
  const client = await world.launch(options)
  const session = await client.core.handle('session/register', {
    username: account.username,
    password: account.password,
    display_name: account.displayName,
    ...(inviteCode === undefined ? {} : { invite_code: inviteCode }),
  })
  expect(session.user).toMatchObject({ username: account.username })
  return client
}

/** Bob opens the conversation with Alice (it reaches his list through conversation_created). */
export async function bobOpensConversation(pair: Pair): Promise<void> {
  await openConversation(pair.bobPage, ALICE.displayName)
}
