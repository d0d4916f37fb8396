import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RestClient } from '../../../src/main/core/restClient'
import type { NativeNotificationRequest } from '../../../src/main/core/coreHost'
import type { AnyTidingsEvent } from '../../../src/shared/events'
import type { Conversation, Message } from '../../../src/shared/models'
import { DEFAULT_PREFERENCES } from '../../../src/shared/preferences'
import {
  CoreFixture,
  FAST_TUNING,
  ServerFixture,
  freshName,
  registerPeer,
  removeDir,
  signInElsewhere,
  tempDir,
  type Peer,
} from './support/coreFixture'
import { ManualClock } from './support/manualClock'

/** How long a burst gathers; the tests move a manual clock past it instead of waiting. */
const WINDOW_MS = 1_000
const ORGANIZATION_ZONE = 'America/New_York'

/**
 * One server for the file (its first account is the admin, which sets the organization's time
 * zone); every test signs up people of its own, so nothing one test does reaches another.
 */
const server = new ServerFixture()
let admin: Peer

beforeAll(async () => {
  await server.start()
  admin = await registerPeer(server.url, 'admin')
  await admin.rest.setBranding({ timezone: ORGANIZATION_ZONE })
})

afterAll(async () => {
  await server.dispose()
})

/**
 * Notifications, unread badge and timezone tracking through the whole core: real events from the
 * real server in, native notification requests out. Bursts close when the test moves the core's
 * manual clock, once what they should hold has arrived, so nothing waits out a real window.
 */
