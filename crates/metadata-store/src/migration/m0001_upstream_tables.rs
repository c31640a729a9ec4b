//! Creates the upstream tables sync reads, with upstream's names, types, nullability, keys and
//! foreign keys (fansly-scraper head `b6d60f698c27`). On PostgreSQL `contentType` is the
//! `contenttype` enum, as upstream; on SQLite it is text.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

/// The first migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_upstream_tables"
    }
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn big(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.big_integer().not_null();
    c
}

fn big_null(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.big_integer().null();
    c
}

fn int_null(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.integer().null();
    c
}

fn text_null(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.string().null();
    c
}

fn ts(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.timestamp_with_time_zone().not_null();
    c
}

fn ts_null(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.timestamp_with_time_zone().null();
    c
}

fn flag(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.boolean().not_null();
    c
}

fn flag_null(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.boolean().null();
    c
}

fn fk(table: &str, column: &str, target: &str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut f = ForeignKey::create();
    f.name(format!("{table}_{column}_fkey"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"));
    if cascade {
        f.on_delete(ForeignKeyAction::Cascade);
    }
    f
}

/// An `integer` id filled from a sequence on PostgreSQL (`serial`, as upstream); on SQLite the
/// id is given by the writer (SQLite refuses AUTOINCREMENT outside `INTEGER PRIMARY KEY`).
fn serial(name: &str, backend: DbBackend) -> ColumnDef {
    let mut c = col(name);
    c.integer().not_null();
    if backend == DbBackend::Postgres {
        c.auto_increment();
    }
    c
}

fn table(name: &str) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(name));
    t
}

fn pk(t: &mut TableCreateStatement, columns: &[&str]) {
    let mut i = Index::create();
    for c in columns {
        i.col(Alias::new(*c));
    }
    t.primary_key(&mut i);
}

