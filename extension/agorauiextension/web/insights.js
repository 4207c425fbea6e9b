// Agora monitoring UI: the workflow graph, LLM calls, usage and trends.
// Loaded before app.js; uses its helpers (h, fill, api, fmt*) at call time.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) el.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const PALETTE = ["#2f6fdf", "#d64545", "#b7791f", "#1f9d55", "#7c5cd6", "#0f8b8d", "#c2410c", "#6b7485"];
const fmtNum = (n) => (n >= 1e6 ? (n / 1e6).toFixed(1) + "M" : n >= 1e4 ? (n / 1e3).toFixed(1) + "k" : String(Math.round(n * 100) / 100));

// ---- charts ----------------------------------------------------------------

// lineChart draws series [{name, color, points: [[Date, value]]}] over a
// shared time axis.
function lineChart(id, title, series, fmtY = fmtNum) {
  const W = 640, H = 180, L = 48, R = 12, T = 12, B = 24;
  const all = series.flatMap((x) => x.points);
  const t0 = Math.min(...all.map((p) => p[0].getTime())), t1 = Math.max(...all.map((p) => p[0].getTime()), t0 + 1);
  const yMax = Math.max(...all.map((p) => p[1]), 1e-9);
  const x = (t) => L + ((t.getTime() - t0) / (t1 - t0)) * (W - L - R);
  const y = (v) => T + (1 - v / yMax) * (H - T - B);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", id, role: "img", "aria-label": title });
  for (const f of [0, 0.5, 1]) {
    svg.append(s("line", { x1: L, x2: W - R, y1: y(yMax * f), y2: y(yMax * f), class: "grid" }),
      s("text", { x: L - 6, y: y(yMax * f) + 4, class: "axis", "text-anchor": "end" }, fmtY(yMax * f)));
  }
  svg.append(s("text", { x: L, y: H - 6, class: "axis" }, new Date(t0).toLocaleString()),
    s("text", { x: W - R, y: H - 6, class: "axis", "text-anchor": "end" }, new Date(t1).toLocaleString()));
  for (const ser of series) {
    if (!ser.points.length) continue;
    const d = ser.points.map((p, i) => (i ? "L" : "M") + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1)).join(" ");
    svg.append(s("path", { d, class: "line", stroke: ser.color, "data-series": ser.name }));
    if (ser.points.length <= 120) for (const p of ser.points) svg.append(s("circle", { cx: x(p[0]), cy: y(p[1]), r: 2.5, fill: ser.color }, s("title", {}, `${ser.name}: ${fmtY(p[1])} at ${p[0].toLocaleString()}`)));
  }
  return h("div", { class: "card chartcard" }, h("div", { class: "label" }, title, " ",
    ...series.map((ser) => h("span", { class: "key" }, h("i", { style: `background:${ser.color}` }), ser.name))), svg);
}

// barChart draws stacked bars: labels along x, stacks [{name, color, values}].
function barChart(id, title, labels, stacks, fmtY = fmtNum) {
  const W = 640, H = 200, L = 56, R = 12, T = 12, B = 28;
  const totals = labels.map((_, i) => stacks.reduce((a, st) => a + (st.values[i] || 0), 0));
  const yMax = Math.max(...totals, 1e-9);
  const bw = (W - L - R) / Math.max(labels.length, 1);
  const y = (v) => T + (1 - v / yMax) * (H - T - B);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", id, role: "img", "aria-label": title });
  for (const f of [0, 0.5, 1]) {
    svg.append(s("line", { x1: L, x2: W - R, y1: y(yMax * f), y2: y(yMax * f), class: "grid" }),
      s("text", { x: L - 6, y: y(yMax * f) + 4, class: "axis", "text-anchor": "end" }, fmtY(yMax * f)));
  }
  labels.forEach((label, i) => {
    let base = 0;
    for (const st of stacks) {
      const v = st.values[i] || 0;
      if (!v) continue;
      svg.append(s("rect", { x: L + i * bw + 2, width: Math.max(bw - 4, 1), y: y(base + v), height: Math.max(y(base) - y(base + v), 0.5), fill: st.color, class: "bar", "data-label": label },
        s("title", {}, `${label} · ${st.name}: ${fmtY(v)}`)));
      base += v;
    }
    if (labels.length <= 16 || i % Math.ceil(labels.length / 16) === 0) svg.append(s("text", { x: L + i * bw + bw / 2, y: H - 8, class: "axis", "text-anchor": "middle" }, label));
  });
  return h("div", { class: "card chartcard" }, h("div", { class: "label" }, title, " ",
    ...stacks.map((st) => h("span", { class: "key" }, h("i", { style: `background:${st.color}` }), st.name))), svg);
}

