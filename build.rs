// The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo to watch them on
// stable Rust: without this, a new migration is missing from an incremental build.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
