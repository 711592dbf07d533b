// cgsim explorer: the page's logic. A terminal (xterm.js) runs one line at a time through
// the server's session; after each command the view, the memcg gauges and the trace are
// redrawn; the timeline shows the state after any earlier command.
"use strict";

const VIEW_HELP = {
  hierarchy: "Each mounted hierarchy (cgroupfs_root) with its tree of cgroups and each cgroup's css per subsystem.",
  css: "The per-subsystem states: a mem_cgroup embeds its cgroup_subsys_state (container_of).",
  sets: "Tasks point at one css_set; a css_set holds one css pointer per subsystem (subsys[]). Tasks in the same cgroups share a css_set.",
  links: "css_set ↔ cg_cgroup_link ↔ cgroup: one link per hierarchy, many-to-many.",
  memcg: "Each mem_cgroup's counters (usage, limit, max_usage, failcnt), thresholds, OOM state and LRU lists.",
  events: "cgroup_event registrations: control file → eventfd → the task listening.",
  all: "Everything at once.",
};

const S = {
  id: null,
  view: "sets",
  last: 0,      // the session's last step
  shown: 0,     // the step shown on the right
  history: [],  // [{command, status}] for steps 1..last
  lineHistory: [], // typed lines, for the arrow keys
  histPos: 0,
  xref: "",
  prompt: "# ", // replaced by the server's PS1 with the first state
};

const el = (id) => document.getElementById(id);

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["content-type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  if (!r.ok) {
    const text = await r.text();
    const e = new Error(text.trim() || r.statusText);
    e.status = r.status;
    throw e;
  }
  return r.status === 204 ? null : r.json();
}

// ---- terminal -----------------------------------------------------------------------------

const term = new Terminal({
  convertEol: true,
  cursorBlink: true,
  fontSize: 14,
  scrollback: 5000,
  theme: { background: "#1e1e1e" },
});
const fit = new FitAddon.FitAddon();
term.loadAddon(fit);
term.open(el("term"));
fit.fit();
window.addEventListener("resize", () => fit.fit());
window.cgsimTerm = term; // for the browser test

let line = "";      // the line being edited
let cursor = 0;     // position in it
let queue = "";     // input not yet consumed (type-ahead and pastes)
let running = false;
let more = false;   // the shell waits for the rest of a command

// PS1 as the terminal REPL shows it (user@host:cwd# ), from the server after each command;
// PS2 while a command is incomplete.
function promptText() { return more ? "> " : S.prompt; }
function prompt() { term.write(promptText()); }

function redrawLine() {
  term.write("\r\x1b[K" + promptText() + line);
  const back = line.length - cursor;
  if (back > 0) term.write(`\x1b[${back}D`);
}

term.onData((data) => { queue += data; pump(); });

// Consume queued input until a line has to run; a pasted block runs one line at a time,
// each line shown with its output before the next one.
function pump() {
  while (!running && queue.length > 0) {
    const esc = queue.match(/^\x1b\[([ABCDHF]|[0-9]~)/);
    if (esc) {
      queue = queue.slice(esc[0].length);
      key(esc[1]);
      continue;
    }
    if (queue[0] === "\x1b") { queue = queue.slice(1); continue; }
    const ch = queue[0];
    queue = queue.slice(1);
    if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && queue[0] === "\n") queue = queue.slice(1);
      term.write("\r\n");
      submit(line);
      line = ""; cursor = 0;
    } else if (ch === "\x7f" || ch === "\b") {
      if (cursor > 0) { line = line.slice(0, cursor - 1) + line.slice(cursor); cursor--; redrawLine(); }
    } else if (ch === "\x03") {
      term.write("^C\r\n"); line = ""; cursor = 0; more = false; queue = ""; prompt();
    } else if (ch === "\x0c") {
      term.clear();
    } else if (ch === "\x01") { cursor = 0; redrawLine(); }
    else if (ch === "\x05") { cursor = line.length; redrawLine(); }
    else if (ch === "\x15") { line = line.slice(cursor); cursor = 0; redrawLine(); }
    else if (ch === "\t") { /* no completion here */ }
    else if (ch >= " ") {
      line = line.slice(0, cursor) + ch + line.slice(cursor);
      cursor++;
      if (cursor === line.length) term.write(ch); else redrawLine();
    }
  }
}

function key(k) {
  if (k === "A" || k === "B") {
    if (S.lineHistory.length === 0) return;
    S.histPos = Math.max(0, Math.min(S.lineHistory.length, S.histPos + (k === "A" ? -1 : 1)));
    line = S.lineHistory[S.histPos] ?? "";
    cursor = line.length;
    redrawLine();
  } else if (k === "C") { if (cursor < line.length) { cursor++; term.write("\x1b[C"); } }
  else if (k === "D") { if (cursor > 0) { cursor--; term.write("\x1b[D"); } }
  else if (k === "H" || k === "1~") { cursor = 0; redrawLine(); }
  else if (k === "F" || k === "4~") { cursor = line.length; redrawLine(); }
  else if (k === "3~") { if (cursor < line.length) { line = line.slice(0, cursor) + line.slice(cursor + 1); redrawLine(); } }
}