// trends: Monitoring's charts over the API's series.
function renderTrends(el, m, fromISO) {
  if (!m.series.length) { fill(el, h("p", { class: "muted" }, "no executions in this range")); return; }
  // Counts over every bucket of the range (none is zero, not a gap);
  // durations only where there were runs.
  const step = m.bucket_seconds * 1000;
  const byT = new Map(m.series.map((p) => [new Date(p.t).getTime(), p]));
  const first = Math.min(Math.floor(new Date(fromISO).getTime() / step) * step, ...byT.keys());
  const last = Math.max(Math.floor(Date.now() / step) * step, ...byT.keys());
  const buckets = [];
  for (let t = first; t <= last && buckets.length < 1000; t += step) buckets.push(t);
  const counts = (f) => buckets.map((t) => [new Date(t), byT.has(t) ? f(byT.get(t)) : 0]);
  const pts = (f) => m.series.map((p) => [new Date(p.t), f(p)]);
  fill(el,
    lineChart("trend-counts", "Executions per " + fmtBucket(m.bucket_seconds), [
      { name: "executions", color: PALETTE[0], points: counts((p) => p.executions) },
      { name: "errors", color: PALETTE[1], points: counts((p) => p.errors) },
      { name: "timeouts", color: PALETTE[2], points: counts((p) => p.timeouts) }]),
    lineChart("trend-durations", "Duration", [
      { name: "p50", color: PALETTE[3], points: pts((p) => p.p50_ms) },
      { name: "p95", color: PALETTE[4], points: pts((p) => p.p95_ms) }], fmtMs));
}
const fmtBucket = (s) => (s >= 86400 ? "day" : s >= 3600 ? "hour" : s / 60 + " min");

// bucketFor picks the series bucket for a range: about 48 points.
function bucketFor(fromISO) {
  const span = (Date.now() - new Date(fromISO).getTime()) / 1000;
  for (const b of [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400]) if (span / b <= 60) return b;
  return 86400;
}

// ---- workflow graph -------------------------------------------------------

// layout places nodes in layers: a node one layer after the latest of its
// predecessors along edges that do not close a loop (found by a walk from
// the nodes nothing leads to, in the graph's order).
function layout(nodes, edges) {
  const names = nodes.map((n) => n.name);
  const out = new Map(names.map((n) => [n, []]));
  const indeg = new Map(names.map((n) => [n, 0]));
  for (const e of edges) { if (out.has(e.from) && out.has(e.to)) { out.get(e.from).push(e); indeg.set(e.to, indeg.get(e.to) + 1); } }
  const back = new Set(), state = new Map();
  const walk = (n) => {
    state.set(n, 1);
    for (const e of out.get(n)) {
      if (state.get(e.to) === 1) back.add(e);
      else if (!state.has(e.to)) walk(e.to);
    }
    state.set(n, 2);
  };
  for (const n of names.filter((n) => indeg.get(n) === 0)) if (!state.has(n)) walk(n);
  for (const n of names) if (!state.has(n)) walk(n);
  const layer = new Map(names.map((n) => [n, 0]));
  for (let i = 0; i < names.length; i++) {
    let moved = false;
    for (const e of edges) {
      if (back.has(e) || e.from === e.to || !layer.has(e.from) || !layer.has(e.to)) continue;
      if (layer.get(e.to) < layer.get(e.from) + 1) { layer.set(e.to, layer.get(e.from) + 1); moved = true; }
    }
    if (!moved) break;
  }
  const rows = new Map();
  for (const n of names) { const l = layer.get(n); if (!rows.has(l)) rows.set(l, []); rows.get(l).push(n); }
  const pos = new Map();
  // Room above each row for a self-loop, between layers for edge labels.
  for (const [l, ns] of rows) ns.forEach((n, i) => pos.set(n, { x: 24 + l * 270, y: 56 + i * 120 }));
  return { pos, back, width: 24 + (Math.max(...layer.values(), 0) + 1) * 270, height: 56 + Math.max(...[...rows.values()].map((r) => r.length), 1) * 120 };
}

