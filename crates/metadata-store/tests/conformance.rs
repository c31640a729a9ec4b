//! Conformance with upstream: our entities (and, on PostgreSQL, the schema our migrations
//! create) must match the real fansly-scraper schema dump in tables, columns, types,
//! nullability and primary keys. Fails on drift on either side.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use metadata_store::entities::{TableDescription, describe_all};
use metadata_store::testing::UPSTREAM_SCHEMA;
use sea_orm::sea_query::ColumnType;
use sea_orm::{ConnectionTrait, Database, Statement};

#[derive(Debug, Default)]
struct DumpTable {
    columns: BTreeMap<String, (String, bool)>, // name -> (type, nullable)
    primary_key: Vec<String>,
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').to_owned()
}

/// Parses the `CREATE TABLE` and `PRIMARY KEY` statements of a `pg_dump` schema file.
fn parse_dump(sql: &str) -> BTreeMap<String, DumpTable> {
    let mut tables: BTreeMap<String, DumpTable> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut altering: Option<String> = None;
    for line in sql.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("CREATE TABLE public.") {
            let name = rest.trim_end_matches(" (").to_owned();
            tables.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        if let Some(name) = &current {
            if t == ");" {
                current = None;
                continue;
            }
            if t.starts_with("CONSTRAINT") {
                continue;
            }
            let t = t.trim_end_matches(',');
            let (col, rest) = if let Some(stripped) = t.strip_prefix('"') {
                let end = stripped.find('"').unwrap();
                (stripped[..end].to_owned(), stripped[end + 1..].trim())
            } else {
                let (c, r) = t.split_once(' ').unwrap();
                (c.to_owned(), r.trim())
            };
            let not_null = rest.contains("NOT NULL");
            let ty = rest
                .split(" NOT NULL")
                .next()
                .unwrap()
                .split(" DEFAULT")
                .next()
                .unwrap()
                .trim()
                .to_owned();
            tables
                .get_mut(name)
                .unwrap()
                .columns
                .insert(col, (ty, !not_null));
            continue;
        }
        if let Some(rest) = t.strip_prefix("ALTER TABLE ONLY public.") {
            altering = Some(rest.to_owned());
            continue;
        }
        if let (Some(table), Some(i)) = (&altering, t.find("PRIMARY KEY (")) {
            let cols = &t[i + "PRIMARY KEY (".len()..t.len() - 2];
            tables.get_mut(table).unwrap().primary_key = cols.split(',').map(unquote).collect();
        }
    }
    tables
}

fn pg_type(t: &ColumnType) -> String {
    match t {
        ColumnType::BigInteger => "bigint".into(),
        ColumnType::Integer => "integer".into(),
        ColumnType::String(_) => "character varying".into(),
        ColumnType::TimestampWithTimeZone => "timestamp with time zone".into(),
        ColumnType::Boolean => "boolean".into(),
        ColumnType::Double => "double precision".into(),
        ColumnType::Custom(name) => format!("public.{}", name.to_string()),
        other => format!("unmapped {other:?}"),
    }
}

/// Tables where upstream has no primary key but sea-orm needs one: we declare the UNIQUE pair.
const DECLARED_KEYS_WITHOUT_UPSTREAM_PK: [&str; 1] = ["post_hashtags"];

fn compare(entity: &TableDescription, dump: &DumpTable) -> Vec<String> {
    let mut drift = Vec::new();
    let ours: BTreeSet<&str> = entity.columns.iter().map(|c| c.name.as_str()).collect();
    for name in dump.columns.keys() {
        if !ours.contains(name.as_str()) {
            drift.push(format!(
                "{}.{name}: in upstream, not in our entity",
                entity.name
            ));
        }
    }
    for c in &entity.columns {
        match dump.columns.get(&c.name) {
            None => drift.push(format!("{}.{}: not in upstream", entity.name, c.name)),
            Some((ty, nullable)) => {
                if pg_type(&c.column_type) != *ty {
                    drift.push(format!(
                        "{}.{}: type {} (ours) vs {ty} (upstream)",
                        entity.name,
                        c.name,
                        pg_type(&c.column_type)
                    ));
                }
                if c.nullable != *nullable {
                    drift.push(format!(
                        "{}.{}: nullable {} (ours) vs {nullable} (upstream)",
                        entity.name, c.name, c.nullable
                    ));
                }
            }
        }
    }
    let expected_pk = if DECLARED_KEYS_WITHOUT_UPSTREAM_PK.contains(&entity.name.as_str()) {
        assert!(
            dump.primary_key.is_empty(),
            "{} gained a primary key upstream",
            entity.name
        );
        entity.primary_key.clone()
    } else {
        dump.primary_key.clone()
    };
    if entity.primary_key != expected_pk {
        drift.push(format!(
            "{}: primary key {:?} (ours) vs {:?} (upstream)",
            entity.name, entity.primary_key, dump.primary_key
        ));
    }
    drift
}

