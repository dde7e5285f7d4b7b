// `sqlx::migrate!` embeds the migrations when the crate compiles, but cargo does not know it
// reads that folder: without this, a new migration is left out until something else changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