const errColor = (rate) => {
  const t = Math.min(rate / 0.5, 1); // 50% errors and more: fully red
  const mix = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${mix(31, 214)},${mix(157, 69)},${mix(85, 69)})`;
};

// drawGraph renders a graph; opts.visits (name -> count) and opts.taken
// (from>to set) highlight one run's path; opts.onNode makes nodes
// clickable.
function drawGraph(graph, opts = {}) {
  const NW = 170, NH = 58;
  const { pos, back, width, height } = layout(graph.nodes, graph.edges);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height + 30}`, class: "graph", id: opts.id || "graph", width: "100%", style: `max-height:${height + 60}px` },
    s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" },
      s("path", { d: "M0 0 L10 5 L0 10 z", fill: "#6b7485" }))));
  const maxTraffic = Math.max(1, ...graph.edges.map((e) => e.traffic));
  for (const e of graph.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const taken = opts.taken && opts.taken.has(e.from + ">" + e.to);
    const cls = "edge" + (taken ? " taken" : "") + (opts.taken && !taken ? " dim" : "");
    const w = 1 + (3 * e.traffic) / maxTraffic;
    let d, lx, ly;
    if (e.from === e.to) { // a node repeating itself: a loop above it
      d = `M${a.x + NW * 0.3} ${a.y} C ${a.x + NW * 0.3} ${a.y - 44}, ${a.x + NW * 0.7} ${a.y - 44}, ${a.x + NW * 0.7} ${a.y}`;
      lx = a.x + NW / 2; ly = a.y - 38;
    } else if (back.has(e) || b.x <= a.x) { // a loop back: below the nodes
      const yb = Math.max(a.y, b.y) + NH + 22;
      d = `M${a.x + NW / 2} ${a.y + NH} C ${a.x + NW / 2} ${yb}, ${b.x + NW / 2} ${yb}, ${b.x + NW / 2} ${b.y + NH}`;
      lx = (a.x + b.x + NW) / 2; ly = yb - 2;
    } else {
      const x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2;
      d = `M${x1} ${y1} C ${x1 + 40} ${y1}, ${x2 - 40} ${y2}, ${x2} ${y2}`;
      lx = (x1 + x2) / 2; ly = (y1 + y2) / 2 - 8;
    }
    svg.append(s("path", { d, class: cls, "stroke-width": w.toFixed(1), "marker-end": "url(#arrow)", "data-edge": e.from + ">" + e.to }),
      s("text", { x: lx, y: ly, class: "edgelabel", "text-anchor": "middle" }, (e.action || "→") + (e.traffic ? ` (${e.traffic})` : "")));
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.name);
    const visits = opts.visits ? opts.visits.get(n.name) || 0 : null;
    const g = s("g", { class: "gnode" + (opts.onNode ? " clickable" : "") + (visits === 0 ? " dim" : ""), "data-node": n.name, transform: `translate(${p.x},${p.y})`,
      onclick: opts.onNode ? () => opts.onNode(n) : null },
      s("rect", { width: NW, height: NH, rx: 8, fill: n.runs ? errColor(n.error_rate) : "#9aa5b8" }),
      s("text", { x: 10, y: 20, class: "gname" }, n.name.length > 22 ? n.name.slice(0, 21) + "…" : n.name),
      s("text", { x: 10, y: 38, class: "gstat" }, n.runs ? `${n.runs} runs · ${(n.error_rate * 100).toFixed(0)}% err` : "no runs"),
      s("text", { x: 10, y: 52, class: "gstat" }, n.runs ? `p50 ${fmtMs(n.p50_ms)} · p95 ${fmtMs(n.p95_ms)}` : n.type || ""),
      s("title", {}, `${n.name}: ${n.runs} runs, ${n.errors} errors, ${n.retries} retries`));
    if (visits > 1) g.append(s("g", { class: "visits" }, s("circle", { cx: NW, cy: 0, r: 13 }), s("text", { x: NW, y: 4, "text-anchor": "middle" }, "×" + visits)));
    svg.append(g);
  }
  return svg;
}

