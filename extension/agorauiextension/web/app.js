// Agora monitoring UI: three pages over the collector's /api, scoped to the
// org of the API key the user signs in with. The key is exchanged for a
// session cookie the page cannot read (httpOnly); it is kept nowhere here.
"use strict";

const main = document.getElementById("main");
const REFRESH_MS = 5000;
let timer = null;
let me = null; // who is signed in: org, key name, scopes

async function api(path, opts = {}) {
  const res = await fetch("/api/" + path, {
    ...opts,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", ...(opts.headers || {}) },
  });
  const body = await res.json().catch(() => ({ detail: res.statusText }));
  if (res.status === 401 && path !== "session") { signedOut(body.detail); throw new Error(body.detail); }
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return body;
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// fill replaces an element's children, skipping absent ones (null would
// otherwise show as the text "null").
function fill(el, ...children) { el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined)); }

const fmtTime = (t) => (t ? new Date(t).toLocaleString() : "—");
const fmtMs = (ms) => (ms === null || ms === undefined ? "—" : ms >= 1000 ? (ms / 1000).toFixed(2) + " s" : Math.round(ms) + " ms");
const fmtCost = (c) => (c ? "$" + c.toFixed(4) : "—");
const badge = (s) => h("span", { class: "badge " + s, "data-status": s }, s);

function stopRefresh() { if (timer) clearInterval(timer); timer = null; stopLive(); }

// ---- sign in -------------------------------------------------------------

function signedOut(reason) {
  me = null;
  stopRefresh();
  document.getElementById("nav").hidden = true;
  renderSignIn(reason);
}

async function signOut() {
  await api("session", { method: "DELETE" }).catch(() => {});
  signedOut();
}

function renderSignIn(reason) {
  const input = h("input", { type: "password", id: "apikey", placeholder: "agora_…", autocomplete: "off" });
  const err = h("p", { class: "error", id: "signin-error" }, reason && !reason.startsWith("sign in") ? reason : "");
  const form = h("form", { class: "card signin", id: "signin", onsubmit: async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    input.value = "";
    try {
      await api("session", { method: "POST", body: JSON.stringify({ key }) });
      await boot();
    } catch (ex) { err.textContent = ex.message; }
  } },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "Use an API key of your organization with the read or admin scope. It is exchanged for a session; this page keeps no key."),
    input, err, h("button", { class: "primary", type: "submit" }, "Sign in"));
  fill(main, form);
  input.focus();
}

async function boot() {
  me = await api("me");
  document.getElementById("org").textContent = me.org_name + " · " + me.key_name;
  document.querySelector('nav a[data-page="settings"]').hidden = !me.scopes.includes("admin");
  document.getElementById("nav").hidden = false;
  route();
}

// ---- monitoring ----------------------------------------------------------

// project, workflow and since come from a link (an alert's executions):
// #/?workflow=…&status=…&from=….
const monitoring = { status: "", group: false, range: "86400", project: "", workflow: "", since: "", q: "" };
const RANGES = [["3600", "last hour"], ["86400", "last 24 hours"], ["604800", "last 7 days"], ["2592000", "last 30 days"], ["all", "all time"]];
function rangeParams(q) {
  const from = monitoring.since ? new Date(monitoring.since) : monitoring.range === "all" ? new Date(0) : new Date(Date.now() - Number(monitoring.range) * 1000);
  q.set("from", from.toISOString());
  if (monitoring.project) q.set("project", monitoring.project);
  if (monitoring.workflow) q.set("workflow", monitoring.workflow);
  return q;
}
const LIST_HEAD = ["Workflow", "Status", "Started", "Duration", "Nodes", "Errors", "Retries", "Tokens", "Cost", "Error"];

// listParams are the list's filters: range, project, workflow, status, search.
function listParams(q) {
  rangeParams(q);
  if (monitoring.status) q.set("status", monitoring.status);
  if (monitoring.q) q.set("q", monitoring.q);
  return q;
}

