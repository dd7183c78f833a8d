//! The built-in rules test themselves, and the pack covers what it must.

use std::collections::BTreeSet;

use leakguard::{
    check_examples, Category, Check, Prefilter, RuleSet, Scanner,
};

#[test]
fn every_builtin_example_matches_and_every_negative_does_not() {
    let rules = RuleSet::builtin();
    let report = check_examples(&rules).unwrap();
    let failures: Vec<String> =
        report.failures.iter().map(|f| f.to_string()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(report.rules, rules.len());
}

#[test]
fn every_builtin_pattern_compiles() {
    // Built-in patterns compile lazily at run time; this is where a pattern
    // over the size limit would be caught.
    let mut b = RuleSet::builder();
    b.eager(true);
    let rules = b.build().unwrap();
    let lazy = RuleSet::builtin();
    assert_eq!(rules.len(), lazy.len());
    // The shapes build.rs precomputed for lazy loading agree with a parse.
    for (a, b) in rules.rules().iter().zip(lazy.rules()) {
        assert_eq!(a.id(), b.id());
        assert_eq!(a.max_len(), b.max_len(), "{}", a.id());
        assert_eq!(a.secret_group(), b.secret_group(), "{}", a.id());
    }
}

#[test]
fn the_pack_is_wide_enough_and_uses_every_check() {
    let rules = RuleSet::builtin();
    assert!(rules.len() >= 60, "only {} rules", rules.len());
    let checks: BTreeSet<&str> =
        rules.rules().iter().map(|r| r.check().name()).collect();
    for c in Check::ALL {
        assert!(checks.contains(c.name()), "no rule uses check {}", c.name());
    }
    for cat in [Category::Secret, Category::Pii] {
        assert!(rules.rules().iter().any(|r| r.category() == cat));
    }
    assert!(rules.rules().iter().any(|r| r.min_entropy().is_some()));
    assert!(rules
        .rules()
        .iter()
        .any(|r| matches!(r.prefilter(), Prefilter::Digits { .. })));
    for r in rules.rules() {
        assert!(
            !r.examples().is_empty() && !r.negatives().is_empty(),
            "{}",
            r.id()
        );
    }
}

#[test]
fn scanner_and_findings_are_thread_safe() {
    fn assert_all<
        T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe,
    >() {
    }
    assert_all::<Scanner>();
    assert_all::<RuleSet>();
    assert_all::<leakguard::Finding>();
    fn assert_send<T: Send>() {}
    assert_send::<leakguard::Scratch>();
}
