//! Expressions: property lookups, comparisons, boolean logic, function
//! calls and `EXISTS` subqueries. A user value is only ever an
//! [`Expr::Value`], which renders as a generated parameter (`$p0`, `$p1`,
//! ...), never as text.

use boltline::Value;

use super::pattern::Pattern;
use super::render::Renderer;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Lte,
    /// `>=`
    Gte,
    /// `IN`
    In,
    /// `STARTS WITH`
    StartsWith,
    /// `ENDS WITH`
    EndsWith,
    /// `CONTAINS`
    Contains,
    /// `=~` (regular expression match)
    Regex,
    /// `-` (subtraction)
    Minus,
}

impl BinOp {
    fn text(self) -> &'static str {
        match self {
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Lte => "<=",
            BinOp::Gte => ">=",
            BinOp::In => "IN",
            BinOp::StartsWith => "STARTS WITH",
            BinOp::EndsWith => "ENDS WITH",
            BinOp::Contains => "CONTAINS",
            BinOp::Regex => "=~",
            BinOp::Minus => "-",
        }
    }
}

/// A Cypher expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A variable bound by a pattern, `UNWIND` or `WITH`.
    Var(String),
    /// `expr.key`.
    Prop(Box<Expr>, String),
    /// A value: rendered as a fresh parameter `$pN`, the value going to the
    /// parameter map.
    Value(Value),
    /// A named parameter the caller supplies (`$self`, `$rows`).
    Param(String),
    /// `lhs op rhs`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// All of them (`TRUE` when empty).
    And(Vec<Expr>),
    /// Any of them (`FALSE` when empty).
    Or(Vec<Expr>),
    /// `NOT expr`.
    Not(Box<Expr>),
    /// `expr IS NULL` (or `IS NOT NULL` when the flag is false).
    IsNull(Box<Expr>, bool),
    /// A function call; the name comes from code (`toLower`, `elementId`,
    /// `count`).
    Func(&'static str, Vec<Expr>),
    /// `count(DISTINCT expr)`, `collect(DISTINCT expr)` and the like.
    FuncDistinct(&'static str, Box<Expr>),
    /// `count(*)`.
    CountStar,
    /// A map literal whose values are expressions.
    Map(Vec<(String, Expr)>),
    /// A list literal whose items are expressions.
    List(Vec<Expr>),
    /// `EXISTS { MATCH pattern WHERE cond }`.
    Exists(Box<Pattern>, Option<Box<Expr>>),
    /// `COUNT { MATCH pattern WHERE cond }`.
    CountSubquery(Box<Pattern>, Option<Box<Expr>>),
    /// `[pattern WHERE cond | expr]`: a list built from the matches of a
    /// pattern, in the same query.
    PatternComprehension(Box<Pattern>, Option<Box<Expr>>, Box<Expr>),
    /// A boolean literal (from code, never from a user).
    Bool(bool),
    /// `var:Label1:Label2`: whether the node has all these labels (in
    /// `WHERE`), or the labels to take off (in `REMOVE`).
    HasLabels(String, Vec<String>),
    /// `CASE WHEN cond THEN a ELSE b END`.
    Case(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// A variable.
    pub fn var(name: impl Into<String>) -> Expr {
        Expr::Var(name.into())
    }

    /// A user value, to be sent as a parameter.
    pub fn value(v: impl Into<Value>) -> Expr {
        Expr::Value(v.into())
    }

    /// A named parameter.
    pub fn param(name: impl Into<String>) -> Expr {
        Expr::Param(name.into())
    }

    /// `self.key`.
    pub fn prop(self, key: impl Into<String>) -> Expr {
        Expr::Prop(Box::new(self), key.into())
    }

    /// `self op rhs`.
    pub fn binary(self, op: BinOp, rhs: Expr) -> Expr {
        Expr::Binary(op, Box::new(self), Box::new(rhs))
    }

    /// `self = rhs`.
    pub fn eq(self, rhs: Expr) -> Expr {
        self.binary(BinOp::Eq, rhs)
    }

    /// `self IS NULL`.
    pub fn is_null(self) -> Expr {
        Expr::IsNull(Box::new(self), true)
    }

    /// `self IS NOT NULL`.
    pub fn is_not_null(self) -> Expr {
        Expr::IsNull(Box::new(self), false)
    }

    /// `f(self)`.
    pub fn call(self, f: &'static str) -> Expr {
        Expr::Func(f, vec![self])
    }

    /// `elementId(var) = $pN`: the node or relationship with this id.
    pub fn element_id_is(var: &str, id: impl Into<String>) -> Expr {
        Expr::Func("elementId", vec![Expr::var(var)]).eq(Expr::Value(Value::String(id.into())))
    }

    pub(crate) fn render(&self, r: &mut Renderer) {
        match self {
            Expr::Var(name) => r.name(name),
            Expr::Prop(e, key) => {
                r.atom(e);
                r.push(".");
                r.name(key);
            }
            Expr::Value(v) => r.value(v.clone()),
            Expr::Param(name) => r.param(name),
            Expr::Binary(op, lhs, rhs) => {
                r.atom(lhs);
                r.push(" ");
                r.push(op.text());
                r.push(" ");
                r.atom(rhs);
            }
            Expr::And(items) => r.join_bool(items, " AND ", "true"),
            Expr::Or(items) => r.join_bool(items, " OR ", "false"),
            Expr::Not(e) => {
                r.push("NOT ");
                r.atom(e);
            }
            Expr::IsNull(e, null) => {
                r.atom(e);
                r.push(if *null { " IS NULL" } else { " IS NOT NULL" });
            }
            Expr::Func(f, args) => {
                r.push(f);
                r.push("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        r.push(", ");
                    }
                    a.render(r);
                }
                r.push(")");
            }
            Expr::FuncDistinct(f, e) => {
                r.push(f);
                r.push("(DISTINCT ");
                e.render(r);
                r.push(")");
            }
            Expr::CountStar => r.push("count(*)"),
            Expr::Map(entries) => render_map(r, entries),
            Expr::List(items) => {
                r.push("[");
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        r.push(", ");
                    }
                    v.render(r);
                }
                r.push("]");
            }
            Expr::PatternComprehension(p, cond, e) => {
                r.push("[");
                p.render(r);
                if let Some(c) = cond {
                    r.push(" WHERE ");
                    c.render(r);
                }
                r.push(" | ");
                e.render(r);
                r.push("]");
            }
            Expr::Bool(b) => r.push(if *b { "true" } else { "false" }),
            Expr::HasLabels(var, labels) => {
                r.name(var);
                super::ident::write_labels(r.out(), labels, ':');
            }
            Expr::Case(cond, then, otherwise) => {
                r.push("CASE WHEN ");
                cond.render(r);
                r.push(" THEN ");
                then.render(r);
                r.push(" ELSE ");
                otherwise.render(r);
                r.push(" END");
            }
            Expr::Exists(p, cond) => subquery(r, "EXISTS", p, cond.as_deref()),
            Expr::CountSubquery(p, cond) => subquery(r, "COUNT", p, cond.as_deref()),
        }
    }

    /// Whether the expression needs parentheses when nested in another.
    pub(crate) fn is_compound(&self) -> bool {
        match self {
            Expr::Binary(..) | Expr::Not(_) | Expr::IsNull(..) => true,
            Expr::And(items) | Expr::Or(items) => items.len() != 1,
            _ => false,
        }
    }
}

/// `!expr` is `NOT expr`.
/// Renders `{key: value, ...}`: a map literal, or a pattern's properties.
pub(crate) fn render_map(r: &mut Renderer, entries: &[(String, Expr)]) {
    r.push("{");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            r.push(", ");
        }
        r.name(k);
        r.push(": ");
        v.render(r);
    }
    r.push("}");
}

impl std::ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
}

fn subquery(r: &mut Renderer, kw: &str, p: &Pattern, cond: Option<&Expr>) {
    r.push(kw);
    r.push(" { MATCH ");
    p.render(r);
    if let Some(c) = cond {
        r.push(" WHERE ");
        c.render(r);
    }
    r.push(" }");
}
