//! Writing one file's [`Batch`] inside its transaction: placeholders for references the file
//! and the store do not know, multi-row upserts that update only the fields the document gave
//! (never `local_filename`, `is_downloaded`, `content_hash`, `stash_id`), and idempotent
//! child rows: bundle items, locations, avatars, banners and hashtag links are replaced;
//! variants and group members are insert-or-ignore; attachments and mentions are replaced only
//! when they differ, so importing a file twice leaves every row (ids included) as it was.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sea_orm::sea_query::{
    Alias, DeleteStatement, Expr, Func, InsertStatement, OnConflict, Query, SelectStatement,
    SimpleExpr,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Value};

use super::report::Warnings;
use super::rows::{Batch, Cell, Mention, Owner, Row, STORY_CONTENT_ID, Upserts};
use crate::load::IN_CHUNK;

/// Bind parameters per statement (below SQLite's 32,766 and PostgreSQL's 65,535).
const MAX_PARAMS: usize = 30_000;

fn v(x: impl Into<Value>) -> SimpleExpr {
    SimpleExpr::Value(x.into())
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// Rows written per table.
pub type RowCounts = BTreeMap<&'static str, u64>;

/// Runs statements on the file's transaction and counts them.
pub struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    backend: DbBackend,
    /// Statements run.
    pub statements: u64,
    rows: RowCounts,
}

impl<'a> Writer<'a> {
    /// A writer on `txn`.
    pub fn new(txn: &'a DatabaseTransaction) -> Self {
        Self {
            txn,
            backend: txn.get_database_backend(),
            statements: 0,
            rows: RowCounts::new(),
        }
    }

    fn count(&mut self, table: &'static str, n: usize) {
        if n > 0 {
            *self.rows.entry(table).or_default() += n as u64;
        }
    }

    async fn exec_insert(&mut self, q: &InsertStatement) -> Result<(), DbErr> {
        self.statements += 1;
        self.txn.execute(self.backend.build(q)).await.map(|_| ())
    }

    async fn exec_delete(&mut self, q: &DeleteStatement) -> Result<(), DbErr> {
        self.statements += 1;
        self.txn.execute(self.backend.build(q)).await.map(|_| ())
    }