// renderFilters fills the project and workflow pickers from the workflows
// seen in the range (keeping a choice that has no runs in it).
function renderFilters(projectSel, workflowSel, workflows) {
  const projects = [...new Set(workflows.map((w) => w.project_name))].sort();
  const names = [...new Set(workflows.filter((w) => !monitoring.project || w.project_name === monitoring.project).map((w) => w.workflow_name))].sort();
  const opts = (all, list, chosen) => [h("option", { value: "" }, all),
    ...[...new Set([...list, chosen].filter(Boolean))].map((v) => h("option", { value: v, selected: v === chosen || null }, v))];
  fill(projectSel, opts("all projects", projects, monitoring.project));
  fill(workflowSel, opts("all workflows", names, monitoring.workflow));
}

function linkFilters(hash) {
  const q = new URLSearchParams(hash.slice(hash.indexOf("?") + 1));
  const status = q.get("status") || "";
  Object.assign(monitoring, { status: ["running", "success", "error", "timeout"].includes(status) ? status : "",
    project: q.get("project") || "", workflow: q.get("workflow") || "", since: isNaN(Date.parse(q.get("from"))) ? "" : q.get("from") });
}

async function renderMonitoring() {
  const cards = h("div", { class: "cards", id: "metrics" });
  const chips = h("div", { class: "toolbar", id: "status-filter" });
  const group = h("label", {}, h("input", { type: "checkbox", id: "group", checked: monitoring.group || null, onchange: (e) => { monitoring.group = e.target.checked; update(); } }), " group by workflow");
  const range = h("select", { id: "range", onchange: (e) => { monitoring.range = e.target.value; update(); } },
    ...RANGES.map(([v, label]) => h("option", { value: v, selected: v === monitoring.range || null }, label)));
  const linked = monitoring.project || monitoring.workflow || monitoring.since
    ? h("span", { class: "chip active", id: "link-filter" }, [monitoring.project, monitoring.workflow].filter(Boolean).join(" / ") || "all workflows",
      monitoring.since ? " since " + fmtTime(monitoring.since) : "",
      h("button", { class: "clear", title: "clear", onclick: () => { Object.assign(monitoring, { project: "", workflow: "", since: "" }); location.hash = "#/"; } }, "✕"))
    : null;
  const recent = h("div", { id: "alert-recent" });
  const trends = h("div", { class: "charts", id: "trends" });
  const tbody = h("tbody", { id: "executions" });
  const table = h("table", {}, h("thead", {}, h("tr", {}, LIST_HEAD.map((t) => h("th", {}, t)))), tbody);
  const projectSel = h("select", { id: "project-filter", onchange: (e) => { monitoring.project = e.target.value; monitoring.workflow = ""; update(); } });
  const workflowSel = h("select", { id: "workflow-filter", onchange: (e) => { monitoring.workflow = e.target.value; update(); } });
  const search = h("input", { type: "search", id: "search", placeholder: "search errors, inputs, outputs…", value: monitoring.q, style: "width:260px" });
  const searchErr = h("span", { class: "error", id: "search-error" });
  const searchForm = h("form", { class: "inline", id: "search-form", onsubmit: (e) => { e.preventDefault(); monitoring.q = search.value.trim(); refresh().catch((ex) => { searchErr.textContent = ex.message; }); } },
    search, " ", h("button", { type: "submit" }, "Search"));
  const csv = h("a", { class: "button", id: "export-csv", download: "" }, "Export CSV");
  const json = h("a", { class: "button", id: "export-json", download: "" }, "Export JSON");
  fill(main, h("h1", {}, "Executions"), cards, recent,
    h("div", { class: "toolbar" }, searchForm, searchErr, projectSel, workflowSel, range, group, csv, json),
    h("div", { class: "toolbar" }, chips, linked, h("span", { class: "muted", id: "live-state" }), h("span", { class: "muted", id: "updated" })), trends, table);

  // The newest refresh owns the page: an older one that returns later is
  // dropped, and a failed one is tried again (a live page may get no other
  // refresh until the next execution arrives).
  let generation = 0;
  const update = (tries = 3) => {
    const mine = generation + 1;
    refresh().catch(() => { if (tries > 0 && mine === generation) setTimeout(() => { if (mine === generation) update(tries - 1); }, 1000); });
  };
  async function refresh() {
    const mine = ++generation;
    const q = listParams(new URLSearchParams({ limit: "200" }));
    // Trends follow the status, range, project and workflow filters.
    const mq = rangeParams(new URLSearchParams());
    mq.set("bucket", String(bucketFor(mq.get("from"))));
    if (monitoring.status) mq.set("status", monitoring.status);
    const [list, metrics, alerts, wfs] = await Promise.all([api("executions?" + q), api("metrics?" + mq),
      api("alerts/events?limit=5").catch(() => ({ events: [] })), api("workflows?" + rangeParams(new URLSearchParams())).catch(() => ({ workflows: [] }))]);
    if (mine !== generation) return;
    searchErr.textContent = "";
    renderFilters(projectSel, workflowSel, wfs.workflows);
    const eq = listParams(new URLSearchParams());
    csv.href = "/api/executions/export?format=csv&" + eq;
    json.href = "/api/executions/export?format=json&" + eq;
    renderChips(chips, list.counts, update);
    renderMetrics(cards, metrics);
    renderTrends(trends, metrics, mq.get("from"));
    renderRecentAlerts(recent, alerts.events);
    renderRows(tbody, list.executions);
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  }
  await refresh();
  followList(refresh, REFRESH_MS);
}

