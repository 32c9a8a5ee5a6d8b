//! Clauses and whole statements.

use super::expr::Expr;
use super::ident::write_labels;
use super::pattern::Pattern;
use super::render::{Rendered, Renderer};

/// One `SET` item.
#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    /// `target = value`, where the target is a property expression.
    Prop(Expr, Expr),
    /// `var = map`: replaces all properties.
    Replace(String, Expr),
    /// `var += map`: merges properties (a `null` removes the key).
    Merge(String, Expr),
    /// `var:Label1:Label2`.
    Labels(String, Vec<String>),
}

impl SetItem {
    fn render(&self, r: &mut Renderer) {
        match self {
            SetItem::Prop(target, value) => {
                target.render(r);
                r.push(" = ");
                value.render(r);
            }
            SetItem::Replace(var, e) | SetItem::Merge(var, e) => {
                r.name(var);
                r.push(if matches!(self, SetItem::Replace(..)) {
                    " = "
                } else {
                    " += "
                });
                e.render(r);
            }
            SetItem::Labels(var, labels) => {
                r.name(var);
                write_labels(r.out(), labels, ':');
            }
        }
    }
}

/// One sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// What to sort by.
    pub expr: Expr,
    /// Descending?
    pub descending: bool,
}

/// The items of `RETURN` or `WITH` with their modifiers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Projection {
    /// `DISTINCT`?
    pub distinct: bool,
    /// Items, each with an optional alias.
    pub items: Vec<(Expr, Option<String>)>,
    /// `ORDER BY`.
    pub order: Vec<OrderItem>,
    /// `SKIP` (a parameter).
    pub skip: Option<u64>,
    /// `LIMIT` (a parameter).
    pub limit: Option<u64>,
}

impl Projection {
    /// One item.
    pub fn of(expr: Expr, alias: Option<&str>) -> Self {
        Projection {
            items: vec![(expr, alias.map(str::to_owned))],
            ..Self::default()
        }
    }

    fn render(&self, r: &mut Renderer) {
        if self.distinct {
            r.push("DISTINCT ");
        }
        for (i, (e, alias)) in self.items.iter().enumerate() {
            if i > 0 {
                r.push(", ");
            }
            e.render(r);
            if let Some(a) = alias {
                r.push(" AS ");
                r.name(a);
            }
        }
        for (i, o) in self.order.iter().enumerate() {
            r.push(if i == 0 { " ORDER BY " } else { ", " });
            r.atom(&o.expr);
            if o.descending {
                r.push(" DESC");
            }
        }
        // SKIP and LIMIT take parameters, so even numbers are never text.
        if let Some(n) = self.skip {
            r.push(" SKIP ");
            r.value(clamp(n).into());
        }
        if let Some(n) = self.limit {
            r.push(" LIMIT ");
            r.value(clamp(n).into());
        }
    }
}

/// Cypher integers are `i64`; a larger skip or limit means "all".
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `[OPTIONAL] MATCH patterns [WHERE cond]`.
    Match {
        /// `OPTIONAL MATCH`?
        optional: bool,
        /// Comma-separated patterns.
        patterns: Vec<Pattern>,
        /// The condition.
        where_: Option<Expr>,
    },
    /// `MERGE pattern [ON CREATE SET ...] [ON MATCH SET ...]`.
    Merge {
        /// The pattern.
        pattern: Pattern,
        /// Set when it was created.
        on_create: Vec<SetItem>,
        /// Set when it was found.
        on_match: Vec<SetItem>,
    },
    /// `CREATE patterns`.
    Create(Vec<Pattern>),
    /// `SET items`.
    Set(Vec<SetItem>),
    /// `[DETACH] DELETE exprs`.
    Delete {
        /// `DETACH DELETE`?
        detach: bool,
        /// What to delete.
        exprs: Vec<Expr>,
    },
    /// `REMOVE items` (property expressions).
    Remove(Vec<Expr>),
    /// `FOREACH (var IN list | clauses)`: updates for each item of a list,
    /// used for conditional writes (`CASE WHEN ok THEN [true] ELSE [] END`).
    Foreach {
        /// The item variable.
        var: String,
        /// The list.
        list: Expr,
        /// Updating clauses.
        body: Vec<Clause>,
    },
    /// `UNWIND expr AS var`.
    Unwind(Expr, String),
    /// `CALL { [WITH imports] clauses }`: a subquery run once per incoming
    /// row, seeing only the imported variables; what it returns joins the
    /// row.
    Call {
        /// The outer variables it uses (`WITH a, b` at its start).
        imports: Vec<String>,
        /// Its clauses, ending with a `RETURN` (or none, for a unit
        /// subquery of writes).
        body: Vec<Clause>,
    },
    /// `WITH projection [WHERE cond]`.
    With(Projection, Option<Expr>),
    /// `RETURN projection`.
    Return(Projection),
}

