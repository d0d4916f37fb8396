import { rawSql, type Queryable, type RawSql } from './database'

/**
 * A list of ids as one statement parameter, so that one prepared statement serves lists of any
 * length: a JSON array for SQLite (read with json_each), an array for PostgreSQL.
 */
export function idList(db: Queryable, ids: readonly number[]): unknown {
  return db.dialect === 'sqlite' ? JSON.stringify(ids) : ids
}

/**
 * Hand-written SQL where `in (:ids)` stands for membership in an idList parameter: SQLite reads
 * the JSON array with json_each, PostgreSQL compares with `= any` of the array. The other
 * placeholders are `?`, numbered for PostgreSQL in order.
 */
export function sqlWithIdList(text: string): RawSql {
  const sqlite = text.replaceAll('in (:ids)', 'in (select value from json_each(?))')
  let n = 0
  const postgres = text
    .replaceAll('in (:ids)', '= any(:ids::bigint[])')
    .replace(/\?|:ids/g, () => `$${++n}`)
  return rawSql(sqlite, postgres)
}
