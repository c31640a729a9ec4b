//! `fansly-stash`: the command line.

fn main() {
    println!("fansly-stash {}", env!("CARGO_PKG_VERSION"));
}