impl Clause {
    fn render(&self, r: &mut Renderer) {
        match self {
            Clause::Match {
                optional,
                patterns,
                where_,
            } => {
                r.push(if *optional {
                    "OPTIONAL MATCH "
                } else {
                    "MATCH "
                });
                patterns_render(r, patterns);
                if let Some(w) = where_ {
                    r.push(" WHERE ");
                    w.render(r);
                }
            }
            Clause::Merge {
                pattern,
                on_create,
                on_match,
            } => {
                r.push("MERGE ");
                pattern.render(r);
                if !on_create.is_empty() {
                    r.push(" ON CREATE SET ");
                    set_items(r, on_create);
                }
                if !on_match.is_empty() {
                    r.push(" ON MATCH SET ");
                    set_items(r, on_match);
                }
            }
            Clause::Create(patterns) => {
                r.push("CREATE ");
                patterns_render(r, patterns);
            }
            Clause::Set(items) => {
                r.push("SET ");
                set_items(r, items);
            }
            Clause::Delete { detach, exprs } => {
                r.push(if *detach { "DETACH DELETE " } else { "DELETE " });
                for (i, e) in exprs.iter().enumerate() {
                    if i > 0 {
                        r.push(", ");
                    }
                    e.render(r);
                }
            }
            Clause::Remove(items) => {
                r.push("REMOVE ");
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        r.push(", ");
                    }
                    e.render(r);
                }
            }
            Clause::Foreach { var, list, body } => {
                r.push("FOREACH (");
                r.name(var);
                r.push(" IN ");
                list.render(r);
                r.push(" |");
                for c in body {
                    r.push(" ");
                    c.render(r);
                }
                r.push(")");
            }
            Clause::Call { imports, body } => {
                r.push("CALL {");
                if !imports.is_empty() {
                    r.push(" WITH ");
                    for (i, v) in imports.iter().enumerate() {
                        if i > 0 {
                            r.push(", ");
                        }
                        r.name(v);
                    }
                }
                for c in body {
                    r.push(" ");
                    c.render(r);
                }
                r.push(" }");
            }
            Clause::Unwind(e, var) => {
                r.push("UNWIND ");
                r.atom(e);
                r.push(" AS ");
                r.name(var);
            }
            Clause::With(p, where_) => {
                r.push("WITH ");
                p.render(r);
                if let Some(w) = where_ {
                    r.push(" WHERE ");
                    w.render(r);
                }
            }
            Clause::Return(p) => {
                r.push("RETURN ");
                p.render(r);
            }
        }
    }
}

fn patterns_render(r: &mut Renderer, patterns: &[Pattern]) {
    for (i, p) in patterns.iter().enumerate() {
        if i > 0 {
            r.push(", ");
        }
        p.render(r);
    }
}

fn set_items(r: &mut Renderer, items: &[SetItem]) {
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            r.push(", ");
        }
        s.render(r);
    }
}

/// A statement: clauses in order, rendered one per line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Statement {
    /// The clauses.
    pub clauses: Vec<Clause>,
}

impl Statement {
    /// An empty statement.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a clause.
    pub fn push(mut self, clause: Clause) -> Self {
        self.clauses.push(clause);
        self
    }

    /// Appends `MATCH pattern [WHERE cond]`.
    pub fn match_(self, pattern: impl Into<Pattern>, where_: Option<Expr>) -> Self {
        self.push(Clause::Match {
            optional: false,
            patterns: vec![pattern.into()],
            where_,
        })
    }

    /// Appends `RETURN projection`.
    pub fn return_(self, p: Projection) -> Self {
        self.push(Clause::Return(p))
    }

    /// The text and its parameters.
    pub fn render(&self) -> Rendered {
        let mut r = Renderer::default();
        for (i, c) in self.clauses.iter().enumerate() {
            if i > 0 {
                r.push("\n");
            }
            c.render(&mut r);
        }
        r.finish()
    }
}