const graphRange = { range: "86400" };

async function renderWorkflows() {
  const tbody = h("tbody", { id: "workflows" });
  const range = h("select", { id: "wf-range", onchange: (e) => { graphRange.range = e.target.value; load(); } },
    ...RANGES.map(([v, label]) => h("option", { value: v, selected: v === graphRange.range || null }, label)));
  fill(main, h("h1", {}, "Workflows"), h("div", { class: "toolbar" }, range),
    h("table", {}, h("thead", {}, h("tr", {}, ["Workflow", "Executions", "Success", "Errors", "Timeouts", "Running", "Last started"].map((t) => h("th", {}, t)))), tbody));
  async function load() {
    const { workflows } = await api("workflows?" + new URLSearchParams({ from: fromOf(graphRange.range) }));
    fill(tbody, ...(workflows.length ? workflows.map((w) => h("tr", { class: "row", "data-workflow": w.workflow_name, onclick: () => { location.hash = `#/workflows/${w.workflow_id}`; } },
      h("td", {}, w.workflow_name, h("div", { class: "muted" }, w.project_name)), h("td", { class: "num" }, w.executions), h("td", { class: "num" }, w.success),
      h("td", { class: "num" }, w.error), h("td", { class: "num" }, w.timeout), h("td", { class: "num" }, w.running), h("td", {}, fmtTime(w.last_started_at))))
      : [h("tr", {}, h("td", { colspan: 7, class: "muted" }, "no workflows in this range"))]));
  }
  await load();
}

const fromOf = (range) => (range === "all" ? new Date(0) : new Date(Date.now() - Number(range) * 1000)).toISOString();

async function renderWorkflow(id) {
  const box = h("div", { id: "graph-box" });
  const title = h("h1", {}, "Workflow");
  const trouble = h("div", { id: "node-executions" });
  const range = h("select", { id: "graph-range", onchange: (e) => { graphRange.range = e.target.value; load(); } },
    ...RANGES.map(([v, label]) => h("option", { value: v, selected: v === graphRange.range || null }, label)));
  fill(main, h("p", {}, h("a", { href: "#/workflows" }, "← Workflows")), title,
    h("div", { class: "toolbar" }, range, h("span", { class: "muted" }, "colour: error rate · edge width: traffic · click a node for the runs where it failed or retried")), box, trouble);
  let workflowName = "";
  async function load() {
    const g = await api(`workflows/${encodeURIComponent(id)}/graph?` + new URLSearchParams({ from: fromOf(graphRange.range) }));
    const wf = await api("workflows?" + new URLSearchParams({ from: fromOf(graphRange.range) }));
    const w = wf.workflows.find((x) => x.workflow_id === id);
    workflowName = w ? w.workflow_name : "";
    fill(title, w ? w.workflow_name : "Workflow", w ? h("span", { class: "muted" }, " · " + w.project_name) : null);
    fill(box, g.graph.nodes.length ? drawGraph(g.graph, { onNode: showNode }) : h("p", { class: "muted" }, "no runs in this range"));
  }
  async function showNode(n) {
    const q = new URLSearchParams({ node: n.name, from: fromOf(graphRange.range), limit: "50" });
    if (workflowName) q.set("workflow", workflowName);
    const { executions } = await api("executions?" + q);
    fill(trouble, h("h2", {}, `Runs where ${n.name} failed or retried`),
      h("table", {}, h("thead", {}, h("tr", {}, ["Status", "Started", "Duration", "Retries", "Error"].map((t) => h("th", {}, t)))),
        h("tbody", { id: "node-runs" }, executions.length ? executions.map((e) => h("tr", { class: "row", "data-id": e.execution_id, onclick: () => { location.hash = "#/executions/" + e.execution_id; } },
          h("td", {}, badge(e.status)), h("td", {}, fmtTime(e.started_at)), h("td", { class: "num" }, fmtMs(e.duration_ms)), h("td", { class: "num" }, e.retry_count), h("td", { class: "error" }, e.error_message)))
          : h("tr", {}, h("td", { colspan: 5, class: "muted" }, "none in this range")))));
  }
  await load();
}

