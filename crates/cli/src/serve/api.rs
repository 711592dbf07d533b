//! The explorer's HTTP routes (JSON) and the page's files, compiled into the binary.
//!
//! | route | does |
//! |---|---|
//! | `GET /` and `/app.js`, `/style.css`, `/vendor/...` | the page (no CDN: everything is here) |
//! | `POST /api/session` | a new session: its own booted kernel and shell → `{id, ...}` |
//! | `POST /api/session/{id}/command` `{line, view?}` | run one input line → output and the new state |
//! | `GET /api/session/{id}/state?step=K&view=V` | the state after command K (default: the last) |
//! | `POST /api/session/{id}/continue` `{step, view?}` | drop the commands after K (replayed) |
//! | `DELETE /api/session/{id}` | end the session |
//!
//! Errors are 4xx with a one-line text body: 400 malformed, 404 unknown session or step, 409 the
//! session is busy with another command, 413 body or line too long, 415 not JSON, 422 wrong
//! fields, 429 too many sessions or too many commands, 403 a `Host` that is not a loopback name; a 500 only if a command panicked the
//! simulator (the session is then dropped and every other session keeps working).

use super::timeline::{Gauge, TraceNode};
use super::{App, Entry, Session};
use crate::dot::{VIEWS, View};
use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::Ordering;

const INDEX_HTML: &str = include_str!("../../web/index.html");
const APP_JS: &str = include_str!("../../web/app.js");
const STYLE_CSS: &str = include_str!("../../web/style.css");
const XTERM_JS: &str = include_str!("../../web/vendor/xterm.js");
const XTERM_CSS: &str = include_str!("../../web/vendor/xterm.css");
const FIT_JS: &str = include_str!("../../web/vendor/addon-fit.js");
const VENDOR_LICENSE: &str = include_str!("../../web/vendor/LICENSE");

/// The router of the explorer.
pub fn router(app: Arc<App>) -> Router {
    let body = app.limits.max_body;
    Router::new()
        .route("/", get(|| file("text/html; charset=utf-8", INDEX_HTML)))
        .route("/app.js", get(|| file("text/javascript", APP_JS)))
        .route("/style.css", get(|| file("text/css", STYLE_CSS)))
        .route(
            "/vendor/xterm.js",
            get(|| file("text/javascript", XTERM_JS)),
        )
        .route("/vendor/xterm.css", get(|| file("text/css", XTERM_CSS)))
        .route(
            "/vendor/addon-fit.js",
            get(|| file("text/javascript", FIT_JS)),
        )
        .route(
            "/vendor/LICENSE",
            get(|| file("text/plain", VENDOR_LICENSE)),
        )
        .route("/api/session", post(create))
        .route("/api/session/{id}", delete(end))
        .route("/api/session/{id}/command", post(command))
        .route("/api/session/{id}/state", get(state))
        .route("/api/session/{id}/continue", post(continue_from))
        .layer(DefaultBodyLimit::max(body))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            check_host,
        ))
        .with_state(app)
}

/// Refuse requests addressed to a host name other than the loopback's (see
/// [`Limits::loopback_hosts_only`](super::Limits::loopback_hosts_only)).
async fn check_host(
    State(app): State<Arc<App>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if app.limits.loopback_hosts_only {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let name = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => host.split(':').next().unwrap_or(""),
        };
        if !matches!(name, "127.0.0.1" | "localhost" | "::1") {
            return err(
                StatusCode::FORBIDDEN,
                format!("host '{host}' is not this machine's loopback address"),
            );
        }
    }
    next.run(req).await
}

