//! The metadata-store adapter: reads fansly-scraper metadata databases (PostgreSQL, SQLite)
//! through sea-orm and implements [`domain::ports::MetadataRepository`].
