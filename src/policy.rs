//! Policy: what to do with each finding.

use std::collections::HashMap;

use crate::{
    finding::{Action, Category, Confidence},
    rules::Rule,
};

/// Decides the [`Action`] for each finding from its rule.
///
/// Precedence, first match wins: a per-rule override set here, the rule's
/// own `action` field, the action of the rule's category if it was set
/// with [`Policy::category`] (so `--block pii` blocks emails too), the
/// low-confidence action (for rules with `confidence = "low"`), then the
/// category's default action.
#[derive(Clone, Debug)]
pub struct Policy {
    /// One action per category, indexed as [`Category::ALL`].
    categories: [Action; Category::ALL.len()],
    /// Which categories were set rather than defaulted: those apply to
    /// their low-confidence rules too.
    chosen: [bool; Category::ALL.len()],
    low_confidence: Action,
    rules: HashMap<String, Action>,
}

impl Policy {
    /// Defaults for payloads leaving the company (`filter`, `proxy`): every
    /// finding is redacted, low-confidence ones too, since a redacted false
    /// alarm costs a prompt little; proprietary code is blocked, since
    /// redacting a copied function leaves the rest of it in the prompt.
    pub fn filter() -> Policy {
        let mut categories = [Action::Redact; Category::ALL.len()];
        categories[Category::Code as usize] = Action::Block;
        Policy {
            categories,
            chosen: [false; Category::ALL.len()],
            low_confidence: Action::Redact,
            rules: HashMap::new(),
        }
    }

    /// Defaults for `scan` and `hook`: every finding fails the run, but
    /// low-confidence ones are only reported, since a blocked commit over a
    /// false alarm costs a developer's trust.
    pub fn scan() -> Policy {
        Policy {
            categories: [Action::Block; Category::ALL.len()],
            chosen: [false; Category::ALL.len()],
            low_confidence: Action::Report,
            rules: HashMap::new(),
        }
    }

    /// Sets the action of a category, its low-confidence rules included.
    pub fn category(&mut self, c: Category, a: Action) -> &mut Policy {
        self.categories[c as usize] = a;
        self.chosen[c as usize] = true;
        self
    }

    /// Sets the action of low-confidence rules whose category keeps its
    /// default action.
    pub fn low_confidence(&mut self, a: Action) -> &mut Policy {
        self.low_confidence = a;
        self
    }

    /// Overrides the action of one rule.
    pub fn rule(&mut self, id: &str, a: Action) -> &mut Policy {
        self.rules.insert(id.to_string(), a);
        self
    }

    /// Sets every category and the low-confidence tier to `a`; per-rule
    /// overrides stay.
    pub fn all(&mut self, a: Action) -> &mut Policy {
        for c in Category::ALL {
            self.category(*c, a);
        }
        self.low_confidence = a;
        self
    }

    /// The action for a finding of `rule`.
    pub fn action_for(&self, rule: &Rule) -> Action {
        if let Some(a) = self.rules.get(rule.id()) {
            return *a;
        }
        if let Some(a) = rule.action() {
            return a;
        }
        self.tiered(rule.category(), rule.confidence())
    }

    /// The category's action if it was chosen, else the low-confidence
    /// tier's for low-confidence findings, else the category's default.
    fn tiered(&self, c: Category, confidence: Confidence) -> Action {
        if confidence == Confidence::Low && !self.chosen[c as usize] {
            return self.low_confidence;
        }
        self.category_action(c)
    }

    /// The action for a finding of the code or records index: a per-rule
    /// override under the category's name (`code`, `record`), then as for
    /// a rule's finding.
    pub fn index_action(&self, c: Category, confidence: Confidence) -> Action {
        if let Some(a) = self.rules.get(c.as_str()) {
            return *a;
        }
        self.tiered(c, confidence)
    }

    /// The action of a category (for findings that come from an index
    /// rather than a rule).
    pub fn category_action(&self, c: Category) -> Action {
        self.categories[c as usize]
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::filter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn rule(extra: &str) -> Rule {
        let text = format!(
            r#"[[rule]]
id = "r"
name = "r"
category = "pii"
severity = "low"
keywords = ["k"]
pattern = 'k\d'
examples = ["k1"]
negatives = ["k"]
{extra}"#
        );
        RuleSet::from_toml("t", &text).unwrap().rules()[0].clone()
    }

    #[test]
    fn precedence() {
        let mut p = Policy::scan();
        assert_eq!(p.action_for(&rule("")), Action::Block);
        let low = rule("confidence = \"low\"");
        assert_eq!(p.action_for(&low), Action::Report);
        let own = rule("confidence = \"low\"\naction = \"redact\"");
        assert_eq!(p.action_for(&own), Action::Redact);
        p.rule("r", Action::Allow);
        assert_eq!(p.action_for(&own), Action::Allow);
        let mut f = Policy::filter();
        f.all(Action::Block);
        assert_eq!(f.action_for(&low), Action::Block);
    }

    #[test]
    fn a_chosen_category_covers_its_low_confidence_rules() {
        let low = rule("confidence = \"low\"");
        let mut p = Policy::filter();
        assert_eq!(p.action_for(&low), Action::Redact);
        p.category(Category::Secret, Action::Block);
        assert_eq!(p.action_for(&low), Action::Redact, "another category");
        p.category(Category::Pii, Action::Block);
        assert_eq!(p.action_for(&low), Action::Block);
        assert_eq!(
            p.index_action(Category::Pii, Confidence::Low),
            Action::Block
        );
        // The tier still decides for categories left at their default.
        let mut s = Policy::scan();
        s.low_confidence(Action::Block);
        assert_eq!(s.action_for(&low), Action::Block);
        s.category(Category::Pii, Action::Report);
        assert_eq!(s.action_for(&low), Action::Report);
    }

    #[test]
    fn categories_are_independent() {
        let mut p = Policy::filter();
        assert_eq!(p.category_action(Category::Code), Action::Block);
        assert_eq!(p.category_action(Category::Record), Action::Redact);
        p.category(Category::Record, Action::Report);
        for c in Category::ALL {
            let want = match c {
                Category::Record => Action::Report,
                Category::Code => Action::Block,
                _ => Action::Redact,
            };
            assert_eq!(p.category_action(*c), want, "{c}");
        }
    }
}
