import type { Contact, ContactHandle } from '../../src/shared/models'
import type { CreateContactBody, UpdateContactBody } from '../../src/shared/api'
import type { Database } from '../db/database'
import type { ContactsTable } from '../db/schema'
import type { EventSink } from '../realtime/eventLog'
import { nowIso } from '../clock'
import { badRequest, notFound } from '../http/httpError'

type ContactRow = Omit<ContactsTable, 'id'> & { id: number }

function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    owner_id: row.owner_id,
    name: row.name,
    handles: JSON.parse(row.handles) as ContactHandle[],
    notes: row.notes,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** Drops repeated handles (same platform, kind and value, ignoring case and spaces). */
function normalizeHandles(handles: readonly ContactHandle[]): ContactHandle[] {
  const seen = new Set<string>()
  const result: ContactHandle[] = []
  for (const handle of handles) {
    const value = handle.value.trim()
    const key = `${handle.platform}|${handle.kind}|${value.toLowerCase()}`
    if (value.length === 0 || seen.has(key)) continue
    seen.add(key)
    result.push({ platform: handle.platform, kind: handle.kind, value })
  }
  return result
}

/**
 * Each user's private address book. Every change is announced as contact_updated to the owner's
 * devices only; another user's contact is indistinguishable from a missing one (404).
 */
export class Contacts {
  constructor(private readonly db: Database) {}

  list(ownerId: number): Contact[] {
    return this.db
      .all(
        this.db.q
          .selectFrom('contacts')
          .selectAll()
          .where('owner_id', '=', ownerId)
          .orderBy('name')
          .orderBy('id'),
      )
      .map(toContact)
  }

  get(ownerId: number, contactId: number): Contact {
    const row = this.db.first(
      this.db.q
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', contactId)
        .where('owner_id', '=', ownerId),
    )
    if (!row) throw notFound('Contact')
    return toContact(row)
  }

  create(events: EventSink, ownerId: number, body: CreateContactBody): Contact {
    const now = nowIso()
    const row = this.db.first(
      this.db.q
        .insertInto('contacts')
        .values({
          owner_id: ownerId,
          name: contactName(body.name),
          handles: JSON.stringify(normalizeHandles(body.handles ?? [])),
          notes: body.notes ?? '',
          created_at: now,
          updated_at: now,
        })
        .returning('id'),
    )
    if (!row) throw new Error('contact insert returned nothing')
    const contact = this.get(ownerId, row.id)
    events.emit('contact_updated', { kind: 'contact', action: 'created', contact }, [ownerId])
    return contact
  }

  update(events: EventSink, ownerId: number, contactId: number, body: UpdateContactBody): Contact {
    const before = this.get(ownerId, contactId)
    this.db.run(
      this.db.q
        .updateTable('contacts')
        .set({
          name: body.name === undefined ? before.name : contactName(body.name),
          handles: JSON.stringify(normalizeHandles(body.handles ?? before.handles)),
          notes: body.notes ?? before.notes,
          updated_at: nowIso(),
        })
        .where('id', '=', contactId),
    )
    const contact = this.get(ownerId, contactId)
    events.emit('contact_updated', { kind: 'contact', action: 'updated', contact }, [ownerId])
    return contact
  }

  delete(events: EventSink, ownerId: number, contactId: number): Contact {
    const contact = this.get(ownerId, contactId)
    this.db.run(this.db.q.deleteFrom('contacts').where('id', '=', contactId))
    events.emit('contact_updated', { kind: 'contact', action: 'deleted', contact }, [ownerId])
    return contact
  }

  /** The owner's contact with this handle (case-insensitive), for naming external senders. */
  findByHandle(ownerId: number, value: string): Contact | undefined {
    const wanted = value.trim().toLowerCase()
    return this.list(ownerId).find((contact) =>
      contact.handles.some((handle) => handle.value.toLowerCase() === wanted),
    )
  }
}

/** A contact's name, trimmed; one of spaces only is refused (the schema counts the spaces). */
function contactName(name: string): string {
  const trimmed = name.trim()
  if (trimmed.length === 0) throw badRequest('A contact name cannot be blank.')
  return trimmed
}
