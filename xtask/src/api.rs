//! `cargo xtask api`: the public API of each published crate, pinned in
//! `api/<package>.txt` and checked by `cargo xtask test`.
//!
//! The listing comes from rustdoc's JSON output. That output is unstable, so
//! it is asked of the stable toolchain with `RUSTC_BOOTSTRAP=1` (no nightly
//! needed; nothing else is built differently). The JSON is read as plain
//! `serde_json::Value`s, not with a crate that fixes one format version, and
//! rendered into sorted lines, one per public item: its kind, its path and
//! its signature (generics, argument and return types, fields, variants,
//! trait impls), so a changed signature shows, not only an added or removed
//! item. Items re-exported from another crate are listed as `use` lines; that
//! crate's own listing holds their signatures.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The published crates: package name and library name.
const CRATES: [(&str, &str); 7] = [
    ("boltline-packstream", "boltline_packstream"),
    ("boltline-bolt", "boltline_bolt"),
    ("boltline-pool", "boltline_pool"),
    ("boltline-routing", "boltline_routing"),
    ("boltline", "boltline"),
    ("boltline-ogm", "boltline_ogm"),
    ("boltline-ogm-macros", "boltline_ogm_macros"),
];

/// The first line of a listing, before rustdoc's JSON format version.
const FORMAT_PREFIX: &str = "# rustdoc JSON format ";

/// Where the listings are checked in, relative to the workspace root.
const API_DIR: &str = "api";

/// `cargo xtask api`: regenerates every listing.
pub(crate) fn regenerate() -> Result<(), String> {
    let root = workspace_root();
    let dir = root.join(API_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("[api] {}: {e}", dir.display()))?;
    for (package, lib) in CRATES {
        let listing = listing(&root, package, lib)?;
        let file = dir.join(format!("{package}.txt"));
        std::fs::write(&file, listing).map_err(|e| format!("[api] {}: {e}", file.display()))?;
        eprintln!("xtask: [api] wrote {API_DIR}/{package}.txt");
    }
    Ok(())
}

