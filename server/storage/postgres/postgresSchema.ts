/**
 * The parts of the schema that exist on PostgreSQL only, called from the shared migration list
 * (../migrations.ts). Plain SQL: the query builder has no words for text search configurations,
 * GIN indexes or PL/pgSQL.
 */

/** The advisory lock (a 64-bit key) every appender takes before it hands out event ids. */
export const EVENT_ORDER_LOCK = 7_305_000_001n

/**
 * Migration 5 on PostgreSQL: the message search index, the counterpart of SQLite's FTS5 table.
 * Same design: a copy of each message's indexable text (services/searchText's `indexable`, which
 * puts a separator around each Chinese or Japanese character so that each is a word), filled
 * lazily from the messages, never on the send path. The `tidings` configuration is `simple` (no
 * stemming, lower case, as FTS5's unicode61) with accents removed (unaccent), as FTS5's
 * remove_diacritics. GIN with fastupdate keeps an insert cheap: entries go to a pending list that
 * is merged later.
 */
export function postgresSearchIndex(): string[] {
  return [
    'create extension if not exists unaccent',
    'create text search configuration tidings (copy = simple)',
    `alter text search configuration tidings
       alter mapping for asciiword, word, numword, asciihword, hword, numhword, hword_asciipart,
         hword_part, hword_numpart
       with unaccent, simple`,
    `create table message_search (
       message_id bigint primary key,
       body text not null,
       document tsvector not null,
       -- The message's edited_at when indexed: of two nodes indexing one message, the newer wins.
       edited_at text collate "C"
     )`,
    'create index message_search_document on message_search using gin (document) with (fastupdate = on)',
    SEARCH_QUERY_FUNCTION,
  ]
}

/**
 * The tsquery for a search's words (services/searchText's `queryWords`): each word is a phrase of
 * its tokens, as the configuration cuts them, in order, with the last one a prefix (`:*`), and
 * every word must match: FTS5's `"word"* AND …`. Null when no word has a token.
 */
const SEARCH_QUERY_FUNCTION = `
create function tidings_search_query(p_words text[]) returns tsquery
language sql immutable strict as $fn$
  select string_agg('(' || phrase || ')', ' & ')::tsquery
  from (
    select string_agg(
             '''' || replace(replace(tok.lexeme, '\\', '\\\\'), '''', '''''') || ''''
               || case when tok.pos = tok.last then ':*' else '' end,
             ' <-> ' order by tok.pos) as phrase
    from unnest(p_words) with ordinality as w(word, n)
    cross join lateral (
      select l.lexeme, p.pos, max(p.pos) over () as last
      from unnest(to_tsvector('tidings', w.word)) as l(lexeme, positions, weights)
      cross join lateral unnest(l.positions) as p(pos)
    ) tok
    group by w.n
  ) phrases
$fn$`

/**
 * Migration 10 on PostgreSQL: what lets several server nodes share one database.
 *
 * - event_counter: the last event id handed out. Ids are assigned under EVENT_ORDER_LOCK when a
 *   batch commits, so the order of ids is the order of commits: a node that has read every event
 *   up to id W will never see a smaller one commit later (a sequence gives no such promise: its
 *   values are taken at insert, and a reader of "ids after W" skips one that commits late).
 * - cluster_nodes: each running node and its lease (heartbeat_at), for presence cleanup.
 * - presence_nodes: which node holds which user's connections (the user is online while any row
 *   is there); changed only inside tidings_append, under the lock, so a user's online/offline
 *   is decided once for the whole cluster.
 * - rate_limits: the login and registration attempt counters every node shares (unlogged: a lost
 *   counter after a crash costs nothing).
 * - attachment_chunks: the bytes of uploaded files (the nodes share no folder).
 * - tidings_append: the one statement a batch runs before COMMIT (see eventAppender.ts).
 */
export function postgresCluster(): string[] {
  return [
    `create table event_counter (
       id int primary key check (id = 1),
       last_id bigint not null
     )`,
    // Ids continue above the highest one ever used (pruning never lowers it).
    `insert into event_counter (id, last_id) values (1, coalesce((select max(id) from events), 0))`,
    `create table cluster_nodes (
       node_id text primary key,
       started_at timestamptz not null default now(),
       heartbeat_at timestamptz not null default now(),
       stopped_at timestamptz
     )`,
    `create table presence_nodes (
       user_id bigint not null,
       node_id text not null,
       primary key (user_id, node_id)
     )`,
    'create index presence_nodes_node on presence_nodes (node_id)',
    `create unlogged table rate_limits (
       key text primary key,
       hits int not null,
       reset_at timestamptz not null
     )`,
    `create table attachment_chunks (
       attachment_id bigint not null references attachments (id) on delete cascade,
       seq int not null,
       data bytea not null,
       primary key (attachment_id, seq)
     )`,
    APPEND_FUNCTION,
  ]
}

