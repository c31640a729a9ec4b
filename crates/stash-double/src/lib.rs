//! A faithful in-process Stash server for tests, benchmarks and the demo.