async function submit(text) {
  if (text.trim() !== "") {
    S.lineHistory.push(text);
  }
  S.histPos = S.lineHistory.length;
  running = true;
  try {
    const r = await api("POST", `/api/session/${S.id}/command`, { line: text, view: S.view });
    if (r.output) term.write(r.output);
    more = r.more;
    if (r.state) {
      if (r.timed_out) {
        S.history = S.history.slice(0, r.step);
      } else {
        S.history.push({ command: r.state.command, status: r.status });
      }
      S.last = r.step;
      show(r.state);
    }
    if (r.exited) {
      term.write("\r\n[the shell exited: reload the page for a new kernel]\r\n");
      return; // stays "running": no more input
    }
  } catch (e) {
    term.write(`\x1b[31mcgsim serve: ${e.message}\x1b[0m\r\n`);
    if (e.status === 404) {
      term.write("[the session is gone (idle too long?): reload the page for a new kernel]\r\n");
      return;
    }
  }
  running = false;
  prompt();
  // A tab clicked while the command ran: draw the view now chosen.
  if (S.drawnView !== S.view) showStep(S.shown);
  pump();
}

// ---- the state on the right ----------------------------------------------------------------

function show(st) {
  if (st.prompt) S.prompt = st.prompt;
  S.shown = st.step;
  S.last = st.last;
  S.xref = st.xref;
  S.drawnView = st.view;
  el("view").innerHTML = st.svg;
  drawGauges(st.gauges);
  drawTrace(st.trace, st.command);
  drawTimeline();
}

async function showStep(k) {
  // While a command runs the session is busy; its answer redraws everything anyway.
  if (running) return;
  k = Math.max(0, Math.min(S.last, k));
  try {
    show(await api("GET", `/api/session/${S.id}/state?step=${k}&view=${S.view}`));
  } catch (e) {
    term.write(`\r\n\x1b[31mcgsim serve: ${e.message}\x1b[0m\r\n`);
  }
}

function drawTabs(views) {
  const nav = el("tabs");
  nav.innerHTML = "";
  for (const v of views) {
    const b = document.createElement("button");
    b.textContent = v;
    b.dataset.view = v;
    b.onclick = () => { S.view = v; drawTabs(views); showStep(S.shown); };
    if (v === S.view) b.classList.add("active");
    nav.appendChild(b);
  }
  el("view-help").textContent = VIEW_HELP[S.view] || "";
}

const RESOURCE_MAX = 2 ** 62; // a limit above this reads as "no limit" (RESOURCE_MAX is 2^63-1)

function human(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1 && n % 1024 === 0 || n >= 10240 && i < u.length - 1) { n /= 1024; i++; }
  return (Number.isInteger(n) ? n : n.toFixed(1)) + " " + u[i];
}

function drawGauges(gauges) {
  const box = el("gauges");
  box.innerHTML = "";
  if (!gauges.length) {
    box.innerHTML = '<p class="none">No memory hierarchy mounted yet. Mount one: <code>mkdir -p /cg/mem; mount -t cgroup -o memory none /cg/mem</code>.</p>';
    return;
  }
  for (const g of gauges) {
    const unlimited = g.limit >= RESOURCE_MAX;
    const top = Math.max(...g.thresholds, g.max_usage, g.usage, 1);
    const scale = unlimited ? top * 1.25 : g.limit;
    const pct = (v) => Math.min(100, (100 * v) / scale);
    const d = document.createElement("div");
    d.className = "gauge";
    d.dataset.cgroup = g.cgroup;
    d.dataset.usage = g.usage;
    if (g.under_oom) d.classList.add("oom");
    else if (!unlimited && g.usage >= 0.9 * g.limit) d.classList.add("near");
    let ticks = "";
    g.thresholds.forEach((t, i) => {
      const crossed = g.current !== null && i <= g.current;
      ticks += `<div class="tick${crossed ? " crossed" : ""}" style="left:${pct(t)}%" title="threshold ${t} bytes"><span>${human(t)}</span></div>`;
    });
    d.innerHTML =
      `<div class="name">${esc(g.cgroup)}${g.under_oom ? '<span class="badge">under_oom</span>' : ""}</div>` +
      `<div class="bar"><div class="fill" style="width:${pct(g.usage)}%"></div>` +
      `<div class="max" style="left:${pct(g.max_usage)}%" title="max_usage_in_bytes"></div>${ticks}</div>` +
      `<div class="nums">usage ${human(g.usage)} / ${unlimited ? "no limit" : human(g.limit)}` +
      ` · max ${human(g.max_usage)} · failcnt ${g.failcnt}` +
      (g.waiting.length ? ` · waiting: ${g.waiting.join(", ")}` : "") + `</div>`;
    box.appendChild(d);
  }
}

