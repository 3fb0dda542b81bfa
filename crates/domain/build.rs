// `sqlx::migrate!` embeds the migrations at build time; without this a new or edited
// migration file would not trigger a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