async fn file(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// An error answer: a status and one line of text.
type Reject = (StatusCode, String);

fn rej(code: StatusCode, msg: impl Into<String>) -> Reject {
    (code, format!("{}\n", msg.into()))
}

fn err(code: StatusCode, msg: impl Into<String>) -> Response {
    rej(code, msg).into_response()
}

/// What the page needs to draw one step.
#[derive(Serialize)]
pub struct StateOut {
    /// The step shown.
    pub step: usize,
    /// The session's last step.
    pub last: usize,
    pub command: String,
    pub output: String,
    pub status: i32,
    pub gauges: Vec<Gauge>,
    pub trace: Vec<TraceNode>,
    /// The view drawn, and its SVG.
    pub view: &'static str,
    pub svg: String,
    /// The public cross-referencer's URL for a function, with `IDENT` to replace.
    pub xref: String,
    /// The shell's prompt now (`PS1` as the terminal REPL shows it: user, host and working
    /// directory), which the page prints before the next line.
    pub prompt: String,
}

fn state_of(s: &Session, step: usize, view: View) -> Option<StateOut> {
    let at = s.at(step)?;
    Some(StateOut {
        step,
        last: s.step(),
        command: at.command.clone(),
        output: at.output.clone(),
        status: at.status,
        gauges: at.gauges.clone(),
        trace: at.trace.clone(),
        view: view.name(),
        svg: s.view_svg(step, view)?,
        xref: crate::trace::xref_url(&crate::trace::kernel_version(s.shell().kernel()), "IDENT"),
        prompt: crate::repl::prompt(s.shell()),
    })
}

fn parse_view(v: Option<&str>) -> Result<View, Reject> {
    match v {
        None => Ok(View::Sets),
        Some(name) => View::parse(name).ok_or_else(|| {
            let names: Vec<&str> = VIEWS.iter().map(|(n, _)| *n).collect();
            rej(
                StatusCode::BAD_REQUEST,
                format!("unknown view '{name}' (views: {})", names.join(", ")),
            )
        }),
    }
}

/// Counts a command worker until its thread is done (even after its request gave up on it).
struct Worker(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Worker {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Marks a session busy for the lifetime of a request; a second request answers 409.
struct Busy(Arc<Entry>);

impl Busy {
    fn take(e: Arc<Entry>) -> Result<Busy, Reject> {
        if e.busy
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(rej(
                StatusCode::CONFLICT,
                "the session is busy with another command",
            ));
        }
        Ok(Busy(e))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.store(false, Ordering::Release);
    }
}

/// What every request on a session does first, in this order: the view it asks for, the
/// session, and the session's one command slot (409 while another request holds it).
fn claim(app: &App, id: &str, view: Option<&str>) -> Result<(View, Busy), Reject> {
    let view = parse_view(view)?;
    let busy = Busy::take(lookup(app, id)?)?;
    Ok((view, busy))
}

fn lookup(app: &App, id: &str) -> Result<Arc<Entry>, Reject> {
    app.get(id)
        .ok_or_else(|| rej(StatusCode::NOT_FOUND, format!("no session {id}")))
}

#[derive(Serialize)]
struct Created {
    id: String,
    views: Vec<&'static str>,
    state: StateOut,
    /// The line the terminal REPL prints first (`uname::banner`).
    banner: String,
}

async fn create(State(app): State<Arc<App>>) -> Response {
    app.expire();
    if app.len() >= app.limits.max_sessions {
        return err(StatusCode::TOO_MANY_REQUESTS, "too many sessions");
    }
    let params = app.params.clone();
    let booted = tokio::task::spawn_blocking(move || {
        let s = Session::new(params);
        let st = state_of(&s, 0, View::Sets);
        let banner = crate::commands::uname::banner(s.shell().kernel());
        (s, st, banner)
    })
    .await;
    let Ok((s, Some(state), banner)) = booted else {
        return err(StatusCode::INTERNAL_SERVER_ERROR, "the kernel did not boot");
    };
    match app.insert(s) {
        Some(id) => Json(Created {
            id,
            views: VIEWS.iter().map(|(n, _)| *n).collect(),
            state,
            banner,
        })
        .into_response(),
        None => err(StatusCode::TOO_MANY_REQUESTS, "too many sessions"),
    }
}

async fn end(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    if app.remove(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        err(StatusCode::NOT_FOUND, format!("no session {id}"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandIn {
    line: String,
    view: Option<String>,
}

#[derive(Serialize)]
struct CommandOut {
    #[serde(flatten)]
    ran: super::Ran,
    /// The command ran past the time bound and was stopped; the session went back.
    timed_out: bool,
    /// The new state (absent while the command is incomplete).
    state: Option<StateOut>,
}

async fn command(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Json(input): Json<CommandIn>,
) -> Response {
    if input.line.len() > app.limits.max_line {
        return err(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the line is longer than {} bytes", app.limits.max_line),
        );
    }
    if input.line.contains('\n') {
        return err(
            StatusCode::BAD_REQUEST,
            "one line per request (the page sends a pasted block line by line)",
        );
    }
    let (view, busy) = match claim(&app, &id, input.view.as_deref()) {
        Ok(x) => x,
        Err(r) => return r.into_response(),
    };
    let entry = Arc::clone(&busy.0);
    if entry
        .commands
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .len()
        >= app.limits.max_steps
    {
        return err(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "the session has run {} commands, its limit; continue from an earlier step or open a new tab",
                app.limits.max_steps
            ),
        );
    }
    if app.workers.fetch_add(1, Ordering::AcqRel) >= app.limits.max_workers {
        app.workers.fetch_sub(1, Ordering::AcqRel);
        return err(
            StatusCode::TOO_MANY_REQUESTS,
            "the server is running as many commands as it may; try again",
        );
    }
    let worker = Worker(app.workers.clone());
    entry.interrupt.store(false, Ordering::Relaxed);
    let worker_entry = entry.clone();
    let line = input.line;
    let job = tokio::task::spawn_blocking(move || {
        let _worker = worker;
        let mut s = worker_entry
            .session
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let ran = s.run_line(&line);
        let state = if ran.more {
            None
        } else {
            state_of(&s, ran.step, view)
        };
        *worker_entry
            .commands
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = s.commands();
        (ran, state)
    });
    match tokio::time::timeout(app.limits.command_time, job).await {
        Ok(Ok((ran, state))) => {
            if ran.exited {
                app.remove(&id);
            }
            drop(busy);
            Json(CommandOut {
                ran,
                timed_out: false,
                state,
            })
            .into_response()
        }
        Ok(Err(_panicked)) => {
            app.remove(&id);
            err(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the simulator failed on this command; the session is closed",
            )
        }
        Err(_elapsed) => {
            // Stop the shell at its next command; its thread finishes on its own and its
            // result is dropped. The session goes back to the state before the command.
            entry.interrupt.store(true, Ordering::Relaxed);
            let commands = entry
                .commands
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let params = app.params.clone();
            let rebuilt = tokio::task::spawn_blocking(move || {
                let s = Session::replay(params, &commands);
                let st = state_of(&s, s.step(), view);
                (s, st)
            })
            .await;
            let Ok((s, Some(state))) = rebuilt else {
                app.remove(&id);
                return err(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the session could not be rebuilt",
                );
            };
            let step = s.step();
            app.replace(&id, s);
            let secs = app.limits.command_time.as_secs_f64();
            Json(CommandOut {
                ran: super::Ran {
                    output: format!(
                        "cgsim serve: the command ran longer than {secs} s and was stopped; the session is back at step {step}\n"
                    ),
                    status: 130,
                    more: false,
                    step,
                    exited: false,
                },
                timed_out: true,
                state: Some(state),
            })
            .into_response()
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateQuery {
    step: Option<usize>,
    view: Option<String>,
}

async fn state(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(q): Query<StateQuery>,
) -> Response {
    let (view, busy) = match claim(&app, &id, q.view.as_deref()) {
        Ok(x) => x,
        Err(r) => return r.into_response(),
    };
    let job = tokio::task::spawn_blocking(move || {
        let s = busy.0.session.lock().unwrap_or_else(|e| e.into_inner());
        let step = q.step.unwrap_or(s.step());
        state_of(&s, step, view)
    });
    match job.await {
        Ok(Some(st)) => Json(st).into_response(),
        Ok(None) => err(StatusCode::NOT_FOUND, "no such step"),
        Err(_) => err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the view could not be drawn",
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContinueIn {
    step: usize,
    view: Option<String>,
}

async fn continue_from(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Json(input): Json<ContinueIn>,
) -> Response {
    let (view, busy) = match claim(&app, &id, input.view.as_deref()) {
        Ok(x) => x,
        Err(r) => return r.into_response(),
    };
    let job = tokio::task::spawn_blocking(move || {
        let s = busy.0.session.lock().unwrap_or_else(|e| e.into_inner());
        let new = s.continue_from(input.step)?;
        let st = state_of(&new, new.step(), view)?;
        Some((new, st))
    });
    // A replay runs commands that each finished within the bound once already; it gets the
    // bound once per command.
    let bound = app.limits.command_time * (input.step.min(app.limits.max_steps) as u32 + 1);
    match tokio::time::timeout(bound, job).await {
        Ok(Ok(Some((new, st)))) => {
            app.replace(&id, new);
            Json(st).into_response()
        }
        Ok(Ok(None)) => err(StatusCode::NOT_FOUND, "no such step"),
        _ => err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the replay did not finish; the session is unchanged",
        ),
    }
}