function esc(s) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}

// Calls into the cgroup core and the memory controller are what a learner looks for: the
// tree opens down to them, and leaves the process plumbing (fork, exec, exit) folded.
const INTERESTING = /^(cgroup_|css_|find_css_set|find_existing_css_set|attach_task|mem_cgroup|__mem_cgroup|res_counter|page_counter|try_to_free_mem_cgroup|shrink_|eventfd_signal|cgroup_event)/;
function interesting(n) {
  if (n._i === undefined) n._i = (!n.comment && INTERESTING.test(n.f)) || (n.c || []).some(interesting);
  return n._i;
}

function traceNode(n, depth) {
  const count = n.n && n.n > 1 ? ` <span class="count">×${n.n}</span>` : "";
  if (n.comment) return `<div class="comment leaf">/* ${esc(n.f)} */${count}</div>`;
  const link = `<a href="${S.xref.replace("IDENT", encodeURIComponent(n.f))}" target="_blank" rel="noopener" title="source of ${esc(n.f)} in the kernel">${esc(n.f)}</a>()`;
  if (!n.c || n.c.length === 0) return `<div class="leaf">${link};${count}</div>`;
  const inner = n.c.map((c) => traceNode(c, depth + 1)).join("");
  const open = depth < 1 || (depth < 8 && (n.c || []).some(interesting));
  return `<details${open ? " open" : ""}><summary>${link}${count} {</summary>${inner}<div>}</div></details>`;
}

function drawTrace(trace, command) {
  el("trace-cmd").textContent = command ? command : "";
  el("trace").innerHTML = trace.length
    ? trace.map((n) => traceNode(n, 0)).join("")
    : command
      ? '<p class="none">This command called no traced kernel function.</p>'
      : '<p class="none">No command yet: the kernel functions each command calls appear here.</p>';
}

// ---- timeline ------------------------------------------------------------------------------

function drawTimeline() {
  const r = el("step");
  r.max = S.last;
  r.value = S.shown;
  el("step-back").disabled = S.shown === 0;
  el("step-fwd").disabled = S.shown >= S.last;
  el("continue").disabled = S.shown >= S.last;
  const lab = el("step-label");
  const past = S.shown < S.last;
  const cmd = S.shown === 0 ? "the kernel just booted" : `after \`${S.history[S.shown - 1]?.command ?? ""}\``;
  lab.textContent = `step ${S.shown} of ${S.last}: ${cmd}` + (past ? " (looking back: new commands still run at the end)" : "");
  lab.classList.toggle("past", past);
  const ol = el("history");
  ol.innerHTML = "";
  S.history.forEach((h, i) => {
    const li = document.createElement("li");
    li.textContent = h.command;
    li.title = `step ${i + 1}, exit status ${h.status}`;
    if (i + 1 === S.shown) li.classList.add("current");
    if (h.status !== 0) li.classList.add("failed");
    li.onclick = () => showStep(i + 1);
    ol.appendChild(li);
  });
  const cur = ol.querySelector(".current");
  if (cur) cur.scrollIntoView({ block: "nearest" });
}

el("step").oninput = (e) => showStep(Number(e.target.value));
el("step-back").onclick = () => showStep(S.shown - 1);
el("step-fwd").onclick = () => showStep(S.shown + 1);
el("continue").onclick = async () => {
  if (running) return;
  const k = S.shown;
  running = true;
  try {
    const st = await api("POST", `/api/session/${S.id}/continue`, { step: k, view: S.view });
    S.history = S.history.slice(0, k);
    term.write(`\r\x1b[K\x1b[33m[continued from step ${k}: the later commands are undone]\x1b[0m\r\n`);
    show(st);
  } catch (e) {
    term.write(`\r\n\x1b[31mcgsim serve: ${e.message}\x1b[0m\r\n`);
  }
  running = false;
  line = ""; cursor = 0; more = false;
  prompt();
  pump();
};

// ---- start ---------------------------------------------------------------------------------

(async () => {
  try {
    const r = await api("POST", "/api/session");
    S.id = r.id;
    window.cgsimSession = r.id;
    drawTabs(r.views);
    show(r.state);
    // The REPL's first line (uname::banner), as `cgsim` prints it in a terminal.
    term.write(r.banner.replace(/\n/g, "\r\n") + "\r\n");
    prompt();
    term.focus();
    document.body.dataset.ready = "1";
  } catch (e) {
    term.write(`\x1b[31mcgsim serve: cannot start a session: ${e.message}\x1b[0m\r\n`);
  }
})();
window.addEventListener("beforeunload", () => {
  // End the session at once rather than after the idle limit.
  if (S.id) fetch(`/api/session/${S.id}`, { method: "DELETE", keepalive: true });
});