/**
 * Stores a batch's events in the order of the event log. Takes EVENT_ORDER_LOCK (held until the
 * transaction ends), decides the presence events (an online is kept only when the node is the
 * user's first; an offline only when it was the last: the table is changed here, under the lock,
 * so two nodes never both announce one change), numbers the kept events after the counter,
 * stores them with their payload (the node sends it in three parts; the id and the organization's
 * timezone as of this commit go between them), their direct recipients, and the membership spans
 * of the members who joined or left, bounded by the ids just handed out. Returns each event's id
 * (null for a presence event that was not kept).
 */
const APPEND_FUNCTION = `
create function tidings_append(
  p_types text[], p_created text[], p_head text[], p_middle text[], p_tail text[],
  p_conversation bigint[], p_except bigint[], p_only bigint[], p_peers bigint[],
  p_presence_user bigint[], p_presence_node text[], p_presence_up boolean[],
  p_recipient_ord int[], p_recipient_user bigint[],
  p_span_ord int[], p_span_user bigint[], p_span_conversation bigint[], p_span_joined boolean[]
) returns bigint[]
language plpgsql as $fn$
declare
  v_n int := coalesce(array_length(p_types, 1), 0);
  v_start bigint;
  v_last bigint;
  v_ids bigint[];
  v_keep boolean;
  v_changed int;
  v_at bigint;
  v_timezone text;
begin
  perform pg_advisory_xact_lock(${EVENT_ORDER_LOCK});
  select last_id into v_start from event_counter where id = 1;
  v_last := v_start;
  if cardinality(array_remove(p_presence_user, null)) = 0 then
    -- No presence event: every event is kept, numbered in order.
    v_ids := array(select v_start + g from generate_series(1, v_n) as g);
    v_last := v_start + v_n;
  else
    v_ids := array[]::bigint[];
    for i in 1 .. v_n loop
      v_keep := true;
      if p_presence_user[i] is not null then
        if p_presence_up[i] then
          insert into presence_nodes (user_id, node_id) values (p_presence_user[i], p_presence_node[i])
            on conflict do nothing;
          get diagnostics v_changed = row_count;
          v_keep := v_changed = 1 and
            (select count(*) from presence_nodes where user_id = p_presence_user[i]) = 1;
        else
          delete from presence_nodes where user_id = p_presence_user[i] and node_id = p_presence_node[i];
          get diagnostics v_changed = row_count;
          v_keep := v_changed = 1 and
            not exists (select 1 from presence_nodes where user_id = p_presence_user[i]);
        end if;
      end if;
      if v_keep then
        v_last := v_last + 1;
        v_ids := v_ids || v_last;
      else
        v_ids := v_ids || null::bigint;
      end if;
    end loop;
  end if;
  if v_last > v_start then
    v_timezone := to_json(coalesce((select value from settings where key = 'timezone'), 'UTC'))::text;
    insert into events (id, type, created_at, payload, conversation_id, except_user_id, only_user_id,
                        peers_of_user_id)
      select v_ids[t.ord], t.type, t.created, t.head || v_ids[t.ord] || t.middle || v_timezone || t.tail,
             t.conversation_id, t.except_user_id, t.only_user_id, t.peers_of_user_id
      from unnest(p_types, p_created, p_head, p_middle, p_tail, p_conversation, p_except, p_only, p_peers)
        with ordinality as t(type, created, head, middle, tail, conversation_id, except_user_id,
                             only_user_id, peers_of_user_id, ord)
      where v_ids[t.ord] is not null;
    insert into event_recipients (user_id, event_id)
      select r.user_id, v_ids[r.ord]
      from unnest(p_recipient_ord, p_recipient_user) as r(ord, user_id)
      where v_ids[r.ord] is not null;
    update event_counter set last_id = v_last where id = 1;
  end if;
  -- A span starts (or ends) at the newest event id handed out before the change: the last kept
  -- event at or before its place in the batch, else the last id before the batch.
  for j in 1 .. coalesce(array_length(p_span_ord, 1), 0) loop
    v_at := v_start;
    for k in reverse p_span_ord[j] .. 1 loop
      if v_ids[k] is not null then
        v_at := v_ids[k];
        exit;
      end if;
    end loop;
    if p_span_joined[j] then
      insert into conversation_member_spans (user_id, conversation_id, from_event_id, to_event_id)
        values (p_span_user[j], p_span_conversation[j], v_at, null)
        on conflict (user_id, conversation_id, from_event_id) do update set to_event_id = null;
    else
      update conversation_member_spans set to_event_id = v_at
        where user_id = p_span_user[j] and conversation_id = p_span_conversation[j]
          and to_event_id is null;
    end if;
  end loop;
  return v_ids;
end
$fn$`