    async fn query(&mut self, q: &SelectStatement) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        self.statements += 1;
        self.txn.query_all(self.backend.build(q)).await
    }

    /// Multi-row insert of `rows` into `table`, chunked under the parameter limit.
    async fn insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<SimpleExpr>>,
        on_conflict: Option<OnConflict>,
    ) -> Result<(), DbErr> {
        let per_statement = (MAX_PARAMS / columns.len().max(1)).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut q = Query::insert();
            q.into_table(a(table)).columns(columns.iter().map(|c| a(c)));
            for row in rows.by_ref().take(per_statement) {
                q.values(row)
                    .map_err(|e| DbErr::Custom(format!("building an insert into {table}: {e}")))?;
            }
            if let Some(oc) = &on_conflict {
                q.on_conflict(oc.clone());
            }
            self.exec_insert(&q).await?;
        }
        Ok(())
    }

    /// `DELETE FROM table WHERE column IN (ids)`, chunked.
    async fn delete_in(&mut self, table: &str, column: &str, ids: &[i64]) -> Result<(), DbErr> {
        for chunk in ids.chunks(IN_CHUNK) {
            let q = Query::delete()
                .from_table(a(table))
                .and_where(Expr::col(a(column)).is_in(chunk.iter().copied()))
                .to_owned();
            self.exec_delete(&q).await?;
        }
        Ok(())
    }

    /// Which of `ids` have a row in `table`.
    async fn existing(&mut self, table: &str, ids: &[i64]) -> Result<HashSet<i64>, DbErr> {
        let mut out = HashSet::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let q = Query::select()
                .column(a("id"))
                .from(a(table))
                .and_where(Expr::col(a("id")).is_in(chunk.iter().copied()))
                .to_owned();
            for r in self.query(&q).await? {
                out.insert(r.try_get::<i64>("", "id")?);
            }
        }
        Ok(out)
    }

    /// Upserts an [`Upserts`] table: rows grouped by which cells they carry, so each row
    /// updates exactly the fields the document gave.
    async fn upsert(&mut self, t: &Upserts) -> Result<(), DbErr> {
        let mut groups: BTreeMap<(u64, u64), Vec<&Row>> = BTreeMap::new();
        for row in &t.rows {
            let (mut ins, mut upd) = (0u64, 0u64);
            for (i, c) in row.cells.iter().enumerate() {
                match c {
                    Cell::Absent => {}
                    Cell::Set(_) => {
                        ins |= 1 << i;
                        upd |= 1 << i;
                    }
                    Cell::InsertOnly(_) => ins |= 1 << i,
                }
            }
            groups.entry((ins, upd)).or_default().push(row);
        }
        let cols = t.spec.columns;
        for ((ins, upd), rows) in groups {
            let mut columns = vec!["id"];
            columns.extend(
                cols.iter()
                    .enumerate()
                    .filter(|(i, _)| ins & (1 << i) != 0)
                    .map(|(_, c)| *c),
            );
            let updated: Vec<Alias> = cols
                .iter()
                .enumerate()
                .filter(|(i, _)| upd & (1 << i) != 0)
                .map(|(_, c)| a(c))
                .collect();
            let mut oc = OnConflict::column(a("id"));
            if updated.is_empty() {
                oc.do_nothing();
            } else {
                oc.update_columns(updated);
            }
            let values = rows
                .iter()
                .map(|r| {
                    let mut vals = vec![v(r.id)];
                    vals.extend(r.cells.iter().filter_map(|c| match c {
                        Cell::Set(x) | Cell::InsertOnly(x) => Some(v(x.clone())),
                        Cell::Absent => None,
                    }));
                    vals
                })
                .collect();
            self.insert(t.spec.name, &columns, values, Some(oc)).await?;
        }
        self.count(t.spec.name, t.rows.len());
        Ok(())
    }

    fn ignore() -> OnConflict {
        let mut oc = OnConflict::new();
        oc.do_nothing();
        oc
    }

    /// Writes the whole batch; returns rows written per table and the statements run.
    pub async fn write(
        mut self,
        b: &mut Batch,
        w: &mut Warnings,
    ) -> Result<(RowCounts, u64), DbErr> {
        self.placeholder_accounts(b, w).await?;
        self.free_usernames(b, w).await?;
        self.upsert(&b.accounts).await?;
        self.upsert(&b.media).await?;
        self.placeholder_media(b, w).await?;
        self.variants(b).await?;
        self.locations(b).await?;
        self.pictures("account_avatar", &b.avatars).await?;
        self.pictures("account_banner", &b.banners).await?;
        self.upsert(&b.account_media).await?;
        self.upsert(&b.bundles).await?;
        self.bundle_items(b, w).await?;
        self.upsert(&b.posts).await?;
        self.upsert(&b.groups).await?;
        self.placeholder_groups(b, w).await?;
        self.group_users(b).await?;
        self.upsert(&b.messages).await?;
        self.attachments(b).await?;
        self.hashtags(b).await?;
        self.mentions(b).await?;
        self.story_contents(b, w).await?;
        self.upsert(&b.stories).await?;
        Ok((self.rows, self.statements))
    }

    async fn placeholder_accounts(&mut self, b: &Batch, w: &mut Warnings) -> Result<(), DbErr> {
        let wanted: Vec<i64> = b
            .account_refs
            .keys()
            .copied()
            .filter(|id| !b.accounts.contains(*id))
            .collect();
        let known = self.existing("accounts", &wanted).await?;
        let mut rows = Vec::new();
        for id in wanted.into_iter().filter(|id| !known.contains(id)) {
            w.add(
                b.account_refs.get(&id).cloned(),
                format!(
                    "account {id} is in neither this file nor the store: a placeholder account \
                     with username '{id}' was created; import a response that contains the \
                     account (e.g. an account lookup) to fill it in"
                ),
            );
            rows.push(vec![v(id), v(id.to_string())]);
        }
        let n = rows.len();
        self.insert("accounts", &["id", "username"], rows, Some(Self::ignore()))
            .await?;
        self.count("accounts (placeholders)", n);
        Ok(())
    }

    /// Usernames are unique: an account in the store (or earlier in this file) holding a
    /// username the file gives to another account loses it (its username becomes its id).
    async fn free_usernames(&mut self, b: &mut Batch, w: &mut Warnings) -> Result<(), DbErr> {
        let mut owner_of: HashMap<String, i64> = HashMap::new();
        let mut losers_in_file: Vec<(i64, String)> = Vec::new();
        for row in &b.accounts.rows {
            if let Some(Cell::Set(Value::String(Some(name)))) = row.cells.first()
                && let Some(prev) = owner_of.insert(name.to_string(), row.id)
                && prev != row.id
            {
                losers_in_file.push((prev, name.to_string()));
            }
        }
        for (id, name) in losers_in_file {
            if owner_of.get(&name) == Some(&id) {
                continue;
            }
            w.add(
                None,
                format!(
                    "accounts {id} and {} both have username '{name}' in this file; the later \
                     one keeps it, account {id} gets username '{id}'",
                    owner_of.get(&name).copied().unwrap_or_default()
                ),
            );
            if let Some(row) = b.accounts.get_mut(id) {
                row.cells[0] = Cell::Set(Some(id.to_string()).into());
            }
        }
        let names: Vec<String> = owner_of.keys().cloned().collect();
        let mut displaced = Vec::new();
        for chunk in names.chunks(IN_CHUNK) {
            let q = Query::select()
                .columns([a("id"), a("username")])
                .from(a("accounts"))
                .and_where(Expr::col(a("username")).is_in(chunk.iter().cloned()))
                .to_owned();
            for r in self.query(&q).await? {
                let id: i64 = r.try_get("", "id")?;
                let name: String = r.try_get("", "username")?;
                let Some(&new_owner) = owner_of.get(&name) else {
                    continue;
                };
                if new_owner != id {
                    if !b.accounts.contains(id) {
                        w.add(
                            None,
                            format!(
                                "username '{name}' now belongs to account {new_owner} (this \
                                 file); account {id} in the store had it and gets username \
                                 '{id}' until a response with its current username is imported"
                            ),
                        );
                    }
                    displaced.push(id);
                }
            }
        }
        for chunk in displaced.chunks(IN_CHUNK) {
            let q = Query::update()
                .table(a("accounts"))
                .value(
                    a("username"),
                    Expr::col(a("id")).cast_as(a(if self.backend == DbBackend::Postgres {
                        "VARCHAR"
                    } else {
                        "TEXT"
                    })),
                )
                .and_where(Expr::col(a("id")).is_in(chunk.iter().copied()))
                .to_owned();
            self.statements += 1;
            self.txn.execute(self.backend.build(&q)).await?;
        }
        Ok(())
    }

    async fn placeholder_media(&mut self, b: &Batch, w: &mut Warnings) -> Result<(), DbErr> {
        let wanted: Vec<i64> = b
            .media_refs
            .keys()
            .copied()
            .filter(|id| !b.media.contains(*id))
            .collect();
        let known = self.existing("media", &wanted).await?;
        let mut rows = Vec::new();
        for id in wanted.into_iter().filter(|id| !known.contains(id)) {
            if let Some(r) = b.media_refs.get(&id) {
                w.add(
                    Some(r.path.clone()),
                    format!(
                        "media {id} is in neither this file nor the store: a placeholder media \
                         (owner {}) was created",
                        r.owner
                    ),
                );
                rows.push(vec![v(id), v(r.owner)]);
            }
        }
        let n = rows.len();
        self.insert("media", &["id", "accountId"], rows, Some(Self::ignore()))
            .await?;
        self.count("media (placeholders)", n);
        Ok(())
    }

    async fn placeholder_groups(&mut self, b: &Batch, w: &mut Warnings) -> Result<(), DbErr> {
        let wanted: Vec<i64> = b
            .group_refs
            .keys()
            .copied()
            .filter(|id| !b.groups.contains(*id))
            .collect();
        let known = self.existing("groups", &wanted).await?;
        let mut rows = Vec::new();
        for id in wanted.into_iter().filter(|id| !known.contains(id)) {
            if let Some(r) = b.group_refs.get(&id) {
                w.add(
                    Some(r.path.clone()),
                    format!(
                        "message group {id} is in neither this file nor the store: a placeholder \
                         group created by the sender {} was created; import the message groups \
                         response to fill it in",
                        r.owner
                    ),
                );
                rows.push(vec![v(id), v(r.owner)]);
            }
        }
        let n = rows.len();
        self.insert("groups", &["id", "createdBy"], rows, Some(Self::ignore()))
            .await?;
        self.count("groups (placeholders)", n);
        Ok(())
    }

    async fn variants(&mut self, b: &Batch) -> Result<(), DbErr> {
        let rows = b.variants.iter().map(|(m, x)| vec![v(*m), v(*x)]).collect();
        self.insert(
            "media_variants",
            &["mediaId", "variantId"],
            rows,
            Some(Self::ignore()),
        )
        .await?;
        self.count("media_variants", b.variants.len());
        Ok(())
    }

    async fn locations(&mut self, b: &Batch) -> Result<(), DbErr> {
        let owners: Vec<i64> = b.locations.keys().copied().collect();
        self.delete_in("media_locations", "mediaId", &owners)
            .await?;
        let rows: Vec<Vec<SimpleExpr>> = b
            .locations
            .iter()
            .flat_map(|(m, list)| {
                list.iter()
                    .map(move |(lid, url)| vec![v(*m), v(*lid), v(url.clone())])
            })
            .collect();
        let n = rows.len();
        self.insert(
            "media_locations",
            &["mediaId", "locationId", "location"],
            rows,
            None,
        )
        .await?;
        self.count("media_locations", n);
        Ok(())
    }

    async fn pictures(
        &mut self,
        table: &'static str,
        map: &BTreeMap<i64, i64>,
    ) -> Result<(), DbErr> {
        let owners: Vec<i64> = map.keys().copied().collect();
        self.delete_in(table, "accountId", &owners).await?;
        let rows = map.iter().map(|(acc, m)| vec![v(*acc), v(*m)]).collect();
        self.insert(table, &["accountId", "mediaId"], rows, None)
            .await?;
        self.count(table, map.len());
        Ok(())
    }

    async fn bundle_items(&mut self, b: &Batch, w: &mut Warnings) -> Result<(), DbErr> {
        let wanted: Vec<i64> = b
            .bundle_items
            .values()
            .flat_map(|(ids, _)| ids.iter().copied())
            .filter(|id| !b.account_media.contains(*id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let known = self.existing("account_media", &wanted).await?;
        let bundles: Vec<i64> = b.bundle_items.keys().copied().collect();
        self.delete_in("account_media_bundle_media", "bundle_id", &bundles)
            .await?;
        let mut rows = Vec::new();
        for (bundle, (ids, path)) in &b.bundle_items {
            let mut pos = 0i32;
            for id in ids {
                if b.account_media.contains(*id) || known.contains(id) {
                    rows.push(vec![v(*bundle), v(*id), v(pos)]);
                    pos += 1;
                } else {
                    w.add(
                        Some(path.clone()),
                        format!(
                            "bundle {bundle} lists account media {id}, which is in neither this \
                             file nor the store; left out of the bundle (import the account \
                             media response, then this file again, to add it)"
                        ),
                    );
                }
            }
        }
        let n = rows.len();
        self.insert(
            "account_media_bundle_media",
            &["bundle_id", "media_id", "pos"],
            rows,
            None,
        )
        .await?;
        self.count("account_media_bundle_media", n);
        Ok(())
    }

    async fn group_users(&mut self, b: &Batch) -> Result<(), DbErr> {
        let rows = b
            .group_users
            .iter()
            .map(|(g, u)| vec![v(*g), v(*u)])
            .collect();
        self.insert(
            "group_users",
            &["groupId", "accountId"],
            rows,
            Some(Self::ignore()),
        )
        .await?;
        self.count("group_users", b.group_users.len());
        Ok(())
    }

    /// Whether `attachments.id` is filled by a sequence (upstream PostgreSQL).
    async fn attachment_ids_from_sequence(&mut self) -> Result<bool, DbErr> {
        if self.backend != DbBackend::Postgres {
            return Ok(false);
        }
        self.statements += 1;
        let row = self
            .txn
            .query_one(sea_orm::Statement::from_string(
                self.backend,
                "SELECT pg_get_serial_sequence('attachments', 'id') AS seq",
            ))
            .await?;
        Ok(row
            .map(|r| r.try_get::<Option<String>>("", "seq"))
            .transpose()?
            .flatten()
            .is_some())
    }

    /// The attachments the store has for the batch's owners, in `pos` order.
    async fn stored_attachments(
        &mut self,
        b: &Batch,
    ) -> Result<HashMap<Owner, Vec<(i64, i32, String)>>, DbErr> {
        let mut have: HashMap<Owner, Vec<(i64, i32, String)>> = HashMap::new();
        for (column, ids) in [
            (
                "postId",
                b.attachments
                    .keys()
                    .filter_map(|o| match o {
                        Owner::Post(id) => Some(*id),
                        Owner::Message(_) => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            (
                "messageId",
                b.attachments
                    .keys()
                    .filter_map(|o| match o {
                        Owner::Message(id) => Some(*id),
                        Owner::Post(_) => None,
                    })
                    .collect(),
            ),
        ] {
            for chunk in ids.chunks(IN_CHUNK) {
                let q = Query::select()
                    .columns([a(column), a("contentId"), a("pos")])
                    .expr_as(
                        Func::cast_as(Expr::col(a("contentType")), a("TEXT")),
                        a("kind"),
                    )
                    .from(a("attachments"))
                    .and_where(Expr::col(a(column)).is_in(chunk.iter().copied()))
                    .order_by(a("pos"), sea_orm::sea_query::Order::Asc)
                    .order_by(a("id"), sea_orm::sea_query::Order::Asc)
                    .to_owned();
                for r in self.query(&q).await? {
                    let owner_id: i64 = r.try_get("", column)?;
                    let owner = if column == "postId" {
                        Owner::Post(owner_id)
                    } else {
                        Owner::Message(owner_id)
                    };
                    have.entry(owner).or_default().push((
                        r.try_get("", "contentId")?,
                        r.try_get("", "pos")?,
                        r.try_get("", "kind")?,
                    ));
                }
            }
        }
        Ok(have)
    }

    /// The first id of new attachment rows (0 when the database's sequence assigns them).
    async fn next_attachment_id(&mut self, from_sequence: bool) -> Result<i64, DbErr> {
        Ok(if from_sequence {
            0
        } else {
            let q = Query::select()
                .expr_as(
                    Func::coalesce([Expr::col(a("id")).max(), Expr::val(0_i64).into()]),
                    a("top"),
                )
                .from(a("attachments"))
                .to_owned();
            let rows = self.query(&q).await?;
            rows.first()
                .map(|r| r.try_get::<i64>("", "top"))
                .transpose()?
                .unwrap_or(0)
                + 1
        })
    }

    async fn attachments(&mut self, b: &Batch) -> Result<(), DbErr> {
        if b.attachments.is_empty() {
            return Ok(());
        }
        let have = self.stored_attachments(b).await?;
        let changed: Vec<(&Owner, &Vec<super::rows::Attachment>)> = b
            .attachments
            .iter()
            .filter(|(owner, list)| {
                let wanted: Vec<(i64, i32, String)> = list
                    .iter()
                    .map(|x| (x.content_id, x.pos, x.kind.db_name().to_owned()))
                    .collect();
                have.get(owner).map_or(!wanted.is_empty(), |h| *h != wanted)
            })
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        let posts: Vec<i64> = changed
            .iter()
            .filter_map(|(o, _)| match o {
                Owner::Post(id) => Some(*id),
                Owner::Message(_) => None,
            })
            .collect();
        let messages: Vec<i64> = changed
            .iter()
            .filter_map(|(o, _)| match o {
                Owner::Message(id) => Some(*id),
                Owner::Post(_) => None,
            })
            .collect();
        self.delete_in("attachments", "postId", &posts).await?;
        self.delete_in("attachments", "messageId", &messages)
            .await?;
        let from_sequence = self.attachment_ids_from_sequence().await?;
        let mut next_id = self.next_attachment_id(from_sequence).await?;
        let pg = self.backend == DbBackend::Postgres;
        let mut rows = Vec::new();
        for (owner, list) in &changed {
            let (post, message) = match owner {
                Owner::Post(id) => (Some(*id), None),
                Owner::Message(id) => (None, Some(*id)),
            };
            for x in *list {
                let kind = if pg {
                    v(x.kind.db_name()).cast_as(a("contenttype"))
                } else {
                    v(x.kind.db_name())
                };
                let mut row = Vec::with_capacity(6);
                if !from_sequence {
                    row.push(v(next_id));
                    next_id += 1;
                }
                row.extend([v(post), v(message), v(x.content_id), v(x.pos), kind]);
                rows.push(row);
            }
        }
        let n = rows.len();
        let columns: &[&str] = if from_sequence {
            &["postId", "messageId", "contentId", "pos", "contentType"]
        } else {
            &[
                "id",
                "postId",
                "messageId",
                "contentId",
                "pos",
                "contentType",
            ]
        };
        self.insert("attachments", columns, rows, None).await?;
        self.count("attachments", n);
        Ok(())
    }

    async fn hashtags(&mut self, b: &Batch) -> Result<(), DbErr> {
        if b.hashtags.is_empty() {
            return Ok(());
        }
        let values: Vec<String> = b
            .hashtags
            .values()
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut ids = self.hashtag_ids(&values).await?;
        let missing: Vec<Vec<SimpleExpr>> = values
            .iter()
            .filter(|x| !ids.contains_key(*x))
            .map(|x| vec![v(x.clone())])
            .collect();
        if !missing.is_empty() {
            let n = missing.len();
            self.insert("hashtags", &["value"], missing, Some(Self::ignore()))
                .await?;
            self.count("hashtags", n);
            ids = self.hashtag_ids(&values).await?;
        }
        let posts: Vec<i64> = b.hashtags.keys().copied().collect();
        self.delete_in("post_hashtags", "postId", &posts).await?;
        let mut rows = Vec::new();
        for (post, tags) in &b.hashtags {
            for t in tags {
                if let Some(id) = ids.get(t) {
                    rows.push(vec![v(*post), v(*id)]);
                }
            }
        }
        let n = rows.len();
        self.insert(
            "post_hashtags",
            &["postId", "hashtagId"],
            rows,
            Some(Self::ignore()),
        )
        .await?;
        self.count("post_hashtags", n);
        Ok(())
    }

    /// Hashtag ids by lowercase value (matched case-insensitively, as upstream's index).
    async fn hashtag_ids(&mut self, values: &[String]) -> Result<HashMap<String, i32>, DbErr> {
        let mut out = HashMap::new();
        for chunk in values.chunks(IN_CHUNK) {
            let q = Query::select()
                .columns([a("id"), a("value")])
                .from(a("hashtags"))
                .and_where(
                    Expr::expr(Func::lower(Expr::col(a("value")))).is_in(chunk.iter().cloned()),
                )
                .to_owned();
            for r in self.query(&q).await? {
                let value: String = r.try_get("", "value")?;
                out.insert(value.to_lowercase(), r.try_get::<i32>("", "id")?);
            }
        }
        Ok(out)
    }

    async fn mentions(&mut self, b: &Batch) -> Result<(), DbErr> {
        if b.mentions.is_empty() {
            return Ok(());
        }
        let posts: Vec<i64> = b.mentions.keys().copied().collect();
        let mut have: HashMap<i64, Vec<Mention>> = HashMap::new();
        for chunk in posts.chunks(IN_CHUNK) {
            let q = Query::select()
                .columns([a("postId"), a("accountId"), a("handle")])
                .from(a("post_mentions"))
                .and_where(Expr::col(a("postId")).is_in(chunk.iter().copied()))
                .order_by(a("id"), sea_orm::sea_query::Order::Asc)
                .to_owned();
            for r in self.query(&q).await? {
                have.entry(r.try_get("", "postId")?)
                    .or_default()
                    .push(Mention {
                        account_id: r.try_get("", "accountId")?,
                        handle: r.try_get("", "handle")?,
                    });
            }
        }
        let changed: Vec<(&i64, &Vec<Mention>)> = b
            .mentions
            .iter()
            .filter(|(p, list)| have.get(*p).map_or(!list.is_empty(), |h| h != *list))
            .collect();
        let ids: Vec<i64> = changed.iter().map(|(p, _)| **p).collect();
        self.delete_in("post_mentions", "postId", &ids).await?;
        let rows: Vec<Vec<SimpleExpr>> = changed
            .iter()
            .flat_map(|(p, list)| {
                list.iter()
                    .map(move |m| vec![v(**p), v(m.account_id), v(m.handle.clone())])
            })
            .collect();
        let n = rows.len();
        self.insert(
            "post_mentions",
            &["postId", "accountId", "handle"],
            rows,
            None,
        )
        .await?;
        self.count("post_mentions", n);
        Ok(())
    }

    /// A story's `contentId` must name a known account media (foreign key); otherwise it is
    /// stored as NULL with a warning.
    async fn story_contents(&mut self, b: &mut Batch, w: &mut Warnings) -> Result<(), DbErr> {
        let content_of = |row: &Row| match row.cells.get(STORY_CONTENT_ID) {
            Some(Cell::Set(Value::BigInt(Some(id)))) => Some(*id),
            _ => None,
        };
        let wanted: Vec<i64> = b
            .stories
            .rows
            .iter()
            .filter_map(content_of)
            .filter(|id| !b.account_media.contains(*id))
            .collect();
        let known = self.existing("account_media", &wanted).await?;
        for row in &mut b.stories.rows {
            if let Some(id) = content_of(row)
                && !b.account_media.contains(id)
                && !known.contains(&id)
            {
                w.add(
                    b.story_paths.get(&row.id).cloned(),
                    format!(
                        "story {} shows {id}, which is not a known account media; its \
                         contentId is stored as NULL",
                        row.id
                    ),
                );
                row.cells[STORY_CONTENT_ID] = Cell::Set(None::<i64>.into());
            }
        }
        Ok(())
    }
}