/// Part of `cargo xtask test`: fails when a listing differs from the
/// checked-in one, showing the lines that differ.
pub(crate) fn check() -> Result<(), String> {
    let root = workspace_root();
    let mut failures = Vec::new();
    for (package, lib) in CRATES {
        let now = listing(&root, package, lib)?;
        let file = root.join(API_DIR).join(format!("{package}.txt"));
        let pinned = std::fs::read_to_string(&file).unwrap_or_default();
        if now != pinned {
            let format = |s: &str| s.lines().next().unwrap_or("").to_owned();
            let note = if format(&now) != format(&pinned) {
                format!(
                    "  (the listing was made with another rustdoc JSON format: `{}`, now `{}`; \
                     after a toolchain upgrade, regenerate and review)\n",
                    format(&pinned),
                    format(&now)
                )
            } else {
                String::new()
            };
            failures.push(format!(
                "{package} ({API_DIR}/{package}.txt):\n{note}{}",
                diff(&pinned, &now)
            ));
        }
    }
    if failures.is_empty() {
        eprintln!("xtask: [api] the public API matches {API_DIR}/*.txt");
        return Ok(());
    }
    Err(format!(
        "[api] the public API changed:\n{}\nIf the change is intended, run `cargo xtask api` and \
         commit the updated {API_DIR}/*.txt files.",
        failures.join("\n")
    ))
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Lines only in `old` (`-`) and only in `new` (`+`); both are sorted sets
/// of lines, so this is the whole difference.
fn diff(old: &str, new: &str) -> String {
    let old: BTreeSet<&str> = old.lines().collect();
    let new: BTreeSet<&str> = new.lines().collect();
    let mut out = String::new();
    for l in old.difference(&new) {
        out.push_str(&format!("  - {l}\n"));
    }
    for l in new.difference(&old) {
        out.push_str(&format!("  + {l}\n"));
    }
    out
}

/// Runs rustdoc for `package` (every feature on, so feature-gated items are
/// pinned too) and renders its JSON.
fn listing(root: &Path, package: &str, lib: &str) -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // A target directory of its own: cargo fingerprints RUSTC_BOOTSTRAP, so
    // sharing the usual one would make every later check or clippy rebuild
    // the dependencies (and this run rebuild them again).
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("api");
    eprintln!("xtask: [api] rustdoc --output-format json -p {package}");
    let status = Command::new(cargo)
        .current_dir(root)
        .arg("rustdoc")
        .arg("--target-dir")
        .arg(&target)
        .args(["-q", "-p", package, "--lib", "--all-features", "--"])
        .args(["-Z", "unstable-options", "--output-format", "json"])
        // rustdoc's JSON output on the stable toolchain.
        .env("RUSTC_BOOTSTRAP", "1")
        .status()
        .map_err(|e| format!("[api] could not start cargo: {e}"))?;
    if !status.success() {
        return Err(format!("[api] rustdoc failed for {package} ({status})"));
    }
    let file = target.join("doc").join(format!("{lib}.json"));
    let text =
        std::fs::read_to_string(&file).map_err(|e| format!("[api] {}: {e}", file.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("[api] {}: {e}", file.display()))?;
    Ok(render(&json))
}

/// The sorted listing of one crate's rustdoc JSON.
fn render(doc: &Value) -> String {
    let mut doc = doc.clone();
    let names = short_names(&doc);
    fill_paths(&mut doc, &names);
    let doc = &doc;
    let mut lister = Lister {
        doc,
        lines: BTreeSet::new(),
        visiting: HashSet::new(),
    };
    let root = id_key(&doc["root"]);
    let name = doc["index"][&root]["name"]
        .as_str()
        .unwrap_or("crate")
        .to_owned();
    lister.module(&root, &name);
    // The first line names rustdoc's JSON format, so a listing that differs
    // only because the toolchain's rustdoc changed can say so.
    let mut out = format!("{FORMAT_PREFIX}{}\n", doc["format_version"]);
    for line in lister.lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The name of each item rustdoc knows by id, for the paths it leaves
/// empty (a trait in `<T as Trait>::Item`).
fn short_names(doc: &Value) -> std::collections::HashMap<String, String> {
    let mut names = std::collections::HashMap::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (id, p) in paths {
            if let Some(last) = p["path"].as_array().and_then(|p| p.last()) {
                names.insert(id.clone(), last.as_str().unwrap_or("?").to_owned());
            }
        }
    }
    names
}

/// Fills empty `path`s from `names`, throughout the document.
fn fill_paths(v: &mut Value, names: &std::collections::HashMap<String, String>) {
    match v {
        Value::Object(o) => {
            let empty = o.get("path").is_some_and(|p| p == "");
            if empty {
                if let Some(name) = o.get("id").map(id_key).and_then(|id| names.get(&id)) {
                    o.insert("path".to_owned(), Value::String(name.clone()));
                }
            }
            for child in o.values_mut() {
                fill_paths(child, names);
            }
        }
        Value::Array(a) => {
            for child in a {
                fill_paths(child, names);
            }
        }
        _ => {}
    }
}

/// Auto traits and derive internals that are not part of a stable API
/// (unstable auto traits, the marker `#[derive(PartialEq)]` adds).
const UNLISTED_TRAITS: [&str; 3] = ["Freeze", "UnsafeUnpin", "StructuralPartialEq"];

fn id_key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Lister<'a> {
    doc: &'a Value,
    lines: BTreeSet<String>,
    /// Modules being walked, so glob re-exports cannot loop.
    visiting: HashSet<String>,
}

