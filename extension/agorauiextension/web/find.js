// Agora monitoring UI: sessions, the live tail, snapshot diffs and the
// list's live updates. Loaded before app.js; uses its helpers at call time.
"use strict";

// ---- live stream -------------------------------------------------------------

// liveStream opens /api/live (server-sent events; the session cookie goes
// with it) and calls on(kind, data) per event. close() ends it.
function liveStream(only, on, onState = () => {}) {
  const es = new EventSource("/api/live" + (only ? "?only=" + only : ""));
  for (const kind of ["execution", "node", "span", "dropped"]) {
    es.addEventListener(kind, (ev) => { try { on(kind, JSON.parse(ev.data)); } catch (_) { /* not ours */ } });
  }
  es.onopen = () => onState("live");
  // The browser reconnects by itself; CLOSED means it gave up (signed out,
  // too many streams): the caller falls back to polling.
  es.onerror = () => onState(es.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  return { close: () => es.close() };
}

let liveHandle = null; // the open stream of the current page
function stopLive() { if (liveHandle) liveHandle.close(); liveHandle = null; }

// followList keeps a list page current: refresh on each new execution
// (at most once a second), polling only while the stream is down.
function followList(refresh, pollMs) {
  let pending = null, poll = null;
  const soon = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 1000); };
  const polling = (on) => {
    if (on && !poll) poll = setInterval(() => refresh().catch(() => {}), pollMs);
    if (!on && poll) { clearInterval(poll); poll = null; }
  };
  polling(true);
  liveHandle = liveStream("execution", soon, (state) => {
    polling(state !== "live");
    const el = document.getElementById("live-state");
    if (el) { el.textContent = state === "live" ? "● live" : "polling"; el.dataset.state = state; }
  });
  const close = liveHandle.close;
  liveHandle.close = () => { close(); polling(false); if (pending) clearTimeout(pending); };
}

// ---- sessions ------------------------------------------------------------------

const sessionsView = { by: "session", range: "604800" };

async function renderSessions() {
  const tbody = h("tbody", { id: "sessions" });
  const by = h("select", { id: "session-by", onchange: (e) => { sessionsView.by = e.target.value; load(); } },
    h("option", { value: "session", selected: sessionsView.by === "session" || null }, "by session"),
    h("option", { value: "user", selected: sessionsView.by === "user" || null }, "by user"));
  const range = h("select", { id: "session-range", onchange: (e) => { sessionsView.range = e.target.value; load(); } },
    ...RANGES.map(([v, label]) => h("option", { value: v, selected: v === sessionsView.range || null }, label)));
  fill(main, h("h1", {}, "Sessions"),
    h("p", { class: "muted" }, "Runs that name a session or conversation (session.id, gen_ai.conversation.id, input_data.session_id) or a user (user.id, input_data.user_id)."),
    h("div", { class: "toolbar" }, by, range),
    h("table", {}, h("thead", {}, h("tr", {}, ["Session", "Runs", "Errors", "Tokens", "Cost", "Duration", "First run", "Last run", "Workflows", ""].map((t) => h("th", {}, t)))), tbody));
  async function load() {
    const from = sessionsView.range === "all" ? new Date(0) : new Date(Date.now() - Number(sessionsView.range) * 1000);
    const { sessions } = await api(`sessions?by=${sessionsView.by}&from=${from.toISOString()}`);
    fill(tbody, ...(sessions.length ? sessions.map((s) => h("tr", { class: "row session", "data-session": s.id,
      onclick: () => { location.hash = `#/sessions/${encodeURIComponent(s.id)}?by=${sessionsView.by}`; } },
      h("td", {}, s.id), h("td", { class: "num" }, s.runs), h("td", { class: "num" + (s.errors ? " error" : "") }, s.errors),
      h("td", { class: "num" }, s.tokens), h("td", { class: "num" }, fmtCost(s.cost)), h("td", { class: "num" }, fmtMs(s.duration_ms)),
      h("td", {}, fmtTime(s.first_started_at)), h("td", {}, fmtTime(s.last_started_at)), h("td", {}, s.workflows.join(", ")),
      h("td", { class: "muted" }, (s.users || s.sessions || []).join(", ")))) : [h("tr", {}, h("td", { colspan: 10, class: "muted" }, "no sessions in this range"))]));
  }
  await load();
  followList(load, REFRESH_MS * 6);
}

