//! The engine's layering, checked over the source: each module imports only from its own layer or
//! the layers below, and no modules import each other in a cycle. A module added to `lib.rs`
//! without a place in [`LAYERS`] fails here until someone decides where it belongs.
//!
//! Nodes are the top-level modules, except the domain, whose children are nodes of their own: the
//! domain is many small pure modules, and a cycle between two of them is a knot all the same.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A name ending in `::*` stands for every child of that module.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &["domain::*", "config"]),
    ("store", &["store"]),
    ("ingest", &["ingest"]),
    ("ctx", &["ctx"]),
    (
        "use cases",
        &[
            "actions",
            "chat",
            "deliveries",
            "digest",
            "email",
            "escalation",
            "heartbeats",
            "leader",
            "maintenance",
            "notify",
            "oncall",
            "postmortem",
            "records",
            "replay",
            "reports",
            "retention",
            "search",
            "timer",
        ],
    ),
    ("facade", &["engine"]),
];

/// The layer `node` belongs to, by index into [`LAYERS`].
fn layer_of(node: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, members)| {
        members.iter().any(|m| match m.strip_suffix("::*") {
            Some(parent) => node.starts_with(&format!("{parent}::")),
            None => *m == node,
        })
    })
}

/// The one module that may add methods to `Engine`: every verb is written in its use case.
const FACADE: &str = "engine";

/// The node a module path (`domain::email::rules`, `store::outbox`) belongs to.
fn node_of(path: &[&str]) -> String {
    match path {
        ["domain", child, ..] if *child != "mod" => format!("domain::{child}"),
        [top, ..] => (*top).to_owned(),
        [] => String::new(),
    }
}

/// Every `crate::a::b` path in the code of `src` (comments left out), as `a::b` segments.
fn crate_paths(src: &str) -> Vec<Vec<&str>> {
    let mut paths = Vec::new();
    for line in src.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(after.len());
            paths.push(after[..end].split("::").filter(|s| !s.is_empty()).collect());
            rest = &after[end..];
        }
    }
    paths
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read engine/src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules `lib.rs` declares.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.to_owned())
        })
        .collect()
}

/// Edges between nodes, each with the files that make it; and the problems found on the way.
type Edges = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn edges(src: &Path) -> (Edges, Vec<String>) {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read lib.rs");
    let declared = declared_modules(&lib);
    let mut problems = Vec::new();
    let mut edges = Edges::new();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    for file in files {
        let rel = file.strip_prefix(src).unwrap().with_extension("");
        let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap()).collect();
        if parts == ["lib"] || parts == ["layers"] {
            continue;
        }
        let from = node_of(&parts);
        let text = std::fs::read_to_string(&file).expect("read source");
        if from != FACADE && text.lines().any(|l| l.starts_with("impl Engine {")) {
            problems.push(format!(
                "{}: `impl Engine` outside the facade; write the verb as a use-case function \
                 over the `Ctx` and give the facade a one-line method that calls it",
                rel.display()
            ));
        }
        for path in crate_paths(&text) {
            let Some(top) = path.first() else { continue };
            if !declared.contains(*top) {
                problems.push(format!(
                    "{}: `crate::{}` goes through a re-export at the crate root; name the module",
                    rel.display(),
                    path.join("::")
                ));
                continue;
            }
            let to = node_of(&path);
            if to != from && !to.is_empty() {
                let files = edges.entry(from.clone()).or_default().entry(to);
                files.or_default().insert(rel.display().to_string());
            }
        }
    }
    for m in &declared {
        if m != "layers" && m != "domain" && layer_of(m).is_none() {
            problems.push(format!("module `{m}` has no layer: add it to LAYERS"));
        }
    }
    (edges, problems)
}

/// Upward imports, and every cycle (as a strongly connected component) with one file per edge.
fn violations(src: &Path) -> Vec<String> {
    let (edges, mut problems) = edges(src);
    for (from, tos) in &edges {
        for (to, files) in tos {
            let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) else {
                problems.push(format!("`{from}` → `{to}`: one of them has no layer"));
                continue;
            };
            if b > a {
                problems.push(format!(
                    "`{from}` ({}) imports `{to}` ({}), a layer above it: {}",
                    LAYERS[a].0,
                    LAYERS[b].0,
                    files.iter().next().unwrap()
                ));
            }
        }
    }
    for component in cycles(&edges) {
        let via: Vec<String> = component
            .iter()
            .flat_map(|a| {
                edges[a]
                    .iter()
                    .filter(|(b, _)| component.contains(*b))
                    .map(move |(b, f)| format!("{a} → {b} ({})", f.iter().next().unwrap()))
            })
            .collect();
        problems.push(format!("import cycle: {}", via.join(", ")));
    }
    problems
}

/// The strongly connected components with more than one node (Tarjan's algorithm).
fn cycles(edges: &Edges) -> Vec<BTreeSet<String>> {
    struct Walk<'a> {
        edges: &'a Edges,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<BTreeSet<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in self.edges.get(v).into_iter().flat_map(|t| t.keys()) {
                if !self.index.contains_key(w.as_str()) {
                    self.visit(w);
                    let lw = self.low[w.as_str()];
                    self.low.insert(v, self.low[v].min(lw));
                } else if self.stack.contains(&w.as_str()) {
                    let iw = self.index[w.as_str()];
                    self.low.insert(v, self.low[v].min(iw));
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    component.insert(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn the_engine_imports_only_downward_and_without_cycles() {
    let src = std::env::var_os("FIREBELL_LAYERS_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let problems = violations(&src);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_cycle_and_an_upward_import_are_both_reported() {
    let dir = std::env::temp_dir().join(format!("firebell-layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("domain")).unwrap();
    let write = |p: &str, s: &str| std::fs::write(dir.join(p), s).unwrap();
    write(
        "lib.rs",
        "pub mod domain;\npub mod store;\npub mod notify;\npub mod chat;\n",
    );
    write("domain/mod.rs", "pub mod ids;\npub mod kinds;\n");
    write("domain/ids.rs", "use crate::domain::kinds::Severity;\n");
    write(
        "domain/kinds.rs",
        "use crate::domain::ids::UserId;\n// crate::store in a comment is fine\n",
    );
    write("store.rs", "use crate::notify::Lane;\n");
    write("notify.rs", "use crate::chat::post;\n");
    write("chat.rs", "use crate::notify::send;\nimpl Engine {\n}\n");
    let got = violations(&dir).join("\n");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        got.contains("`store` (store) imports `notify` (use cases), a layer above it"),
        "{got}"
    );
    assert!(
        got.contains("import cycle: domain::ids → domain::kinds"),
        "{got}"
    );
    assert!(
        got.contains("import cycle: chat → notify (chat), notify → chat (notify)"),
        "{got}"
    );
    assert!(
        got.contains("chat: `impl Engine` outside the facade"),
        "{got}"
    );
    assert!(
        !got.contains("domain::kinds` (domain) imports `store"),
        "{got}"
    );
}