impl Lister<'_> {
    fn item(&self, id: &Value) -> Option<&Value> {
        self.doc["index"].get(id_key(id))
    }

    fn add(&mut self, line: String) {
        self.lines.insert(line);
    }

    fn module(&mut self, id: &str, path: &str) {
        if !self.visiting.insert(id.to_owned()) {
            return;
        }
        let items: Vec<Value> = self.doc["index"][id]["inner"]["module"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for child in &items {
            let Some(item) = self.item(child).cloned() else {
                continue;
            };
            if item["visibility"] != "public" {
                continue;
            }
            self.public_item(&item, path);
        }
        self.visiting.remove(id);
    }

    /// An item of a module at `parent`.
    fn public_item(&mut self, item: &Value, parent: &str) {
        let inner = &item["inner"];
        if let Some(u) = inner.get("use") {
            let source = u["source"].as_str().unwrap_or("?");
            let target = self.item(&u["id"]).cloned();
            if u["is_glob"] == true {
                match target {
                    Some(t) if t["inner"].get("module").is_some() => {
                        self.module(&id_key(&t["id"]), parent)
                    }
                    _ => self.add(format!("use {parent}::* = {source}::*")),
                }
                return;
            }
            let name = u["name"].as_str().unwrap_or("?");
            match target {
                // A local item re-exported here: listed as if defined here.
                Some(t) => self.named(&t, &format!("{parent}::{name}")),
                None => self.add(format!("use {parent}::{name} = {source}")),
            }
            return;
        }
        let name = item["name"].as_str().unwrap_or("?");
        self.named(item, &format!("{parent}::{name}"));
    }

    /// An item under its public path.
    fn named(&mut self, item: &Value, path: &str) {
        let inner = &item["inner"];
        let marks = marks(item);
        if inner.get("module").is_some() {
            self.add(format!("mod {path}"));
            self.module(&id_key(&item["id"]), path);
        } else if let Some(f) = inner.get("function") {
            self.add(format!("{marks}{}", function(path, f)));
        } else if let Some(s) = inner.get("struct") {
            let g = generics(&s["generics"]);
            let w = where_clause(&s["generics"]);
            let kind = &s["kind"];
            if let Some(fields) = kind.get("tuple").and_then(Value::as_array) {
                let tys: Vec<String> = fields
                    .iter()
                    .map(|f| match self.item(f) {
                        Some(f) => ty(&f["inner"]["struct_field"]),
                        None => "_".to_owned(),
                    })
                    .collect();
                self.add(format!("{marks}struct {path}{g}({}){w}", tys.join(", ")));
            } else if kind.get("plain").is_some() {
                let stripped = kind["plain"]["has_stripped_fields"] == true;
                let more = if stripped { " { .. }" } else { "" };
                self.add(format!("{marks}struct {path}{g}{w}{more}"));
                self.fields(&kind["plain"]["fields"], path);
            } else {
                self.add(format!("{marks}struct {path}{g}{w};"));
            }
            self.impls(&s["impls"], path);
        } else if let Some(e) = inner.get("enum") {
            let g = generics(&e["generics"]);
            let w = where_clause(&e["generics"]);
            self.add(format!("{marks}enum {path}{g}{w}"));
            for v in e["variants"].as_array().cloned().unwrap_or_default() {
                if let Some(v) = self.item(&v).cloned() {
                    self.variant(&v, path);
                }
            }
            self.impls(&e["impls"], path);
        } else if let Some(u) = inner.get("union") {
            self.add(format!("{marks}union {path}{}", generics(&u["generics"])));
            self.fields(&u["fields"], path);
            self.impls(&u["impls"], path);
        } else if let Some(t) = inner.get("trait") {
            let bounds = bounds(&t["bounds"]);
            let sup = if bounds.is_empty() {
                String::new()
            } else {
                format!(": {bounds}")
            };
            let unsafety = if t["is_unsafe"] == true {
                "unsafe "
            } else {
                ""
            };
            self.add(format!(
                "{marks}{unsafety}trait {path}{}{sup}{}",
                generics(&t["generics"]),
                where_clause(&t["generics"])
            ));
            for i in t["items"].as_array().cloned().unwrap_or_default() {
                if let Some(i) = self.item(&i).cloned() {
                    self.assoc(&i, path, "trait item ");
                }
            }
        } else if let Some(t) = inner.get("type_alias") {
            self.add(format!(
                "type {path}{} = {}",
                generics(&t["generics"]),
                ty(&t["type"])
            ));
        } else if let Some(c) = inner.get("constant") {
            let value = c["const"]["expr"].as_str().unwrap_or("_");
            self.add(format!("const {path}: {} = {value}", ty(&c["type"])));
        } else if let Some(s) = inner.get("static") {
            let m = if s["is_mutable"] == true { "mut " } else { "" };
            self.add(format!("static {m}{path}: {}", ty(&s["type"])));
        } else if inner.get("macro").is_some() {
            self.add(format!("macro {path}!"));
        } else if let Some(p) = inner.get("proc_macro") {
            let kind = p["kind"].as_str().unwrap_or("proc_macro");
            let helpers: Vec<&str> = p["helpers"]
                .as_array()
                .map(|h| h.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            self.add(format!(
                "proc_macro {kind} {path} helpers({})",
                helpers.join(", ")
            ));
        } else {
            let kind = inner
                .as_object()
                .and_then(|o| o.keys().next().cloned())
                .unwrap_or_else(|| "item".to_owned());
            self.add(format!("{kind} {path}"));
        }
    }

    fn fields(&mut self, fields: &Value, path: &str) {
        for f in fields.as_array().cloned().unwrap_or_default() {
            let Some(f) = self.item(&f).cloned() else {
                continue;
            };
            if f["visibility"] != "public" && f["visibility"] != "default" {
                continue;
            }
            let name = f["name"].as_str().unwrap_or("?");
            self.add(format!(
                "field {path}.{name}: {}",
                ty(&f["inner"]["struct_field"])
            ));
        }
    }

    fn variant(&mut self, v: &Value, enum_path: &str) {
        let name = v["name"].as_str().unwrap_or("?");
        let marks = marks(v);
        let kind = &v["inner"]["variant"]["kind"];
        let path = format!("{enum_path}::{name}");
        if let Some(fields) = kind.get("tuple").and_then(Value::as_array) {
            let tys: Vec<String> = fields
                .iter()
                .map(|f| match self.item(f) {
                    Some(f) => ty(&f["inner"]["struct_field"]),
                    None => "_".to_owned(),
                })
                .collect();
            self.add(format!("{marks}variant {path}({})", tys.join(", ")));
        } else if let Some(s) = kind.get("struct") {
            let more = if s["has_stripped_fields"] == true {
                " { .. }"
            } else {
                ""
            };
            self.add(format!("{marks}variant {path}{more}"));
            self.fields(&s["fields"], &path);
        } else {
            self.add(format!("{marks}variant {path}"));
        }
    }

    /// The impls of a type: inherent items one by one, trait impls as
    /// `impl Trait for Type` (blanket impls, which come from elsewhere,
    /// left out; auto traits kept, as losing `Send` breaks users).
    fn impls(&mut self, impls: &Value, path: &str) {
        for i in impls.as_array().cloned().unwrap_or_default() {
            let Some(item) = self.item(&i).cloned() else {
                continue;
            };
            let imp = &item["inner"]["impl"];
            if !imp["blanket_impl"].is_null() {
                continue;
            }
            if imp["trait"].is_null() {
                for a in imp["items"].as_array().cloned().unwrap_or_default() {
                    if let Some(a) = self.item(&a).cloned() {
                        if a["visibility"] == "public" {
                            self.assoc(&a, path, "");
                        }
                    }
                }
            } else {
                let trait_name = imp["trait"]["path"].as_str().unwrap_or("");
                if UNLISTED_TRAITS.contains(&trait_name) {
                    continue;
                }
                let neg = if imp["is_negative"] == true { "!" } else { "" };
                self.add(format!(
                    "impl{} {neg}{} for {}{}",
                    generics(&imp["generics"]),
                    path_of(&imp["trait"]),
                    ty(&imp["for"]),
                    where_clause(&imp["generics"])
                ));
            }
        }
    }

    /// An associated item (inherent or trait): fn, type, const.
    fn assoc(&mut self, a: &Value, owner: &str, prefix: &str) {
        let name = a["name"].as_str().unwrap_or("?");
        let path = format!("{owner}::{name}");
        let inner = &a["inner"];
        let marks = marks(a);
        if let Some(f) = inner.get("function") {
            let provided = if f["has_body"] == true && !prefix.is_empty() {
                " (provided)"
            } else {
                ""
            };
            self.add(format!("{prefix}{marks}{}{provided}", function(&path, f)));
        } else if let Some(t) = inner.get("assoc_type") {
            let b = bounds(&t["bounds"]);
            let b = if b.is_empty() { b } else { format!(": {b}") };
            let d = match t.get("type") {
                Some(v) if !v.is_null() => format!(" = {}", ty(v)),
                _ => String::new(),
            };
            self.add(format!(
                "{prefix}type {path}{}{b}{d}",
                generics(&t["generics"])
            ));
        } else if let Some(c) = inner.get("assoc_const") {
            let d = c["value"]
                .as_str()
                .map(|v| format!(" = {v}"))
                .unwrap_or_default();
            self.add(format!("{prefix}const {path}: {}{d}", ty(&c["type"])));
        }
    }
}

/// Attributes that change what users may do: `#[non_exhaustive]`.
fn marks(item: &Value) -> String {
    let attrs = item["attrs"].as_array().cloned().unwrap_or_default();
    let non_exhaustive = attrs.iter().any(|a| match a {
        Value::String(s) => s.contains("non_exhaustive"),
        other => other.to_string().contains("non_exhaustive"),
    });
    if non_exhaustive {
        "#[non_exhaustive] ".to_owned()
    } else {
        String::new()
    }
}

fn function(path: &str, f: &Value) -> String {
    let h = &f["header"];
    let mut q = String::new();
    for (flag, word) in [
        ("is_const", "const "),
        ("is_async", "async "),
        ("is_unsafe", "unsafe "),
    ] {
        if h[flag] == true {
            q.push_str(word);
        }
    }
    let sig = &f["sig"];
    let inputs: Vec<String> = sig["inputs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let name = p[0].as_str().unwrap_or("_");
            let t = ty(&p[1]);
            match (name, t.as_str()) {
                ("self", "Self") => "self".to_owned(),
                ("self", "&Self") => "&self".to_owned(),
                ("self", "&mut Self") => "&mut self".to_owned(),
                _ => format!("{name}: {t}"),
            }
        })
        .collect();
    let out = match &sig["output"] {
        Value::Null => String::new(),
        t => format!(" -> {}", ty(t)),
    };
    format!(
        "{q}fn {path}{}({}){out}{}",
        generics(&f["generics"]),
        inputs.join(", "),
        where_clause(&f["generics"])
    )
}