async function renderSession(rest) {
  const [rawID, query] = rest.split("?");
  const id = decodeURIComponent(rawID);
  const by = new URLSearchParams(query || "").get("by") === "user" ? "user" : "session";
  const root = h("div", { id: "session" });
  fill(main, root);
  async function load() {
    const d = await api(`sessions/${encodeURIComponent(id)}?by=${by}`);
    const s = d.session;
    const card = (label, value) => h("div", { class: "card metric" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
    const tbody = h("tbody", { id: "session-runs" });
    renderRows(tbody, d.executions);
    fill(root, h("p", {}, h("a", { href: "#/sessions" }, "← Sessions")),
      h("h1", {}, (by === "user" ? "User " : "Session ") + id),
      h("div", { class: "cards" }, card("Runs", s.runs), card("Errors", s.errors), card("Tokens", s.tokens), card("Cost", fmtCost(s.cost)),
        card("Duration", fmtMs(s.duration_ms)), card("First run", fmtTime(s.first_started_at)), card("Last run", fmtTime(s.last_started_at))),
      h("h2", {}, "Runs, in order"),
      h("table", {}, h("thead", {}, h("tr", {}, LIST_HEAD.map((t) => h("th", {}, t)))), tbody));
  }
  await load();
  followList(load, REFRESH_MS * 2);
}

// ---- live tail -----------------------------------------------------------------

const MAX_LIVE_ROWS = 500;
const liveView = { only: "", paused: false };

function renderLive() {
  const tbody = h("tbody", { id: "live-rows" });
  const state = h("span", { class: "muted", id: "live-state" }, "connecting…");
  const counter = h("span", { class: "muted", id: "live-count" });
  let shown = 0, held = 0;
  const count = () => { counter.textContent = `${shown} shown` + (held ? ` · ${held} while paused` : ""); };
  const pause = h("button", { id: "live-pause", onclick: () => {
    liveView.paused = !liveView.paused;
    pause.textContent = liveView.paused ? "Resume" : "Pause";
    held = 0; count();
  } }, liveView.paused ? "Resume" : "Pause");
  const clear = h("button", { id: "live-clear", onclick: () => { fill(tbody); shown = 0; count(); } }, "Clear");
  const only = h("select", { id: "live-only", onchange: (e) => { liveView.only = e.target.value; connect(); } },
    ...[["", "everything"], ["execution", "executions"], ["node", "node executions"], ["llm", "LLM calls"]].map(([v, l]) =>
      h("option", { value: v, selected: v === liveView.only || null }, l)));
  fill(main, h("h1", {}, "Live"),
    h("p", { class: "muted" }, "Executions, node executions and spans as they are stored, newest first."),
    h("div", { class: "toolbar" }, only, pause, clear, state, counter),
    h("table", {}, h("thead", {}, h("tr", {}, ["Time", "Kind", "What", "Status", "Details"].map((t) => h("th", {}, t)))), tbody));

  const link = (id, text) => h("a", { href: "#/executions/" + id, onclick: (e) => e.stopPropagation() }, text);
  function row(kind, d) {
    if (kind === "dropped") return h("tr", { class: "live dropped" }, h("td", { colspan: 5, class: "muted" }, `${d.dropped} events dropped (the page fell behind)`));
    if (kind === "execution") {
      return h("tr", { class: "live", "data-kind": kind, "data-id": d.execution_id },
        h("td", {}, fmtTime(d.last_seen)), h("td", {}, "execution"), h("td", {}, link(d.execution_id, d.workflow_name || d.execution_id)),
        h("td", {}, badge(d.status)), h("td", { class: d.error_message ? "error" : "muted" },
          d.error_message || `${d.node_count} nodes · ${fmtMs(d.duration_ms)}` + (d.total_tokens ? ` · ${d.total_tokens} tokens` : "")));
    }
    if (kind === "node") {
      return h("tr", { class: "live", "data-kind": kind, "data-id": d.execution_id },
        h("td", {}, fmtTime(d.completed_at || d.started_at)), h("td", {}, "node"), h("td", {}, link(d.execution_id, `${d.workflow_name} › ${d.node_name}`)),
        h("td", {}, badge(d.status)), h("td", { class: "muted" }, `retries ${d.retry_count}` + (d.total_tokens ? ` · ${d.total_tokens} tokens` : "") + (d.model ? ` · ${d.model}` : "")));
    }
    const status = d.status === "Error" ? "error" : "success";
    return h("tr", { class: "live", "data-kind": d.llm ? "llm" : "span", "data-id": d.execution_id },
      h("td", {}, fmtTime(d.start_time)), h("td", {}, d.llm ? "LLM call" : "span"), h("td", {}, link(d.execution_id, d.name)),
      h("td", {}, badge(status)), h("td", { class: "muted" }, fmtMs(d.duration_ns / 1e6) + (d.model ? ` · ${d.model}` : "") + (d.total_tokens ? ` · ${d.total_tokens} tokens` : "")));
  }
  function connect() {
    stopLive();
    liveHandle = liveStream(liveView.only, (kind, d) => {
      if (liveView.paused) { held++; count(); return; }
      tbody.prepend(row(kind, d));
      while (tbody.children.length > MAX_LIVE_ROWS) tbody.lastChild.remove();
      shown = tbody.children.length; count();
    }, (s) => { state.textContent = s === "live" ? "● live" : s; state.dataset.state = s; });
  }
  connect();
}

// ---- snapshot diffs ------------------------------------------------------------

const fmtValue = (v) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

function drawSnapshots(el, diffs) {
  if (!diffs.length) { fill(el); return; }
  fill(el, h("h2", {}, "Shared store"),
    ...diffs.map((d) => h("div", { class: "card snapdiff", "data-node": d.node },
      h("div", { class: "llmhead" }, h("strong", {}, d.node || "(execution)"), h("span", { class: "muted" }, `  ${fmtTime(d.before_at)} → ${fmtTime(d.after_at)}`)),
      d.changes.length
        ? h("table", { class: "diff" }, h("thead", {}, h("tr", {}, ["Key", "Change", "Before", "After"].map((t) => h("th", {}, t)))),
          h("tbody", {}, d.changes.map((c) => h("tr", { class: "change " + c.change, "data-path": c.path },
            h("td", {}, h("code", {}, c.path)), h("td", {}, c.change), h("td", { class: "before" }, fmtValue(c.before)), h("td", { class: "after" }, fmtValue(c.after))))))
        : h("p", { class: "muted" }, "no change"))));
}