describe('app core: notifications and unread badge (real server)', () => {
  let userDataDir: string
  let clock: ManualClock
  let app: CoreFixture
  let alice: string
  let jane: Peer
  let direct: Conversation
  let other: Conversation
  let aliceRest: RestClient

  beforeEach(async () => {
    userDataDir = tempDir('tidings-user-')
    clock = new ManualClock()
    app = new CoreFixture(userDataDir, server.url, {
      ...FAST_TUNING,
      coalesceWindowMs: WINDOW_MS,
      clock,
    })
    await app.core.start()
    alice = freshName('alice')
    const session = await app.core.handle('session/register', {
      username: alice,
      password: 'correct horse battery',
    })
    await app.waitForStatus('connected')
    jane = await registerPeer(server.url, freshName('jane'), 'jane')
    direct = await jane.rest.createConversation({ member_ids: [session.user!.id] })
    other = await jane.rest.createConversation({
      member_ids: [session.user!.id],
      title: 'Launch plan',
    })
    aliceRest = await signInElsewhere(server.url, alice)
    await app.outputs.waitFor(
      () => app.events().filter((e) => e.type === 'conversation_created').length === 2,
      'both conversations',
    )
  })

  afterEach(async () => {
    await app.core.stop()
    removeDir(userDataDir)
  })

  function send(conversation: Conversation, text: string): Promise<Message> {
    return jane.rest.sendMessage(conversation.id, { text, client_id: `${text}-${Math.random()}` })
  }

  /** Waits until the core received a message (and so everything sent before it). */
  function arrived(message: Message): Promise<void> {
    return app.outputs.waitFor(
      () => app.received().some((e) => e.data.message.id === message.id),
      `message ${message.text}`,
    )
  }

  /** Closes every gathering burst; returns what they showed (notified before this returns). */
  function closeWindow(): NativeNotificationRequest[] {
    const seen = app.outputs.notifications.length
    clock.advance(WINDOW_MS)
    return app.outputs.notifications.slice(seen)
  }

  /** Sends a message, waits for it, closes the window: every notification shown then. */
  async function sendAndShow(
    conversation: Conversation,
    text: string,
  ): Promise<NativeNotificationRequest[]> {
    await arrived(await send(conversation, text))
    return closeWindow()
  }

  /** Sends a message elsewhere and returns every notification up to and including its own. */
  function notificationsUntilSentinel(): Promise<NativeNotificationRequest[]> {
    return sendAndShow(other, 'sentinel')
  }

  it('coalesces a burst into "3 new messages from jane" with the conversation tag', async () => {
    await send(direct, 'one')
    await send(direct, 'two')
    const [notification, ...more] = await sendAndShow(direct, 'three')
    expect(more).toEqual([])
    expect(notification).toMatchObject({
      tag: `conversation:${direct.id}`,
      title: 'jane',
      conversation_id: direct.id,
      silent: false,
    })
    expect(notification!.body).toMatch(/^\d{1,2}:\d{2} (AM|PM) E[SD]T · 3 new messages from jane$/)
    expect(app.outputs.unreadCounts.at(-1)).toBe(3)

    expect(await sendAndShow(other, 'Ship it Friday?')).toEqual([
      expect.objectContaining({
        tag: `conversation:${other.id}`,
        title: 'jane in Launch plan',
        body: expect.stringMatching(/ · Ship it Friday\?$/),
      }),
    ])
    expect(app.outputs.unreadCounts.at(-1)).toBe(4)

    const lastInDirect = app
      .received()
      .filter((e) => e.data.conversation_id === direct.id)
      .at(-1)!.data.message.id
    await app.core.handle('messages/markRead', {
      conversation_id: direct.id,
      up_to_message_id: lastInDirect,
    })
    expect(app.outputs.unreadCounts.at(-1)).toBe(1)
  })

  it('takes a deleted unread message off the badge after the list was loaded', async () => {
    await arrived(await send(direct, 'oops'))
    // The window loads the list: the badge now counts this message in the loaded count.
    await app.core.handle('conversations/list', undefined)
    expect(app.outputs.unreadCounts.at(-1)).toBe(1)

    await jane.rest.deleteMessage(app.received()[0]!.data.message.id)
    await app.outputs.waitFor(() => app.outputs.unreadCounts.at(-1) === 0, 'badge 0')
  })

  it('lowers the badge when part of a conversation is read on another device', async () => {
    for (const text of ['a', 'b', 'c']) await send(direct, text)
    await app.outputs.waitFor(() => app.received().length === 3, 'three messages')
    await app.core.handle('conversations/list', undefined)
    expect(app.outputs.unreadCounts.at(-1)).toBe(3)

    const firstId = app.received()[0]!.data.message.id
    await aliceRest.sendReceipt(direct.id, { kind: 'read', up_to_message_id: firstId })
    await app.outputs.waitFor(() => app.outputs.unreadCounts.at(-1) === 2, 'badge 2')
  })

  it('stays quiet for the conversation open in the focused window', async () => {
    await app.core.handle('conversations/focus', { conversation_id: direct.id })
    app.windowFocused = true
    await arrived(await send(direct, 'you are looking at this'))
    const shown = await notificationsUntilSentinel()
    expect(shown.map((n) => n.tag)).toEqual([`conversation:${other.id}`])

    // Same conversation, but the window is in the background: notify.
    app.windowFocused = false
    expect((await sendAndShow(direct, 'now in the background')).map((n) => n.tag)).toEqual([
      `conversation:${direct.id}`,
    ])
  })

  it('respects mute, do-not-disturb and notifications off', async () => {
    await app.core.handle('settings/set', { muted_conversation_ids: [direct.id] })
    await send(direct, 'muted')
    expect((await notificationsUntilSentinel()).map((n) => n.tag)).toEqual([
      `conversation:${other.id}`,
    ])

    await app.core.handle('settings/set', {
      muted_conversation_ids: [],
      dnd: { ...DEFAULT_PREFERENCES.dnd, mode: 'on' },
    })
    await send(direct, 'during dnd')
    await send(other, 'also during dnd')
    await app.core.handle('settings/set', { dnd: DEFAULT_PREFERENCES.dnd })
    expect((await notificationsUntilSentinel()).map((n) => n.body)).toEqual([
      expect.stringMatching(/sentinel$/),
    ])

    await app.core.handle('settings/set', { notifications_enabled: false })
    await arrived(await send(direct, 'off'))
    await app.core.handle('settings/set', { notifications_enabled: true })
    expect((await notificationsUntilSentinel()).map((n) => n.body)).toEqual([
      expect.stringMatching(/sentinel$/),
    ])
  })

  it('notifies a mention in a muted conversation, titled with who mentioned the user', async () => {
    await app.core.handle('settings/set', { muted_conversation_ids: [direct.id, other.id] })
    await send(other, 'no mention here')
    // An e-mail address that holds the username is no mention.
    await arrived(await send(other, `write to ${alice}@example.com`))
    // Nothing for a muted conversation without a mention: an unmuted one's sentinel comes alone.
    await app.core.handle('settings/set', { muted_conversation_ids: [direct.id] })
    expect((await notificationsUntilSentinel()).map((n) => n.body.split(' · ')[1])).toEqual([
      'sentinel',
    ])

    await app.core.handle('settings/set', { muted_conversation_ids: [direct.id, other.id] })
    // Any letter case names the user.
    const text = `Can you check the figures, @A${alice.slice(1)}?`
    const [notification] = await sendAndShow(other, text)
    expect(notification).toMatchObject({
      tag: `conversation:${other.id}`,
      title: 'jane mentioned you in Launch plan',
      conversation_id: other.id,
    })
    expect(notification!.body.endsWith(` · ${text}`)).toBe(true)
    expect(app.outputs.notifications).toHaveLength(2)
  })

  it('mutes and unmutes one conversation from the main window through the preference', async () => {
    await app.core.handle('settings/set', { muted_conversation_ids: [other.id] })
    const pushed = app.outputs.payloads('settings/changed').length
    const muted = await app.core.handle('conversations/setMuted', {
      conversation_id: direct.id,
      muted: true,
    })
    // Stored (as settings/get and the settings window see it), the other mute kept, and pushed
    // to every window like a change made in the settings window.
    expect(muted.muted_conversation_ids).toEqual([other.id, direct.id])
    expect((await app.core.handle('settings/get', undefined)).muted_conversation_ids).toEqual([
      other.id,
      direct.id,
    ])
    expect(app.outputs.payloads('settings/changed').slice(pushed)).toEqual([muted])
    // Muting twice changes nothing.
    await app.core.handle('conversations/setMuted', { conversation_id: direct.id, muted: true })
    expect((await app.core.handle('settings/get', undefined)).muted_conversation_ids).toEqual([
      other.id,
      direct.id,
    ])
    // Unmuting one leaves the other muted.
    expect(
      (await app.core.handle('conversations/setMuted', { conversation_id: other.id, muted: false }))
        .muted_conversation_ids,
    ).toEqual([direct.id])

    await send(direct, 'muted from the thread')
    expect((await notificationsUntilSentinel()).map((n) => n.tag)).toEqual([
      `conversation:${other.id}`,
    ])

    const unmuted = await app.core.handle('conversations/setMuted', {
      conversation_id: direct.id,
      muted: false,
    })
    expect(unmuted.muted_conversation_ids).toEqual([])
    expect(await sendAndShow(direct, 'heard again')).toEqual([
      expect.objectContaining({
        tag: `conversation:${direct.id}`,
        body: expect.stringMatching(/ · heard again$/),
      }),
    ])
  })

  it('refuses a malformed mute request', async () => {
    for (const request of [
      { conversation_id: 0, muted: true },
      { conversation_id: direct.id },
      { conversation_id: direct.id, muted: 'yes' },
      { conversation_id: direct.id, muted: true, dnd: { mode: 'on' } },
    ]) {
      await expect(
        app.core.handle('conversations/setMuted', request as never),
        JSON.stringify(request),
      ).rejects.toMatchObject({ code: 'invalid_request' })
    }
    expect((await app.core.handle('settings/get', undefined)).muted_conversation_ids).toEqual([])
  })

  it('applies privacy and the clock preference', async () => {
    await app.core.handle('settings/set', { notification_privacy: 'hidden' })
    expect(await sendAndShow(other, 'secret plans')).toEqual([
      expect.objectContaining({ title: 'Tidings', body: 'New message' }),
    ])

    await app.core.handle('settings/set', {
      notification_privacy: 'sender_only',
      clock: '24h',
      notification_sound: false,
    })
    const [notification] = await sendAndShow(other, 'more secret plans')
    expect(notification).toMatchObject({ title: 'jane in Launch plan', silent: true })
    expect(notification!.body).toMatch(/^\d{2}:\d{2} E[SD]T · New message$/)
  })

  it('shows the new organization timezone right after a timezone change event', async () => {
    // The admin, elsewhere, changes the timezone; the core learns it from the event stream.
    const mark = app.pushCount
    try {
      await admin.rest.setBranding({ timezone: 'Asia/Tokyo' })
      await app.outputs.waitFor(
        () =>
          app.outputs.pushes
            .slice(mark)
            .some((p) => p.channel === 'branding/changed' && p.payload.timezone === 'Asia/Tokyo'),
        'branding/changed to Tokyo',
      )
      const [notification, ...more] = await sendAndShow(direct, 'what time is it there?')
      // The change is applied, not announced with a pop-up.
      expect(more).toEqual([])
      expect(app.outputs.notifications.some((n) => n.tag.startsWith('system:'))).toBe(false)
      expect(notification!.body).toMatch(/^\d{1,2}:\d{2} (AM|PM) GMT\+9 · what time is it there\?$/)
    } finally {
      await admin.rest.setBranding({ timezone: ORGANIZATION_ZONE })
    }
  })

  it('raises admin broadcasts', async () => {
    await admin.rest.broadcast('Maintenance', 'The server restarts at 22:00', 'warning')
    await app.outputs.waitFor(
      () => app.events().some((e) => e.type === 'system_notification'),
      'the broadcast',
    )
    const [notification] = closeWindow()
    expect(notification).toMatchObject({ title: 'Maintenance', conversation_id: null })
    expect(notification!.tag).toMatch(/^system:\d+$/)
    expect(notification!.body).toMatch(/ E[SD]T · The server restarts at 22:00$/)
  })

  it('stays quiet for a message read on another device while the burst gathered', async () => {
    const message = await send(direct, 'read on my phone')
    await arrived(message)
    // Alice's other device reads it before the burst's window closes.
    await aliceRest.sendReceipt(direct.id, { kind: 'read', up_to_message_id: message.id })
    expect((await notificationsUntilSentinel()).map((n) => n.tag)).toEqual([
      `conversation:${other.id}`,
    ])
    expect(app.outputs.unreadCounts.at(-1)).toBe(1)
  })

  it('drops a gathering burst when its conversation is opened', async () => {
    await arrived(await send(direct, 'about to be read'))
    app.windowFocused = true
    await app.core.handle('conversations/focus', { conversation_id: direct.id })
    app.windowFocused = false
    await app.core.handle('conversations/focus', { conversation_id: null })
    expect((await notificationsUntilSentinel()).map((n) => n.tag)).toEqual([
      `conversation:${other.id}`,
    ])
  })
})

