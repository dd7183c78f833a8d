//! `leakguard proxy`: flags and `[proxy]` into routes, then serve until
//! SIGTERM or ctrl-c.

use std::{fs::OpenOptions, io::BufWriter, process::ExitCode, time::Duration};

use anyhow::Context;
use leakguard::{
    proxy::{self, ProxyBuilder, Route},
    Action, Category, Policy, RedactStyle,
};

use crate::{
    args::{CategoryArg, GlobalArgs, ProxyArgs},
    setup,
};

pub fn run(global: &GlobalArgs, args: &ProxyArgs) -> anyhow::Result<ExitCode> {
    let setup = setup::load(global, &[], false)?;
    let settings = setup.config.proxy_settings();
    let key = setup::fingerprint_key(&setup.config)?;
    let blocked: Vec<Category> = args
        .block
        .iter()
        .map(|c| match c {
            CategoryArg::Secret => Category::Secret,
            CategoryArg::Pii => Category::Pii,
            CategoryArg::Code => Category::Code,
            CategoryArg::Record => Category::Record,
            CategoryArg::Custom => Category::Custom,
        })
        .collect();
    let indexes = setup::load_indexes(&setup.config, &args.indexes)?;
    let scanner = |mut policy: Policy| {
        for c in &blocked {
            policy.category(*c, Action::Block);
        }
        let mut b = setup.builder();
        indexes.apply(&mut b);
        b.policy(policy)
            .allow_secrets(setup.config.allow_secrets())
            .fingerprint_key(key.clone())
            .build(&setup.rules)
    };

    let mut b = ProxyBuilder::new();
    let mut names = Vec::new();
    for spec in setup.config.proxy_routes() {
        let mut route =
            Route::new(&spec.name, &spec.upstream, scanner(spec.policy)?)?
                .style(spec.style);
        if let Some(p) = &spec.path_prefix {
            route = route.path_prefix(p);
        }
        if let Some(h) = &spec.host {
            route = route.host(h);
        }
        names.push(format!("{} -> {}", spec.name, spec.upstream));
        b.route(route);
    }
    if let Some(up) = args.upstream.as_ref().or(settings.upstream.as_ref()) {
        let style = setup.config.redact_style();
        b.route(
            Route::new("default", up, scanner(setup.config.filter_policy())?)?
                .style(style),
        );
        names.push(format!("default -> {up}"));
    }
    let restore = args.restore || settings.restore.unwrap_or(false);
    b.restore(restore)
        .fail_open(args.fail_open || settings.fail_open.unwrap_or(false));
    if let Some(path) =
        args.upstream_ca.as_ref().or(settings.upstream_ca.as_ref())
    {
        let pem = std::fs::read(path).with_context(|| {
            format!("cannot read upstream CA {}", path.display())
        })?;
        b.upstream_ca(&pem)
            .with_context(|| format!("in {}", path.display()))?;
    }
    if let Some(n) = args.max_body_bytes.or(settings.max_body_bytes) {
        b.max_body(n);
    }
    if let Some(s) = args.timeout.or(settings.timeout_secs) {
        b.timeout(Duration::from_secs(s));
    }
    if let Some(n) = args.max_concurrency.or(settings.max_concurrency) {
        b.max_concurrency(n);
    }
    if let Some(path) = args.audit_log.as_ref().or(settings.audit_log.as_ref())
    {
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| {
                format!("cannot open audit log {}", path.display())
            })?;
        b.audit_log(Box::new(BufWriter::new(f)));
    }
    let proxy = b.build().context(
        "nothing to proxy to: give --upstream URL or [[proxy.route]]s",
    )?;
    if restore && setup.config.redact_style() != RedactStyle::Placeholder {
        eprintln!(
            "leakguard: warning: --restore needs placeholder redaction; \
             values redacted in another style are not restored"
        );
    }

    let listen = match args.listen {
        Some(a) => a,
        None => settings
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8787")
            .parse()
            .context("bad [proxy] listen address")?,
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.enable_all().build().context("cannot start the runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        eprintln!(
            "leakguard: proxy listening on http://{}",
            listener.local_addr()?
        );
        for n in &names {
            eprintln!("leakguard:   route {n}");
        }
        proxy::run(listener, proxy, shutdown_signal()).await?;
        eprintln!("leakguard: proxy stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Completes on ctrl-c or, on Unix, SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
