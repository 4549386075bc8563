//! `lifecycle-diagrams <dir>...`: writes `lifecycle-<dialect>.svg` for every dialect into each folder.
fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: lifecycle-diagrams <dir>...");
        std::process::exit(2);
    }
    for dir in &dirs {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("lifecycle-diagrams: cannot create {dir}: {e}");
            std::process::exit(1);
        }
        for (name, picture) in lifecycle_diagrams::all() {
            let path = std::path::Path::new(dir).join(&name);
            if let Err(e) = std::fs::write(&path, picture) {
                eprintln!("lifecycle-diagrams: cannot write {}: {e}", path.display());
                std::process::exit(1);
            }
        }
    }
}