/**
 * What a burst shows when its window closes, after reads, deletions and edits that arrived while
 * it gathered (live, or replayed together after a restart). The window runs on a manual clock that
 * the test moves once everything has arrived, so nothing depends on how fast the server answers.
 */
describe('app core: a burst shows what is still news when it is shown (real server)', () => {
  let userDataDir: string
  let clock: ManualClock
  const cores: CoreFixture[] = []
  let jane: Peer
  let direct: Conversation
  let group: Conversation
  let aliceRest: RestClient

  beforeEach(() => {
    userDataDir = tempDir('tidings-user-')
    clock = new ManualClock()
  })

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    removeDir(userDataDir)
  })

  /** Starts the app (again) on the same user data folder, as after a restart. */
  async function boot(): Promise<CoreFixture> {
    const app = new CoreFixture(userDataDir, server.url, {
      ...FAST_TUNING,
      coalesceWindowMs: WINDOW_MS,
      clock,
    })
    cores.push(app)
    await app.core.start()
    return app
  }

  async function setup(): Promise<CoreFixture> {
    const app = await boot()
    const alice = freshName('alice')
    const session = await app.core.handle('session/register', {
      username: alice,
      password: 'correct horse battery',
    })
    await app.waitForStatus('connected')
    jane = await registerPeer(server.url, freshName('jane'), 'jane')
    direct = await jane.rest.createConversation({ member_ids: [session.user!.id] })
    group = await jane.rest.createConversation({ member_ids: [session.user!.id], title: 'Ops' })
    aliceRest = await signInElsewhere(server.url, alice)
    await app.outputs.waitFor(
      () => app.events().filter((e) => e.type === 'conversation_created').length === 2,
      'both conversations',
    )
    return app
  }

  function send(conversation: Conversation, text: string): Promise<Message> {
    return jane.rest.sendMessage(conversation.id, { text, client_id: `${text}-${Math.random()}` })
  }

  function waitForEvent(app: CoreFixture, type: AnyTidingsEvent['type']): Promise<void> {
    return app.outputs.waitFor(() => app.events().some((e) => e.type === type), type)
  }

  /** Each notification shown: its tag and what follows the title. */
  function shown(app: CoreFixture): [string, string | undefined][] {
    return app.outputs.notifications.map((n) => [n.tag, n.body.split(' · ')[1]])
  }

  /** Closes every gathering burst; what it shows is notified before this returns. */
  function closeWindow(): void {
    clock.advance(WINDOW_MS)
  }

  /** Drops the connection (the network went away, the laptop slept) until `back` is called. */
  async function goOffline(app: CoreFixture): Promise<{ back(): void }> {
    const mark = app.pushCount
    app.core.setNetworkOnline(false)
    await app.waitForStatus('offline', mark)
    return { back: () => app.core.setNetworkOnline(true) }
  }

  it('raises nothing for what was sent while the app was closed, but counts it', async () => {
    const app = await setup()
    await app.core.stop()
    for (const text of ['d0', 'd1', 'd2']) await send(direct, text)
    for (const text of ['g0', 'g1']) await send(group, text)
    const restarted = await boot()
    await restarted.outputs.waitFor(() => restarted.received().length === 5, 'replay')
    // Live again: a message sent now is news, alone in its burst.
    await send(direct, 'live')
    await restarted.outputs.waitFor(() => restarted.received().length === 6, 'live message')
    closeWindow()
    expect(shown(restarted)).toEqual([[`conversation:${direct.id}`, 'live']])
    await restarted.outputs.waitFor(() => restarted.outputs.unreadCounts.at(-1) === 6, 'badge 6')
  })

  it('raises one notification per conversation for a backlog replayed after a reconnect', async () => {
    const app = await setup()
    const away = await goOffline(app)
    for (let i = 0; i < 15; i++) await send(direct, `d${i}`)
    for (let i = 0; i < 15; i++) await send(group, `g${i}`)
    away.back()
    await app.outputs.waitFor(() => app.received().length === 30, 'replay')
    closeWindow()
    expect(shown(app)).toEqual([
      [`conversation:${direct.id}`, '15 new messages from jane'],
      [`conversation:${group.id}`, '15 new messages from jane'],
    ])
  })

  it('counts only the messages left unread when part of the burst was read elsewhere', async () => {
    const app = await setup()
    for (const text of ['a', 'b', 'c']) await send(direct, text)
    await app.outputs.waitFor(() => app.received().length === 3, 'three messages')
    const secondId = app.received()[1]!.data.message.id
    await aliceRest.sendReceipt(direct.id, { kind: 'read', up_to_message_id: secondId })
    await app.outputs.waitFor(
      () =>
        app.events().some((e) => e.type === 'message_updated' && e.data.receipt?.kind === 'read'),
      'own read receipt',
    )
    closeWindow()
    expect(app.outputs.notifications.map((n) => n.body)).toEqual([expect.stringMatching(/ · c$/)])
  })

  it('still notifies the unread message when the newest of its burst is deleted', async () => {
    const app = await setup()
    await send(direct, 'hello, are you free tomorrow?')
    const oops = await send(direct, 'oops wrong chat')
    await jane.rest.deleteMessage(oops.id)
    await waitForEvent(app, 'message_deleted')
    closeWindow()
    expect(shown(app)).toEqual([[`conversation:${direct.id}`, 'hello, are you free tomorrow?']])
    expect(app.outputs.unreadCounts.at(-1)).toBe(1)
  })

  it('leaves out messages deleted while the app was offline, wherever they are in the burst', async () => {
    const app = await setup()
    const away = await goOffline(app)
    const wrong = await send(direct, 'meant for someone else')
    await jane.rest.deleteMessage(wrong.id)
    await send(direct, 'hello')
    await send(group, 'hello, are you free tomorrow?')
    const oops = await send(group, 'oops wrong chat')
    await jane.rest.deleteMessage(oops.id)
    away.back()
    await app.outputs.waitFor(
      () => app.events().filter((e) => e.type === 'message_deleted').length === 2,
      'both deletions replayed',
    )
    // The window loads the list: the deleted messages now lie inside the loaded counts, where the
    // badge cannot tell them apart; the burst can.
    await app.core.handle('conversations/list', undefined)
    closeWindow()
    expect(shown(app)).toEqual([
      [`conversation:${direct.id}`, 'hello'],
      [`conversation:${group.id}`, 'hello, are you free tomorrow?'],
    ])
  })

  it('shows the edited text when the edit arrived before the notification was shown', async () => {
    const app = await setup()
    const away = await goOffline(app)
    const message = await send(direct, 'meet at 5')
    await jane.rest.editMessage(message.id, 'meet at 6')
    away.back()
    await waitForEvent(app, 'message_updated')
    closeWindow()
    expect(app.outputs.notifications.map((n) => n.body)).toEqual([
      expect.stringMatching(/ · meet at 6$/),
    ])
  })
})