#[test]
fn entities_match_the_upstream_dump() {
    let sql = std::fs::read_to_string(UPSTREAM_SCHEMA)
        .unwrap_or_else(|e| panic!("cannot read the upstream schema {UPSTREAM_SCHEMA}: {e}"));
    let dump = parse_dump(&sql);
    assert!(
        dump.len() >= 30,
        "the dump parser found only {} tables",
        dump.len()
    );
    assert_eq!(
        dump["media"].columns["local_filename"],
        ("character varying".into(), true)
    );
    assert_eq!(dump["attachments"].primary_key, vec!["id".to_owned()]);

    let mut drift = Vec::new();
    for entity in describe_all() {
        match dump.get(&entity.name) {
            Some(d) => drift.extend(compare(&entity, d)),
            None => drift.push(format!("table {} is not in upstream", entity.name)),
        }
    }
    assert!(drift.is_empty(), "schema drift:\n{}", drift.join("\n"));
}

#[test]
fn the_comparison_catches_drift() {
    let sql = std::fs::read_to_string(UPSTREAM_SCHEMA).unwrap();
    let dump = parse_dump(&sql);
    let mut media = describe_all()
        .into_iter()
        .find(|t| t.name == "media")
        .unwrap();
    media.columns[1].nullable = true; // accountId
    media.columns.pop(); // stash_id
    media.columns[0].column_type = ColumnType::Integer; // id
    let drift = compare(&media, &dump["media"]);
    assert_eq!(drift.len(), 3, "{drift:?}");
}

const COLUMNS_SQL: &str = "SELECT table_name::text AS t, column_name::text AS c, \
     data_type::text AS ty, udt_name::text AS udt, is_nullable::text AS n \
     FROM information_schema.columns WHERE table_schema = 'public' \
     ORDER BY table_name, column_name";

async fn columns(url: &str) -> BTreeSet<(String, String, String, String, String)> {
    let db = Database::connect(url).await.unwrap();
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        COLUMNS_SQL,
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("", "t").unwrap(),
            r.try_get("", "c").unwrap(),
            r.try_get("", "ty").unwrap(),
            r.try_get("", "udt").unwrap(),
            r.try_get("", "n").unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn our_postgres_migrations_create_upstream_columns() {
    let (Some(upstream), Some(ours)) = (common::pg_test_database(), common::pg_empty_database())
    else {
        return;
    };
    common::MetadataStore::open(&ours.url, Default::default())
        .await
        .unwrap();
    let ours_cols = columns(&ours.url).await;
    let ours_tables: BTreeSet<String> = ours_cols
        .iter()
        .map(|c| c.0.clone())
        .filter(|t| t != "seaql_migrations")
        .collect();
    let upstream_cols: BTreeSet<_> = columns(&upstream.url)
        .await
        .into_iter()
        .filter(|c| ours_tables.contains(&c.0))
        .collect();
    let ours_cols: BTreeSet<_> = ours_cols
        .into_iter()
        .filter(|c| c.0 != "seaql_migrations")
        .collect();
    // At least the 16 tables sync reads; later migrations may add more upstream tables, which
    // are compared the same way.
    assert!(ours_tables.len() >= 16, "{ours_tables:?}");
    let missing: Vec<_> = upstream_cols.difference(&ours_cols).collect();
    let extra: Vec<_> = ours_cols.difference(&upstream_cols).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "upstream only: {missing:#?}\nours only: {extra:#?}"
    );
}
