//! Patterns: `(n:Label {key: $p0})-[r:TYPE]->(m)`.

use super::expr::{render_map, Expr};
use super::ident::write_labels;
use super::render::Renderer;

/// Which way a relationship in a pattern points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `-[]->`: from the left node to the right one.
    Outgoing,
    /// `<-[]-`: from the right node to the left one.
    Incoming,
    /// `-[]-`: either way.
    Either,
}

/// `(var:Labels {props})`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodePattern {
    /// The variable, if any.
    pub var: Option<String>,
    /// Labels, all required.
    pub labels: Vec<String>,
    /// Inline property equalities (values are expressions, so parameters).
    pub props: Vec<(String, Expr)>,
}

impl NodePattern {
    /// `(var)`.
    pub fn var(var: impl Into<String>) -> Self {
        NodePattern {
            var: Some(var.into()),
            ..Self::default()
        }
    }

    /// `(var:Labels)`.
    pub fn labelled<S: AsRef<str>>(var: impl Into<String>, labels: &[S]) -> Self {
        NodePattern {
            var: Some(var.into()),
            labels: labels.iter().map(|l| l.as_ref().to_owned()).collect(),
            props: Vec::new(),
        }
    }

    /// Without its variable: `(:Labels)`.
    pub fn anonymous(mut self) -> Self {
        self.var = None;
        self
    }

    /// Adds an inline property equality.
    pub fn with_prop(mut self, key: impl Into<String>, value: Expr) -> Self {
        self.props.push((key.into(), value));
        self
    }

    fn render(&self, r: &mut Renderer) {
        r.push("(");
        if let Some(v) = &self.var {
            r.name(v);
        }
        write_labels(r.out(), &self.labels, ':');
        render_props(r, &self.props);
        r.push(")");
    }
}

/// `-[var:TYPE {props}]->`.
#[derive(Debug, Clone, PartialEq)]
pub struct RelPattern {
    /// The variable, if any.
    pub var: Option<String>,
    /// Allowed types (any of them; none for any type).
    pub types: Vec<String>,
    /// Direction.
    pub direction: Direction,
    /// Inline property equalities.
    pub props: Vec<(String, Expr)>,
}

impl RelPattern {
    /// A relationship of one type.
    pub fn new(var: Option<&str>, rel_type: impl Into<String>, direction: Direction) -> Self {
        RelPattern {
            var: var.map(str::to_owned),
            types: vec![rel_type.into()],
            direction,
            props: Vec::new(),
        }
    }

    fn render(&self, r: &mut Renderer) {
        r.push(if self.direction == Direction::Incoming {
            "<-["
        } else {
            "-["
        });
        if let Some(v) = &self.var {
            r.name(v);
        }
        write_labels(r.out(), &self.types, '|');
        render_props(r, &self.props);
        r.push(if self.direction == Direction::Outgoing {
            "]->"
        } else {
            "]-"
        });
    }
}

fn render_props(r: &mut Renderer, props: &[(String, Expr)]) {
    if props.is_empty() {
        return;
    }
    r.push(" ");
    render_map(r, props);
}

/// A path pattern: a node, then relationship and node steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The first node.
    pub start: NodePattern,
    /// The steps that follow it.
    pub steps: Vec<(RelPattern, NodePattern)>,
}

impl Pattern {
    /// A pattern of one node.
    pub fn node(start: NodePattern) -> Self {
        Pattern {
            start,
            steps: Vec::new(),
        }
    }

    /// Adds a step.
    pub fn then(mut self, rel: RelPattern, node: NodePattern) -> Self {
        self.steps.push((rel, node));
        self
    }

    pub(crate) fn render(&self, r: &mut Renderer) {
        self.start.render(r);
        for (rel, node) in &self.steps {
            rel.render(r);
            node.render(r);
        }
    }
}

impl From<NodePattern> for Pattern {
    fn from(n: NodePattern) -> Self {
        Pattern::node(n)
    }
}
