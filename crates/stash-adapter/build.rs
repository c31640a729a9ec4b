//! Registers our Stash schema subset with cynic so every operation is checked at compile time.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=../../schema/stash-subset.graphql");
    cynic_codegen::register_schema("stash")
        .from_sdl_file("../../schema/stash-subset.graphql")?
        .as_default()?;
    Ok(())
}