// drawPath: one run's way through its workflow's graph.
async function drawPath(el, e, nodes) {
  if (!e.workflow_id || e.workflow_id === "00000000-0000-0000-0000-000000000000" || !nodes.length) { fill(el); return; }
  const from = new Date(new Date(e.started_at).getTime() - 7 * 86400e3).toISOString();
  let g;
  try { g = await api(`workflows/${e.workflow_id}/graph?` + new URLSearchParams({ from })); } catch (_) { fill(el); return; }
  const order = [...nodes].sort((a, b) => new Date(a.started_at) - new Date(b.started_at));
  const visits = new Map(), taken = new Set();
  order.forEach((n, i) => { visits.set(n.node_name, (visits.get(n.node_name) || 0) + 1); if (i) taken.add(order[i - 1].node_name + ">" + n.node_name); });
  // This run's moves are edges even when the window's traffic missed them.
  const have = new Set(g.graph.edges.map((x) => x.from + ">" + x.to));
  for (const t of taken) if (!have.has(t)) { const [from_, to] = t.split(">"); g.graph.edges.push({ from: from_, to, action: "", traffic: 0 }); }
  for (const name of visits.keys()) if (!g.graph.nodes.some((n) => n.name === name)) g.graph.nodes.push({ name, runs: 0, error_rate: 0 });
  fill(el, h("h2", {}, "Path"), h("p", { class: "muted" }, order.map((n) => n.node_name).join(" → ")), drawGraph(g.graph, { id: "path-graph", visits, taken }));
}

// drawLLM: the LLM-call inspector. A call whose span carries no cost, alone
// in its step, shows the step's (priced by the collector's price table).
function drawLLM(el, calls, nodes = []) {
  if (!calls.length) { fill(el); return; }
  for (const c of calls) {
    if (c.cost !== null || !c.step || calls.filter((x) => x.step === c.step).length !== 1) continue;
    const n = nodes.filter((x) => x.node_name === c.step);
    if (n.length === 1 && n[0].estimated_cost !== null) c.cost = n[0].estimated_cost;
  }
  fill(el, h("h2", {}, `LLM calls (${calls.length})`), ...calls.map((c) => h("div", { class: "card llmcall", "data-span": c.span_id },
    h("div", { class: "llmhead" }, h("strong", {}, c.model || "model not named"), c.provider ? h("span", { class: "muted" }, " · " + c.provider) : null,
      h("span", { class: "muted" }, " · " + c.name + (c.step ? " in " + c.step : "")), c.status === "Error" ? badge("error") : null),
    h("div", { class: "llmfacts" }, ...[["input tokens", c.input_tokens], ["output tokens", c.output_tokens], ["total", c.total_tokens], ["latency", fmtMs(c.latency_ms)],
      ["finish", c.finish_reason || null], ["cost", c.cost !== null ? fmtCost(c.cost) : null]].filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => h("span", { class: "fact" }, h("span", { class: "muted" }, k + " "), v))),
    c.error ? h("p", { class: "error" }, c.error) : null,
    jsonView("prompt", c.prompt), jsonView("completion", c.completion),
    ...c.exceptions.map((x) => h("details", { open: true, class: "exception" }, h("summary", {}, `${x.type || "exception"}: ${x.message}`), h("pre", {}, x.stacktrace || "(no stack trace)"))))));
}