function renderChips(el, counts, refresh) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const chip = (s, label, n) => h("button", { class: "chip" + (monitoring.status === s ? " active" : ""), "data-status": s || "all",
    onclick: () => { monitoring.status = s; refresh(); } }, label, h("span", { class: "n" }, n));
  fill(el, chip("", "All", total), ...["running", "success", "error", "timeout"].map((s) => chip(s, s, counts[s] || 0)));
}

function renderMetrics(el, m) {
  const s = m.summary;
  const card = (label, value) => h("div", { class: "card metric" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
  fill(el, card("Executions", s.executions), card("Success rate", (m.success_rate * 100).toFixed(1) + "%"),
    card("p50 duration", fmtMs(s.p50_ms)), card("p95 duration", fmtMs(s.p95_ms)), card("Retries", s.retries),
    card("Tokens", s.tokens), card("Cost", fmtCost(s.cost)));
}

function renderRows(tbody, rows) {
  const line = (e) => h("tr", { class: "row", "data-id": e.execution_id, onclick: () => { location.hash = "#/executions/" + e.execution_id; } },
    h("td", {}, e.workflow_name || "—", h("div", { class: "muted" }, e.project_name)), h("td", {}, badge(e.status)),
    h("td", {}, fmtTime(e.started_at)), h("td", { class: "num" }, fmtMs(e.duration_ms)), h("td", { class: "num" }, e.node_count),
    h("td", { class: "num" }, e.error_count), h("td", { class: "num" }, e.retry_count), h("td", { class: "num" }, e.total_tokens),
    h("td", { class: "num" }, fmtCost(e.estimated_cost)), h("td", { class: "error" }, e.error_message));
  if (!monitoring.group) { fill(tbody, ...rows.map(line)); return; }
  const groups = new Map();
  for (const e of rows) { const k = (e.project_name || "") + " / " + (e.workflow_name || "—"); if (!groups.has(k)) groups.set(k, []); groups.get(k).push(e); }
  fill(tbody, ...[...groups].flatMap(([k, es]) => [h("tr", { class: "group" }, h("td", { colspan: 10 }, k + " — " + es.length)), ...es.map(line)]));
}

// ---- alerts ---------------------------------------------------------------

const KINDS = [["error_rate", "error rate (0–1)"], ["timeout_count", "timeouts"], ["p95_duration", "p95 duration (s)"], ["tokens", "tokens"], ["cost", "cost"]];
const KIND_LABEL = Object.fromEntries(KINDS);
const fmtAlert = (kind, v) => (kind === "error_rate" ? (v * 100).toFixed(1) + "%" : kind === "p95_duration" ? v.toFixed(2) + " s" : kind === "cost" ? "$" + v.toFixed(4) : String(v));
const scopeOf = (x) => [x.project_name, x.workflow_name].filter(Boolean).join(" / ") || "all workflows";
const fmtWindow = (s) => (s % 3600 === 0 ? s / 3600 + " h" : s % 60 === 0 ? s / 60 + " min" : s + " s");

// executionsLink: the Monitoring page filtered to what an alert measured.
function executionsLink(e) {
  const q = new URLSearchParams({ from: new Date(new Date(e.at).getTime() - e.window_seconds * 1000).toISOString() });
  if (e.project_name) q.set("project", e.project_name);
  if (e.workflow_name) q.set("workflow", e.workflow_name);
  if (e.kind === "error_rate") q.set("status", "error");
  if (e.kind === "timeout_count") q.set("status", "timeout");
  return "#/?" + q;
}

const delivery = (e) => (e.delivery === "delivered" ? "delivered" : e.delivery === "failed" ? `failed ×${e.attempts}` + (e.status_code ? ` (${e.status_code})` : "") : e.delivery || "pending");

function alertRow(e, onclick) {
  return h("tr", { class: "alert-event" + (onclick ? " row" : ""), "data-state": e.state, "data-id": e.id, onclick },
    h("td", {}, fmtTime(e.at)), h("td", {}, badge(e.state)), h("td", {}, e.rule_name, h("div", { class: "muted" }, KIND_LABEL[e.kind] + " · " + scopeOf(e))),
    h("td", { class: "num" }, e.state === "test" ? "—" : fmtAlert(e.kind, e.value)), h("td", { class: "num" }, e.state === "test" ? "—" : fmtAlert(e.kind, e.threshold)),
    h("td", { class: "num" }, e.state === "test" ? "—" : e.samples), h("td", { class: "delivery" }, delivery(e)),
    h("td", {}, e.state === "test" ? null : h("a", { href: executionsLink(e), class: "executions-link", onclick: (ev) => ev.stopPropagation() }, "executions")));
}
const ALERT_HEAD = ["When", "State", "Rule", "Value", "Threshold", "Samples", "Delivery", ""];

function renderRecentAlerts(el, events) {
  if (!events.length) { fill(el); return; }
  fill(el, h("h2", {}, "Recent alerts ", h("a", { href: "#/alerts", class: "muted" }, "all")),
    h("table", { class: "alerts" }, h("thead", {}, h("tr", {}, ALERT_HEAD.map((t) => h("th", {}, t)))), h("tbody", {}, events.map((e) => alertRow(e)))));
}

async function renderAlerts() {
  const admin = me.scopes.includes("admin");
  const rules = h("tbody", { id: "rules" });
  const result = h("div", { id: "rule-result" });
  const history = h("tbody", { id: "alert-history" });
  const log = h("div", { id: "deliveries" });
  const f = {
    name: h("input", { id: "rule-name", placeholder: "rule name", required: true }),
    kind: h("select", { id: "rule-kind" }, ...KINDS.map(([v, l]) => h("option", { value: v }, l))),
    project: h("input", { id: "rule-project", placeholder: "project (all)", style: "width:130px" }),
    workflow: h("input", { id: "rule-workflow", placeholder: "workflow (all)", style: "width:130px" }),
    window: h("input", { id: "rule-window", type: "number", min: 1, max: 10080, value: 15, title: "window in minutes", style: "width:90px" }),
    threshold: h("input", { id: "rule-threshold", type: "number", step: "any", min: 0, placeholder: "threshold", required: true, style: "width:110px" }),
    samples: h("input", { id: "rule-samples", type: "number", min: 1, value: 5, title: "minimum samples", style: "width:80px" }),
    url: h("input", { id: "rule-url", type: "url", placeholder: "https://hooks.example.com/…", required: true, style: "width:280px" }),
    format: h("select", { id: "rule-format" }, h("option", { value: "generic" }, "generic JSON"), h("option", { value: "slack" }, "Slack")),
  };
  async function load() {
    const [{ rules: rs }, { events }] = await Promise.all([api("alerts/rules"), api("alerts/events?limit=50")]);
    fill(rules, ...(rs.length ? rs.map((r) => h("tr", { "data-rule": r.id },
      h("td", {}, r.name), h("td", {}, KIND_LABEL[r.kind]), h("td", {}, scopeOf(r)), h("td", {}, fmtWindow(r.window_seconds)),
      h("td", { class: "num" }, fmtAlert(r.kind, r.threshold)), h("td", { class: "num" }, r.min_samples),
      h("td", {}, h("code", {}, r.webhook_url), " ", h("span", { class: "muted" }, r.webhook_format)),
      h("td", {}, admin ? [
        h("button", { class: "test", onclick: async () => {
          fill(result, h("p", { class: "muted" }, "sending…"));
          try {
            const t = await api(`alerts/rules/${r.id}/test`, { method: "POST" });
            fill(result, h("p", { class: t.delivered ? "ok" : "error", id: "test-result" }, t.delivered ? `Test delivered (${t.status_code})` : `Test failed: ${t.error}`));
          } catch (ex) { fill(result, h("p", { class: "error", id: "test-result" }, ex.message)); }
          await load();
        } }, "Send test"), " ",
        h("button", { class: "delete", onclick: async () => {
          if (!confirm(`Delete the rule ${r.name}? Its history stays.`)) return;
          await api(`alerts/rules/${r.id}`, { method: "DELETE" }); await load();
        } }, "Delete")] : null))) : [h("tr", {}, h("td", { colspan: 8, class: "muted" }, "no rules yet"))]));
    fill(history, ...(events.length ? events.map((e) => alertRow(e, () => showLog(e))) : [h("tr", {}, h("td", { colspan: 8, class: "muted" }, "nothing has fired yet"))]));
  }
  async function showLog(e) {
    const { deliveries } = await api(`alerts/events/${e.id}/deliveries`);
    fill(log, h("h2", {}, `Deliveries of ${e.state} · ${e.rule_name}`), h("table", {}, h("thead", {}, h("tr", {}, ["When", "Attempt", "Outcome", "Status", "Error"].map((t) => h("th", {}, t)))),
      h("tbody", {}, deliveries.map((d) => h("tr", {}, h("td", {}, fmtTime(d.at)), h("td", { class: "num" }, d.attempt), h("td", {}, d.outcome),
        h("td", { class: "num" }, d.status_code || "—"), h("td", { class: "error" }, d.error))))));
  }
  const form = admin ? h("form", { class: "toolbar", id: "rule-form", onsubmit: async (e) => {
    e.preventDefault();
    const body = { name: f.name.value, kind: f.kind.value, project_name: f.project.value.trim(), workflow_name: f.workflow.value.trim(),
      window_seconds: Math.round(Number(f.window.value) * 60), threshold: Number(f.threshold.value), min_samples: Number(f.samples.value),
      webhook_url: f.url.value.trim(), webhook_format: f.format.value };
    try {
      await api("alerts/rules", { method: "POST", body: JSON.stringify(body) });
      fill(result, h("p", { class: "ok" }, `Rule ${body.name} created.`));
      f.name.value = ""; f.threshold.value = "";
    } catch (ex) { fill(result, h("p", { class: "error", id: "rule-error" }, ex.message)); }
    await load();
  } }, f.name, f.kind, f.project, f.workflow, h("label", {}, "window (min) ", f.window), f.threshold, h("label", {}, "min samples ", f.samples), f.url, f.format,
    h("button", { class: "primary", type: "submit" }, "Create rule")) : h("p", { class: "muted" }, "Rules are managed with an admin key.");
  fill(main, h("h1", {}, "Alert rules"),
    h("p", { class: "muted" }, "Evaluated every interval over the executions that started within the window; fires when the value is above the threshold with at least the minimum samples, resolves when it is back at or below. One notification per change."),
    form, result,
    h("table", {}, h("thead", {}, h("tr", {}, ["Name", "Measures", "Workflows", "Window", "Threshold", "Min samples", "Webhook", ""].map((t) => h("th", {}, t)))), rules),
    h("h2", {}, "History"), h("table", { class: "alerts" }, h("thead", {}, h("tr", {}, ALERT_HEAD.map((t) => h("th", {}, t)))), history), log);
  await load();
  timer = setInterval(() => load().catch(() => {}), REFRESH_MS);
}

// ---- execution detail ----------------------------------------------------

async function renderDetail(id) {
  const root = h("div", { id: "detail" });
  fill(main, root);
  async function refresh() {
    const path = "executions/" + encodeURIComponent(id);
    const [d, s, llm, snaps] = await Promise.all([api(path), api(path + "/spans"), api(path + "/llm"), api(path + "/snapshots")]);
    d.spans = s.spans;
    d.llm = llm.calls;
    d.diffs = snaps.diffs;
    drawDetail(root, d);
    if (d.execution.status !== "running") stopRefresh();
  }
  await refresh();
  timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
}

function jsonView(label, text) {
  if (!text) return null;
  let pretty = text;
  try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON: as is */ }
  const large = pretty.length > 300;
  return h("details", { open: large ? null : true }, h("summary", {}, label + (large ? " (" + pretty.length + " chars)" : "")), h("pre", {}, pretty));
}

function drawDetail(root, d) {
  const e = d.execution;
  const pathBox = h("div", { id: "path" }), llmBox = h("div", { id: "llm" }), snapBox = h("div", { id: "snapshots" });
  drawLLM(llmBox, d.llm || [], d.nodes);
  drawSnapshots(snapBox, d.diffs || []);
  drawPath(pathBox, e, d.nodes).catch(() => {});
  const start = new Date(e.started_at).getTime();
  const ends = d.nodes.map((n) => new Date(n.completed_at || n.started_at).getTime());
  const end = Math.max(start + (e.duration_ms || 0), ...ends, start + 1);
  const span = end - start;
  const pct = (t) => (100 * (t - start)) / span;
  const card = (label, value) => h("div", { class: "card metric" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
  const finished = d.nodes.filter((n) => n.status !== "running");
  const nodeRate = finished.length ? (100 * finished.filter((n) => n.status === "success").length) / finished.length : 0;

  const nodes = d.nodes.map((n) => {
    const s = new Date(n.started_at).getTime();
    const segs = [["prep", n.prep_duration_ms], ["exec", n.exec_duration_ms], ["post", n.post_duration_ms]].filter(([, v]) => v !== null);
    const total = segs.reduce((a, [, v]) => a + v, 0) || (n.completed_at ? new Date(n.completed_at).getTime() - s : 1);
    const width = (100 * total) / span;
    const bar = h("div", { class: "bar" + (n.status === "error" ? " error" : ""), style: `left:${pct(s)}%;width:${Math.max(width, 0.3)}%` },
      ...(segs.length ? segs : [["exec", total]]).map(([k, v]) => h("div", { class: "seg " + k, "data-phase": k, title: `${k} ${fmtMs(v)}`, style: `width:${(100 * v) / total}%` })));
    return h("div", { class: "wrow node", "data-node": n.node_name },
      h("div", { class: "wname" }, n.node_name, " ", badge(n.status), h("small", {}, `${fmtMs(total)} · retries ${n.retry_count}` +
        (n.total_tokens ? ` · ${n.total_tokens} tokens` : "") + (n.estimated_cost ? ` · ${fmtCost(n.estimated_cost)}` : "") + (n.model ? ` · ${n.model}` : ""))),
      h("div", {}, h("div", { class: "track" }, bar),
        h("div", { class: "nodeinfo" }, n.error_message ? h("div", { class: "err" }, n.error_message) : null,
          n.next_action ? "next: " + n.next_action : null, jsonView("input", n.input), jsonView("output", n.output))));
  });

  const depth = {}; const byId = {};
  for (const s of d.spans) byId[s.span_id] = s;
  const depthOf = (s) => { if (depth[s.span_id] !== undefined) return depth[s.span_id]; const p = byId[s.parent_span_id]; depth[s.span_id] = p && p !== s ? Math.min(depthOf(p) + 1, 8) : 0; return depth[s.span_id]; };
  const sStart = d.spans.length ? Math.min(...d.spans.map((s) => new Date(s.start_time).getTime())) : start;
  const sEnd = d.spans.length ? Math.max(...d.spans.map((s) => new Date(s.start_time).getTime() + s.duration_ns / 1e6)) : end;
  const sSpan = Math.max(sEnd - sStart, 1);
  const spans = d.spans.map((s) => {
    const t = new Date(s.start_time).getTime();
    return h("div", { class: "wrow span" },
      h("div", { class: "wname", style: `padding-left:${depthOf(s) * 14}px` }, s.name, h("small", {}, fmtMs(s.duration_ns / 1e6) + (s.status === "Error" ? " · error" : ""))),
      h("div", { class: "track" }, h("div", { class: "bar", style: `left:${(100 * (t - sStart)) / sSpan}%;width:${Math.max((100 * s.duration_ns) / 1e6 / sSpan, 0.3)}%` },
        h("div", { class: "seg span" + (s.status === "Error" ? " error" : ""), style: "width:100%" }))));
  });

  fill(root, 
    h("p", {}, h("a", { href: "#/" }, "← Executions")),
    h("h1", {}, (e.workflow_name || "Execution") + " ", badge(e.status)),
    h("p", { class: "muted" }, `${e.project_name} · ${e.execution_id} · started ${fmtTime(e.started_at)} · via ${e.source}`,
      e.session_id ? [" · session ", h("a", { href: "#/sessions/" + encodeURIComponent(e.session_id), id: "session-link" }, e.session_id)] : null,
      e.user_id ? [" · user ", h("a", { href: "#/sessions/" + encodeURIComponent(e.user_id) + "?by=user" }, e.user_id)] : null,
      " · ", h("a", { href: "/api/executions/" + encodeURIComponent(e.execution_id) + "/export", download: "", id: "export-execution" }, "export JSON")),
    e.error_message ? h("p", { class: "error" }, e.error_message) : null,
    h("div", { class: "cards" }, card("Duration", fmtMs(e.duration_ms)), card("Nodes", e.node_count), card("Node success", nodeRate.toFixed(0) + "%"),
      card("Errors", e.error_count), card("Retries", e.retry_count), card("Tokens", e.total_tokens), card("Cost", fmtCost(e.estimated_cost))),
    h("h2", {}, "Nodes"),
    h("div", { class: "legend" }, ...["prep", "exec", "post"].map((k) => h("span", {}, h("i", { class: "seg " + k }), k))),
    h("div", { class: "waterfall", id: "timeline" }, nodes.length ? nodes : h("div", { class: "wrow" }, h("span", { class: "muted" }, "no node executions yet"))),
    pathBox, llmBox, snapBox,
    jsonView("input", e.input), jsonView("output", e.output),
    h("h2", {}, "Spans"),
    h("div", { class: "waterfall", id: "spans" }, spans.length ? spans : h("div", { class: "wrow" }, h("span", { class: "muted" }, "no spans"))),
    d.events.length ? h("h2", {}, "Events") : null,
    d.events.length ? h("table", {}, h("tbody", {}, d.events.map((ev) => h("tr", {}, h("td", {}, fmtTime(ev.timestamp)), h("td", {}, ev.event_type), h("td", {}, jsonView("data", ev.data)))))) : null,
  );
}

// ---- settings ------------------------------------------------------------

async function renderSettings() {
  const list = h("tbody", { id: "keys" });
  const shown = h("div", { id: "newkey" });
  const name = h("input", { id: "keyname", placeholder: "key name", required: true });
  const days = h("input", { id: "keydays", type: "number", min: 0, max: 3650, placeholder: "expires in days (0: never)", style: "width:220px" });
  const scope = h("select", { id: "keyscope" }, h("option", { value: "ingest" }, "ingest (SDKs)"), h("option", { value: "read" }, "read (UI)"), h("option", { value: "admin" }, "admin (keys)"));
  async function load() {
    const { keys } = await api("keys");
    fill(list, ...keys.map((k) => {
      const status = k.revoked_at ? "revoked" : k.expires_at && new Date(k.expires_at) < new Date() ? "expired" : "active";
      return h("tr", { "data-key": k.id }, h("td", {}, k.name), h("td", {}, k.scopes.join(", ")), h("td", {}, h("code", {}, k.prefix + "…")), h("td", {}, fmtTime(k.created_at)),
        h("td", {}, fmtTime(k.last_used)), h("td", {}, k.expires_at ? fmtTime(k.expires_at) : "never"), h("td", { class: "status" }, status),
        h("td", {}, status === "active" ? h("button", { class: "revoke", onclick: async () => {
          if (!confirm(`Revoke ${k.name}? Requests with it are refused within seconds.`)) return;
          await api(`keys/${encodeURIComponent(k.id)}/revoke`, { method: "POST" }); await load();
        } }, "Revoke") : null));
    }));
  }
  const form = h("form", { class: "toolbar", id: "create", onsubmit: async (e) => {
    e.preventDefault();
    let created;
    try {
      created = await api("keys", { method: "POST", body: JSON.stringify({ name: name.value, scopes: [scope.value], expires_in_days: Number(days.value || 0) }) });
    } catch (ex) { fill(shown, h("p", { class: "error" }, ex.message)); return; }
    fill(shown, h("div", { class: "newkey" }, h("strong", {}, "New key — shown once, copy it now: "), h("code", { id: "created-key" }, created.key)));
    name.value = ""; days.value = "";
    await load();
  } }, name, scope, days, h("button", { class: "primary", type: "submit" }, "Create key"));
  fill(main, h("h1", {}, "API keys"), form, shown,
    h("table", {}, h("thead", {}, h("tr", {}, ["Name", "Scopes", "Prefix", "Created", "Last used", "Expires", "Status", ""].map((t) => h("th", {}, t)))), list));
  await load();
}

// ---- routing -------------------------------------------------------------

async function route() {
  stopRefresh();
  if (!me) { renderSignIn(); return; }
  const hash = location.hash || "#/";
  const page = hash === "#/settings" ? "settings" : hash === "#/alerts" ? "alerts" : hash.startsWith("#/workflows") ? "workflows" : hash === "#/usage" ? "usage"
    : hash.startsWith("#/sessions") ? "sessions" : hash === "#/live" ? "live" : "monitoring";
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === page));
  try {
    if (hash.startsWith("#/executions/")) await renderDetail(hash.slice("#/executions/".length));
    else if (hash === "#/settings") await renderSettings();
    else if (hash === "#/alerts") await renderAlerts();
    else if (hash === "#/workflows") await renderWorkflows();
    else if (hash.startsWith("#/workflows/")) await renderWorkflow(hash.slice("#/workflows/".length));
    else if (hash === "#/usage") await renderUsage();
    else if (hash === "#/sessions") await renderSessions();
    else if (hash.startsWith("#/sessions/")) await renderSession(hash.slice("#/sessions/".length));
    else if (hash === "#/live") renderLive();
    else {
      if (hash.startsWith("#/?")) linkFilters(hash);
      await renderMonitoring();
    }
  } catch (ex) {
    // A 401 on the way signed out and shows the sign-in: leave it.
    if (me) fill(main, h("p", { class: "error" }, ex.message));
  }
}

window.addEventListener("hashchange", route);
document.getElementById("signout").addEventListener("click", () => signOut());
// A session from before a reload still works: the cookie goes with /api/me.
boot().catch(() => {});
