//! `sqlx::migrate!` embeds the migration files at compile time but cannot tell cargo to watch
//! them; without this, a new or renamed migration is not picked up until an engine source file
//! changes (the fix sqlx's documentation gives).

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
