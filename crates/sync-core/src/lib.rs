//! The sync engine, written only against the ports in [`domain::ports`].