fn index(table: &str, name: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in columns {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i
}

/// The tables, in dependency order.
fn tables(backend: DbBackend) -> Vec<TableCreateStatement> {
    let mut out = Vec::new();

    let mut t = table("accounts");
    t.col(big("id"))
        .col(col("username").string().not_null().unique_key())
        .col(text_null("displayName"))
        .col(int_null("flags"))
        .col(int_null("version"))
        .col(text_null("about"))
        .col(text_null("location"))
        .col(flag_null("following"))
        .col(flag_null("profileAccess"))
        .col(ts_null("createdAt"))
        .col(flag_null("subscribed"))
        .col(int_null("stash_id"));
    pk(&mut t, &["id"]);
    out.push(t);

    let mut t = table("media");
    t.col(big("id"))
        .col(big("accountId"))
        .col(text_null("location"))
        .col(text_null("mimetype"))
        .col(int_null("height"))
        .col(int_null("width"))
        .col(int_null("type"))
        .col(int_null("status"))
        .col(ts_null("createdAt"))
        .col(ts_null("updatedAt"))
        .col(int_null("flags"))
        .col(text_null("meta_info"))
        .col(col("duration").double().null())
        .col(text_null("local_filename"))
        .col(text_null("content_hash"))
        .col(col("is_downloaded").boolean().not_null().default(false))
        .col(int_null("stash_id"))
        .foreign_key(&mut fk("media", "accountId", "accounts", false));
    pk(&mut t, &["id"]);
    out.push(t);

    let mut t = table("media_variants");
    t.col(big("mediaId"))
        .col(big("variantId"))
        .foreign_key(&mut fk("media_variants", "mediaId", "media", false))
        .foreign_key(&mut fk("media_variants", "variantId", "media", false));
    pk(&mut t, &["mediaId", "variantId"]);
    out.push(t);

    for name in ["account_avatar", "account_banner"] {
        let mut t = table(name);
        t.col(big_null("accountId"))
            .col(big_null("mediaId"))
            .foreign_key(&mut fk(name, "accountId", "accounts", false))
            .foreign_key(&mut fk(name, "mediaId", "media", false));
        out.push(t);
    }

    let mut t = table("account_media");
    t.col(big("id"))
        .col(big("accountId"))
        .col(big("mediaId"))
        .col(big_null("previewId"))
        .col(ts("createdAt"))
        .col(ts_null("deletedAt"))
        .col(flag("deleted"))
        .col(flag("access"))
        .col(int_null("stash_id"))
        .foreign_key(&mut fk("account_media", "accountId", "accounts", true))
        .foreign_key(&mut fk("account_media", "mediaId", "media", true))
        .foreign_key(&mut fk("account_media", "previewId", "media", false));
    pk(&mut t, &["id"]);
    out.push(t);

    let mut t = table("account_media_bundles");
    t.col(big("id"))
        .col(big("accountId"))
        .col(big_null("previewId"))
        .col(ts("createdAt"))
        .col(ts_null("deletedAt"))
        .col(flag("deleted"))
        .col(flag("access"))
        .col(flag("purchased"))
        .col(flag("whitelisted"))
        .col(int_null("stash_id"))
        .foreign_key(&mut fk(
            "account_media_bundles",
            "accountId",
            "accounts",
            false,
        ))
        .foreign_key(&mut fk(
            "account_media_bundles",
            "previewId",
            "media",
            false,
        ));
    pk(&mut t, &["id"]);
    out.push(t);

    let mut t = table("account_media_bundle_media");
    t.col(big("bundle_id"))
        .col(big("media_id"))
        .col(col("pos").integer().not_null())
        .foreign_key(&mut fk(
            "account_media_bundle_media",
            "bundle_id",
            "account_media_bundles",
            true,
        ))
        .foreign_key(&mut fk(
            "account_media_bundle_media",
            "media_id",
            "account_media",
            true,
        ));
    pk(&mut t, &["bundle_id", "media_id"]);
    out.push(t);

    let mut t = table("posts");
    t.col(big("id"))
        .col(big("accountId"))
        .col(text_null("content"))
        .col(int_null("fypFlag"))
        .col(big_null("inReplyTo"))
        .col(big_null("inReplyToRoot"))
        .col(ts_null("createdAt"))
        .col(ts_null("expiresAt"))
        .col(int_null("stash_id"))
        .foreign_key(&mut fk("posts", "accountId", "accounts", false));
    pk(&mut t, &["id"]);
    out.push(t);

    let mut t = table("groups");
    t.col(big("id"))
        .col(big("createdBy"))
        .col(big_null("lastMessageId"))
        .foreign_key(&mut fk("groups", "createdBy", "accounts", false));
    pk(&mut t, &["id"]);
    out.push(t);

    // No FK on accountId, as upstream (members may be unknown accounts).
    let mut t = table("group_users");
    t.col(big("groupId"))
        .col(big("accountId"))
        .foreign_key(&mut fk("group_users", "groupId", "groups", false));
    pk(&mut t, &["groupId", "accountId"]);
    out.push(t);

    let mut t = table("messages");
    t.col(big("id"))
        .col(big_null("groupId"))
        .col(big("senderId"))
        .col(ts("createdAt"))
        .col(ts_null("deletedAt"))
        .col(flag("deleted"))
        .col(col("content").string().not_null())
        .col(big_null("recipientId"))
        .col(int_null("stash_id"))
        .foreign_key(&mut fk("messages", "groupId", "groups", false))
        .foreign_key(&mut fk("messages", "senderId", "accounts", false))
        .foreign_key(&mut fk("messages", "recipientId", "accounts", false));
    pk(&mut t, &["id"]);
    out.push(t);

    let mut t = table("attachments");
    t.col(big("id"))
        .col(big_null("postId"))
        .col(big_null("messageId"))
        .col(big("contentId"))
        .col(col("pos").integer().not_null());
    match backend {
        DbBackend::Postgres => t.col(
            col("contentType")
                .custom(Alias::new("contenttype"))
                .not_null(),
        ),
        _ => t.col(col("contentType").string().not_null()),
    };
    t.check(Expr::cust(r#"("postId" IS NULL) OR ("messageId" IS NULL)"#))
        .foreign_key(&mut fk("attachments", "postId", "posts", false))
        .foreign_key(&mut fk("attachments", "messageId", "messages", false));
    pk(&mut t, &["id"]);
    out.push(t);

    let mut t = table("hashtags");
    t.col(serial("id", backend))
        .col(col("value").string().not_null())
        .col(int_null("stash_id"));
    pk(&mut t, &["id"]);
    out.push(t);

    // No primary key, as upstream: a UNIQUE pair (created below as an index).
    let mut t = table("post_hashtags");
    t.col(big("postId"))
        .col(col("hashtagId").integer().not_null())
        .foreign_key(&mut fk("post_hashtags", "postId", "posts", true))
        .foreign_key(&mut fk("post_hashtags", "hashtagId", "hashtags", true));
    out.push(t);

    // No FK on accountId, as upstream (mentions of unknown accounts are allowed).
    let mut t = table("post_mentions");
    t.col(big("postId"))
        .col(big_null("accountId"))
        .col(col("handle").string().not_null())
        .col(serial("id", backend))
        .foreign_key(&mut fk("post_mentions", "postId", "posts", true));
    pk(&mut t, &["id"]);
    out.push(t);

    out
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("media", "ix_media_content_hash", &["content_hash"], false),
        // Ours, not upstream's: the unattached-media query filters media by owner.
        index("media", "ix_media_accountId", &["accountId"], false),
        index(
            "account_media",
            "ix_account_media_accountId",
            &["accountId"],
            false,
        ),
        index("messages", "ix_messages_groupId", &["groupId"], false),
        index(
            "group_users",
            "ix_group_users_accountId",
            &["accountId"],
            false,
        ),
        index(
            "post_hashtags",
            "pk_post_hashtags",
            &["postId", "hashtagId"],
            true,
        ),
        index(
            "post_hashtags",
            "ix_post_hashtags_postId",
            &["postId"],
            false,
        ),
        index(
            "post_hashtags",
            "ix_post_hashtags_hashtagId",
            &["hashtagId"],
            false,
        ),
        index(
            "post_mentions",
            "ix_post_mentions_accountId",
            &["accountId"],
            false,
        ),
        index(
            "post_mentions",
            "uix_post_mentions_handle",
            &["postId", "handle"],
            true,
        ),
        // Ours: attachments are looked up by owner.
        index("attachments", "ix_attachments_postId", &["postId"], false),
        index(
            "attachments",
            "ix_attachments_messageId",
            &["messageId"],
            false,
        ),
        index(
            "account_avatar",
            "uq_account_avatar",
            &["accountId", "mediaId"],
            true,
        ),
        index(
            "account_banner",
            "uq_account_banner",
            &["accountId", "mediaId"],
            true,
        ),
    ]
}

// sea-orm-migration's trait spells `&SchemaManager` without a lifetime; `'_` would not match.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        if backend == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE TYPE contenttype AS ENUM ('ACCOUNT_MEDIA', 'ACCOUNT_MEDIA_BUNDLE', \
                     'POLL', 'STORY', 'AGGREGATED_POSTS', 'TIP_GOALS')",
                )
                .await?;
        }
        for t in tables(backend) {
            manager.create_table(t).await?;
        }
        for i in indexes() {
            manager.create_index(i).await?;
        }
        // Case-insensitive uniqueness of hashtags, as upstream (an expression index).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ix_hashtags_value_lower ON hashtags (lower(value))",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "post_mentions",
            "post_hashtags",
            "hashtags",
            "attachments",
            "messages",
            "group_users",
            "groups",
            "posts",
            "account_media_bundle_media",
            "account_media_bundles",
            "account_media",
            "account_banner",
            "account_avatar",
            "media_variants",
            "media",
            "accounts",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP TYPE contenttype")
                .await?;
        }
        Ok(())
    }
}
