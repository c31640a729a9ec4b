//! The Stash adapter: implements [`domain::ports::MediaServer`] over Stash's GraphQL API.
