import { ipcMain } from 'electron'
import type { IpcMainInvokeEvent } from 'electron'
import { INVOKE_CHANNELS } from '../../shared/ipc'
import type { InvokeChannel, InvokeRequest, InvokeResult } from '../../shared/ipc'
import type { CoreApi } from '../core/coreHost'
import type { RendererPage } from './paths'

export interface IpcHandlerOptions {
  core: CoreApi
  /** Which of our pages a sender frame URL is, null when none (see ownRendererPage in paths.ts). */
  senderPage(url: string | null): RendererPage | null
  openSettings(): void
}

/** Error code for a call from a frame that is not one of our pages, or not one allowed it. */
export const UNTRUSTED_SENDER = 'untrusted_sender'

/**
 * The channels each page may call: the ones its code calls (traced from main.tsx / settings.tsx
 * through the stores in src/renderer/src/stores), and no others.
 *
 * The main window is the messenger: session (sign in, up and out), connection state, people,
 * conversations (list, create, focus, and from the details dialog rename, add and remove members
 * or leave; muting or pinning one from its thread header), messages (and searching them), the outbox,
 * attachments (upload, read for display, save through main's dialog),
 * composer drafts, typing, invites, reading branding and preferences, and opening the settings
 * window. Changing other preferences, the organization time zone and mail accounts happen only
 * in the settings window, so the main window may not call those: conversations/setMuted and
 * conversations/setPinned change the muted and pinned lists and nothing else.
 *
 * The settings window only shows and changes preferences, the organization time zone and
 * connected accounts (plus the session and conversation list it reads), and changes the password
 * or signs out the user's other devices (never its own session), so a settings page gone wrong
 * can neither send, edit, delete or react to messages nor sign in, out or up.
 */
export const PAGE_CHANNELS: Readonly<Record<RendererPage, ReadonlySet<InvokeChannel>>> = {
  'index.html': new Set<InvokeChannel>([
    'session/get',
    'session/register',
    'session/login',
    'session/logout',
    'connection/get',
    'users/list',
    'conversations/list',
    'conversations/create',
    'conversations/rename',
    'conversations/addMembers',
    'conversations/removeMember',
    'conversations/focus',
    'conversations/setMuted',
    'conversations/setPinned',
    'messages/history',
    'messages/search',
    'messages/send',
    'messages/retry',
    'messages/edit',
    'messages/delete',
    'messages/react',
    'messages/markRead',
    'outbox/list',
    'attachments/upload',
    'attachments/read',
    'attachments/save',
    'drafts/list',
    'drafts/set',
    'typing/set',
    'branding/get',
    'admin/createInvite',
    'settings/get',
    'window/openSettings',
  ]),
  'settings.html': new Set<InvokeChannel>([
    'session/get',
    'conversations/list',
    'branding/get',
    'branding/set',
    'settings/get',
    'settings/set',
    'accounts/list',
    'accounts/connectEmail',
    'accounts/disconnect',
    'accounts/sync',
    'session/changePassword',
    'session/signOutOthers',
  ]),
}

/**
 * Registers one `ipcMain.handle` per invoke channel. Each call is checked against the sender
 * frame's URL, then answered by the core (or here, for window/openSettings); results and errors
 * travel as InvokeResult data so the error code survives IPC. Returns a function removing them.
 */
export function registerIpcHandlers(options: IpcHandlerOptions): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, request: unknown) =>
      answer(options, channel, event, request),
    )
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel)
  }
}

async function answer(
  options: IpcHandlerOptions,
  channel: InvokeChannel,
  event: IpcMainInvokeEvent,
  request: unknown,
): Promise<InvokeResult<unknown>> {
  const url = senderUrl(event)
  const page = options.senderPage(url)
  if (page === null || !PAGE_CHANNELS[page].has(channel)) {
    return {
      ok: false,
      error: { code: UNTRUSTED_SENDER, message: `Refused ${channel} from an untrusted page` },
    }
  }
  try {
    if (channel === 'window/openSettings') {
      options.openSettings()
      return { ok: true, data: undefined }
    }
    const data = await options.core.handle(channel, request as InvokeRequest<typeof channel>)
    return { ok: true, data }
  } catch (error) {
    return { ok: false, error: toIpcError(error) }
  }
}

function senderUrl(event: IpcMainInvokeEvent): string | null {
  try {
    // senderFrame is null once the frame navigated away or was destroyed.
    return event.senderFrame?.url ?? null
  } catch {
    return null
  }
}

export function toIpcError(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const record = error as { code?: unknown; message?: unknown }
    const code = typeof record.code === 'string' && record.code ? record.code : 'internal_error'
    const message =
      typeof record.message === 'string' && record.message ? record.message : 'Unexpected error'
    return { code, message }
  }
  return { code: 'internal_error', message: String(error) }
}
