import type { Contact, ContactHandle } from '../../src/shared/models'
import type { CreateContactBody, UpdateContactBody } from '../../src/shared/api'
import type { Database, Queryable } from '../storage/database'
import type { ContactsTable } from '../storage/schema'
import type { Tx } from '../storage/unitOfWork'
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

  async list(ownerId: number, db: Queryable = this.db): Promise<Contact[]> {
    const rows = await db.all(
      db.q
        .selectFrom('contacts')
        .selectAll()
        .where('owner_id', '=', ownerId)
        .orderBy('name')
        .orderBy('id'),
    )
    return rows.map(toContact)
  }

  async get(db: Queryable, ownerId: number, contactId: number): Promise<Contact> {
    const row = await db.first(
      db.q
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', contactId)
        .where('owner_id', '=', ownerId),
    )
    if (!row) throw notFound('Contact')
    return toContact(row)
  }

  async create(tx: Tx, ownerId: number, body: CreateContactBody): Promise<Contact> {
    const now = nowIso()
    const row = await tx.first(
      tx.q
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
    const contact = await this.get(tx, ownerId, row.id)
    tx.events.emit('contact_updated', { kind: 'contact', action: 'created', contact }, [ownerId])
    return contact
  }

  async update(
    tx: Tx,
    ownerId: number,
    contactId: number,
    body: UpdateContactBody,
  ): Promise<Contact> {
    const before = await this.get(tx, ownerId, contactId)
    await tx.run(
      tx.q
        .updateTable('contacts')
        .set({
          name: body.name === undefined ? before.name : contactName(body.name),
          handles: JSON.stringify(normalizeHandles(body.handles ?? before.handles)),
          notes: body.notes ?? before.notes,
          updated_at: nowIso(),
        })
        .where('id', '=', contactId),
    )
    const contact = await this.get(tx, ownerId, contactId)
    tx.events.emit('contact_updated', { kind: 'contact', action: 'updated', contact }, [ownerId])
    return contact
  }

  async delete(tx: Tx, ownerId: number, contactId: number): Promise<Contact> {
    const contact = await this.get(tx, ownerId, contactId)
    await tx.run(tx.q.deleteFrom('contacts').where('id', '=', contactId))
    tx.events.emit('contact_updated', { kind: 'contact', action: 'deleted', contact }, [ownerId])
    return contact
  }

  /** The owner's contact with this handle (case-insensitive), for naming external senders. */
  async findByHandle(db: Queryable, ownerId: number, value: string): Promise<Contact | undefined> {
    const wanted = value.trim().toLowerCase()
    const contacts = await this.list(ownerId, db)
    return contacts.find((contact) =>
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