// ---- usage ----------------------------------------------------------------

const usageState = { range: "604800" };

async function renderUsage() {
  const range = h("select", { id: "usage-range", onchange: (e) => { usageState.range = e.target.value; load(); } },
    ...RANGES.map(([v, label]) => h("option", { value: v, selected: v === usageState.range || null }, label)));
  const body = h("div", { id: "usage" });
  fill(main, h("h1", {}, "Usage and cost"), h("div", { class: "toolbar" }, range), body);
  async function load() {
    const u = await api("usage?" + new URLSearchParams({ from: fromOf(usageState.range) }));
    const days = [...new Set(u.by_day_model.map((r) => r.day.slice(0, 10)))].sort();
    const models = [...new Set(u.by_day_model.map((r) => r.model))];
    const stack = (field) => models.map((m, i) => ({ name: m, color: PALETTE[i % PALETTE.length],
      values: days.map((d) => u.by_day_model.filter((r) => r.model === m && r.day.slice(0, 10) === d).reduce((a, r) => a + r[field], 0)) }));
    const totalCost = u.by_day.reduce((a, r) => a + r.cost, 0), totalTokens = u.by_day.reduce((a, r) => a + r.total_tokens, 0);
    const card = (label, value) => h("div", { class: "card metric" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
    const table = (id, head, rows) => h("table", { id }, h("thead", {}, h("tr", {}, head.map((t) => h("th", {}, t)))), h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: head.length, class: "muted" }, "no usage in this range"))));
    fill(body,
      h("div", { class: "cards" }, card("Tokens", fmtNum(totalTokens)), card("Cost", fmtCost(totalCost)), card("Models", models.length), card("Executions", u.by_day.reduce((a, r) => a + r.executions, 0))),
      days.length ? h("div", { class: "charts" }, barChart("usage-cost", "Cost by day and model", days, stack("cost"), (v) => "$" + v.toFixed(v < 1 ? 4 : 2)),
        barChart("usage-tokens", "Tokens by day and model", days, stack("total_tokens"))) : null,
      h("h2", {}, "By model"),
      table("usage-models", ["Model", "Provider", "Node runs", "Input tokens", "Output tokens", "Total tokens", "Cost"], u.by_model.map((r) => h("tr", { "data-model": r.model },
        h("td", {}, r.model), h("td", {}, r.provider || "—"), h("td", { class: "num" }, r.node_runs), h("td", { class: "num" }, r.prompt_tokens), h("td", { class: "num" }, r.completion_tokens),
        h("td", { class: "num" }, r.total_tokens), h("td", { class: "num" }, fmtCost(r.cost))))),
      h("h2", {}, "By workflow"),
      table("usage-workflows", ["Workflow", "Executions", "Input tokens", "Output tokens", "Total tokens", "Cost"], u.by_workflow.map((r) => h("tr", { "data-workflow": r.workflow_name },
        h("td", {}, r.workflow_name || "—", h("div", { class: "muted" }, r.project_name)), h("td", { class: "num" }, r.executions), h("td", { class: "num" }, r.prompt_tokens),
        h("td", { class: "num" }, r.completion_tokens), h("td", { class: "num" }, r.total_tokens), h("td", { class: "num" }, fmtCost(r.cost))))),
      h("h2", {}, "By day"),
      table("usage-days", ["Day", "Executions", "Total tokens", "Cost"], u.by_day.map((r) => h("tr", {}, h("td", {}, r.day.slice(0, 10)),
        h("td", { class: "num" }, r.executions), h("td", { class: "num" }, r.total_tokens), h("td", { class: "num" }, fmtCost(r.cost))))),
      h("p", { class: "muted" }, "By model: LLM calls made within node executions. By workflow and day: each execution's whole usage."));
  }
  await load();
}