/// `<'a, T: Bound, const N: usize>`; `impl Trait` arguments (synthetic
/// parameters) show in the argument types instead.
fn generics(g: &Value) -> String {
    let params: Vec<String> = g["params"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(generic_param)
        .collect();
    if params.is_empty() {
        String::new()
    } else {
        format!("<{}>", params.join(", "))
    }
}

fn generic_param(p: &Value) -> Option<String> {
    let name = p["name"].as_str().unwrap_or("?");
    let kind = &p["kind"];
    if let Some(l) = kind.get("lifetime") {
        let outlives: Vec<&str> = l["outlives"]
            .as_array()
            .map(|o| o.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        return Some(if outlives.is_empty() {
            name.to_owned()
        } else {
            format!("{name}: {}", outlives.join(" + "))
        });
    }
    if let Some(t) = kind.get("type") {
        if t["is_synthetic"] == true {
            return None;
        }
        let b = bounds(&t["bounds"]);
        let mut s = name.to_owned();
        if !b.is_empty() {
            s.push_str(&format!(": {b}"));
        }
        if !t["default"].is_null() {
            s.push_str(&format!(" = {}", ty(&t["default"])));
        }
        return Some(s);
    }
    if let Some(c) = kind.get("const") {
        return Some(format!("const {name}: {}", ty(&c["type"])));
    }
    Some(name.to_owned())
}

fn where_clause(g: &Value) -> String {
    let preds: Vec<String> = g["where_predicates"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            if let Some(b) = p.get("bound_predicate") {
                format!(
                    "{}{}: {}",
                    hrtb(&b["generic_params"]),
                    ty(&b["type"]),
                    bounds(&b["bounds"])
                )
            } else if let Some(l) = p.get("lifetime_predicate") {
                let o: Vec<&str> = l["outlives"]
                    .as_array()
                    .map(|o| o.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                format!(
                    "{}: {}",
                    l["lifetime"].as_str().unwrap_or("'_"),
                    o.join(" + ")
                )
            } else if let Some(e) = p.get("eq_predicate") {
                format!("{} == {}", ty(&e["lhs"]), term(&e["rhs"]))
            } else {
                p.to_string()
            }
        })
        .collect();
    if preds.is_empty() {
        String::new()
    } else {
        format!(" where {}", preds.join(", "))
    }
}

fn hrtb(params: &Value) -> String {
    let ps: Vec<String> = params
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(generic_param)
        .collect();
    if ps.is_empty() {
        String::new()
    } else {
        format!("for<{}> ", ps.join(", "))
    }
}

fn bounds(bs: &Value) -> String {
    let parts: Vec<String> = bs
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|b| {
            if let Some(t) = b.get("trait_bound") {
                let m = match t["modifier"].as_str() {
                    Some("maybe") => "?",
                    Some("maybe_const") => "~const ",
                    _ => "",
                };
                format!("{}{m}{}", hrtb(&t["generic_params"]), path_of(&t["trait"]))
            } else if let Some(l) = b.get("outlives") {
                l.as_str().unwrap_or("'_").to_owned()
            } else if let Some(u) = b.get("use") {
                format!("use<{}>", join_json(u))
            } else {
                b.to_string()
            }
        })
        .collect();
    parts.join(" + ")
}

fn join_json(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => o
                        .values()
                        .next()
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_owned(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// A path with its generic arguments (`Result<T, E>`, `Fn(A) -> B`).
fn path_of(p: &Value) -> String {
    let written = p["path"].as_str().unwrap_or("?");
    // Paths as macros write them (`$crate::fmt::Debug`,
    // `::thiserror::__private21::Error`) would change with the macro
    // crate's version: shortened.
    let name = if written.contains("__private") {
        written.rsplit("::").next().unwrap_or(written)
    } else {
        written
            .trim_start_matches("$crate::")
            .trim_start_matches("::")
    };
    format!("{name}{}", generic_args(&p["args"]))
}

fn generic_args(a: &Value) -> String {
    if a.is_null() {
        return String::new();
    }
    if let Some(ab) = a.get("angle_bracketed") {
        let mut parts: Vec<String> = ab["args"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|g| {
                if let Some(l) = g.get("lifetime") {
                    l.as_str().unwrap_or("'_").to_owned()
                } else if let Some(t) = g.get("type") {
                    ty(t)
                } else if let Some(c) = g.get("const") {
                    c["expr"].as_str().unwrap_or("_").to_owned()
                } else {
                    "_".to_owned()
                }
            })
            .collect();
        for c in ab["constraints"].as_array().cloned().unwrap_or_default() {
            let name = c["name"].as_str().unwrap_or("?");
            let args = generic_args(&c["args"]);
            let b = &c["binding"];
            if let Some(eq) = b.get("equality") {
                parts.push(format!("{name}{args} = {}", term(eq)));
            } else if let Some(cs) = b.get("constraint") {
                parts.push(format!("{name}{args}: {}", bounds(cs)));
            }
        }
        if parts.is_empty() {
            return String::new();
        }
        return format!("<{}>", parts.join(", "));
    }
    if let Some(p) = a.get("parenthesized") {
        let inputs: Vec<String> = p["inputs"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(ty)
            .collect();
        let out = match &p["output"] {
            Value::Null => String::new(),
            t => format!(" -> {}", ty(t)),
        };
        return format!("({}){out}", inputs.join(", "));
    }
    if a.get("return_type_notation").is_some() {
        return "(..)".to_owned();
    }
    String::new()
}

fn term(t: &Value) -> String {
    if let Some(ty_) = t.get("type") {
        ty(ty_)
    } else if let Some(c) = t.get("constant") {
        c["expr"].as_str().unwrap_or("_").to_owned()
    } else {
        ty(t)
    }
}

/// A type as Rust writes it.
fn ty(t: &Value) -> String {
    if let Some(p) = t.get("resolved_path") {
        return path_of(p);
    }
    if let Some(s) = t.get("generic").and_then(Value::as_str) {
        return s.to_owned();
    }
    if let Some(s) = t.get("primitive").and_then(Value::as_str) {
        return s.to_owned();
    }
    if let Some(r) = t.get("borrowed_ref") {
        let l = r["lifetime"]
            .as_str()
            .map(|l| format!("{l} "))
            .unwrap_or_default();
        let m = if r["is_mutable"] == true { "mut " } else { "" };
        return format!("&{l}{m}{}", ty(&r["type"]));
    }
    if let Some(r) = t.get("raw_pointer") {
        let m = if r["is_mutable"] == true {
            "mut"
        } else {
            "const"
        };
        return format!("*{m} {}", ty(&r["type"]));
    }
    if let Some(ts) = t.get("tuple").and_then(Value::as_array) {
        let parts: Vec<String> = ts.iter().map(ty).collect();
        return if parts.len() == 1 {
            format!("({},)", parts[0])
        } else {
            format!("({})", parts.join(", "))
        };
    }
    if let Some(s) = t.get("slice") {
        return format!("[{}]", ty(s));
    }
    if let Some(a) = t.get("array") {
        return format!("[{}; {}]", ty(&a["type"]), a["len"].as_str().unwrap_or("_"));
    }
    if let Some(b) = t.get("impl_trait") {
        return format!("impl {}", bounds(b));
    }
    if let Some(d) = t.get("dyn_trait") {
        let traits: Vec<String> = d["traits"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| format!("{}{}", hrtb(&p["generic_params"]), path_of(&p["trait"])))
            .collect();
        let l = d["lifetime"]
            .as_str()
            .map(|l| format!(" + {l}"))
            .unwrap_or_default();
        return format!("dyn {}{l}", traits.join(" + "));
    }
    if let Some(f) = t.get("function_pointer") {
        let sig = &f["sig"];
        let inputs: Vec<String> = sig["inputs"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| ty(&p[1]))
            .collect();
        let out = match &sig["output"] {
            Value::Null => String::new(),
            o => format!(" -> {}", ty(o)),
        };
        return format!(
            "{}fn({}){out}",
            hrtb(&f["generic_params"]),
            inputs.join(", ")
        );
    }
    if let Some(q) = t.get("qualified_path") {
        let self_ty = ty(&q["self_type"]);
        let name = q["name"].as_str().unwrap_or("?");
        let args = generic_args(&q["args"]);
        return match q.get("trait") {
            Some(tr) if !tr.is_null() => format!("<{self_ty} as {}>::{name}{args}", path_of(tr)),
            _ => format!("{self_ty}::{name}{args}"),
        };
    }
    if t == "infer" || t.get("infer").is_some() {
        return "_".to_owned();
    }
    if let Some(p) = t.get("pat") {
        return ty(&p["type"]);
    }
    t.to_string()
}
