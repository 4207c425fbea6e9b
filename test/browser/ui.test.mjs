// Browser tests of the monitoring UI, run by test/e2e TestBrowserUI against a
// running collector with seeded data. Env: UI_URL, API_URL, KEY (every
// scope), INGEST_KEY (ingest only), RUNNING_EXEC, ERROR_EXEC, WEBHOOK_URL
// (a receiver that answers 200), SDK_EXEC (the captured SDK flow), LOOP_EXEC
// (a run whose Search node ran five times), OTLP_EXEC (the agora_tracer
// fixture), SESSION_EXECS (two runs of session conv-ui, the first with a
// shared-store change of node N0), SCREENSHOTS, CHROMIUM.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";

const { UI_URL, API_URL, KEY, INGEST_KEY, RUNNING_EXEC, ERROR_EXEC, SDK_EXEC, LOOP_EXEC, OTLP_EXEC, WEBHOOK_URL, SCREENSHOTS, SESSION_EXECS } = process.env;

// sdk calls the Agora API with the test's key.
async function sdk(path, body) {
  const res = await fetch(API_URL + path, { method: "POST", headers: { "Content-Type": "application/json", "X-API-Key": KEY }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text);
}
let browser, context, page;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
});

after(async () => { await browser?.close(); });

test("sign in: unknown and ingest-only keys are refused; a read key gets an httpOnly session and is kept nowhere", async () => {
  await page.goto(UI_URL);
  await page.fill("#apikey", "agora_wrongwrongwrongwrongwrongwrongwrong");
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#signin-error:text('unknown API key')");
  await page.fill("#apikey", INGEST_KEY);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#signin-error:text('can only send telemetry')");
  assert.equal((await context.cookies()).length, 0, "no session for an ingest key");

  await page.fill("#apikey", KEY);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#executions tr.row");
  assert.match(await page.textContent("#org"), /ui-org/);

  const cookies = await context.cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].name, "agora_session");
  assert.equal(cookies[0].httpOnly, true, "scripts cannot read the session");
  assert.equal(cookies[0].sameSite, "Strict");
  assert.ok(!cookies[0].value.includes(KEY.slice(6)), "the cookie is not the key");
  const stored = await page.evaluate(() => JSON.stringify({
    local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, input: document.querySelector("#apikey")?.value ?? "",
  }));
  assert.ok(!stored.includes(KEY.slice(6)), "the key is in no browser storage: " + stored);
  assert.ok(!stored.includes("agora_session"), "document.cookie does not show the session");
  const answer = await page.evaluate(async () => { const r = await fetch("/api/me"); return { status: r.status, h: r.headers.get("cache-control") }; });
  assert.deepEqual(answer, { status: 200, h: "no-store" });
});

test("a running execution becomes success within the refresh, keeping filter and scroll", async () => {
  const row = `#executions tr.row[data-id="${RUNNING_EXEC}"] .badge`;
  assert.equal(await page.textContent(row), "running");
  const res = await fetch(`${API_URL}/telemetry/executions/${RUNNING_EXEC}/complete`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-API-Key": KEY }, body: JSON.stringify({ status: "success" }),
  });
  assert.equal(res.status, 200);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === "success", row, { timeout: 20000 });
  await page.screenshot({ path: `${SCREENSHOTS}/monitoring.png`, fullPage: true });
});

test("filter by error, then open the detail page with its timeline", async () => {
  await page.click('#status-filter .chip[data-status="error"]');
  await page.waitForFunction(() => {
    const badges = [...document.querySelectorAll("#executions tr.row .badge")];
    return badges.length > 0 && badges.every((b) => b.textContent === "error");
  });
  // the filter survives an auto-refresh
  await page.waitForTimeout(5500);
  const statuses = await page.$$eval("#executions tr.row .badge", (bs) => bs.map((b) => b.textContent));
  assert.ok(statuses.length > 0 && statuses.every((s) => s === "error"), statuses.join());
  assert.ok(await page.$('#status-filter .chip.active[data-status="error"]'));

  await page.click(`#executions tr.row[data-id="${ERROR_EXEC}"]`);
  await page.waitForSelector("#timeline .wrow.node");
  const nodes = await page.$$("#timeline .wrow.node");
  assert.equal(nodes.length, 3);
  for (const phase of ["prep", "exec", "post"]) {
    assert.equal((await page.$$(`#timeline .seg[data-phase="${phase}"]`)).length, 3, phase + " segments");
  }
  assert.match(await page.textContent("#detail"), /failed hard/);
  assert.doesNotMatch(await page.textContent("#detail > h1 + p + *"), /^null$/, "absent parts render nothing");
  await page.screenshot({ path: `${SCREENSHOTS}/execution-detail.png`, fullPage: true });
});

test("create and revoke a key on the settings page", async () => {
  await page.click('nav a[data-page="settings"]');
  await page.waitForSelector("#keys tr");
  await page.fill("#keyname", "browser-key");
  await page.click("#create button[type=submit]");
  await page.waitForSelector("#created-key");
  assert.match(await page.textContent("#created-key"), /^agora_[A-Za-z0-9_-]{43}$/);
  const row = page.locator("#keys tr", { hasText: "browser-key" });
  await row.waitFor();
  await row.locator("button.revoke").click();
  await page.locator("#keys tr", { hasText: "browser-key" }).locator("td.status:text('revoked')").waitFor();
  // after the revoke: the picture shows no usable key
  await page.screenshot({ path: `${SCREENSHOTS}/settings.png`, fullPage: true });
});

test("create an alert rule, send a test, see it fire in the history and on the monitoring page", async () => {
  await page.click('nav a[data-page="alerts"]');
  await page.waitForSelector("#rules");
  // A field error names the field.
  await page.fill("#rule-name", "rate above one");
  await page.fill("#rule-threshold", "2");
  await page.fill("#rule-url", WEBHOOK_URL);
  await page.click("#rule-form button[type=submit]");
  await page.waitForSelector("#rule-error:text('threshold: an error rate is from 0 to 1')");

  await page.fill("#rule-name", "wf-ui errors");
  await page.selectOption("#rule-kind", "error_rate");
  await page.fill("#rule-workflow", "wf-ui");
  await page.fill("#rule-window", "15");
  await page.fill("#rule-threshold", "0.1");
  await page.fill("#rule-samples", "1");
  await page.fill("#rule-url", WEBHOOK_URL);
  await page.click("#rule-form button[type=submit]");
  const rule = page.locator("#rules tr", { hasText: "wf-ui errors" });
  await rule.waitFor();

  await rule.locator("button.test").click();
  await page.waitForSelector("#test-result:text('Test delivered (200)')");
  // wf-ui has an error among its finished runs: above 10%, it fires.
  const firing = page.locator('#alert-history tr[data-state="firing"]');
  await firing.locator("td.delivery:text('delivered')").waitFor({ timeout: 20000 });
  await page.locator('#alert-history tr[data-state="test"] td.delivery:text("delivered")').waitFor();
  await firing.click();
  await page.waitForSelector("#deliveries td:text('delivered')");
  await page.screenshot({ path: `${SCREENSHOTS}/alerts.png`, fullPage: true });

  // The monitoring page lists it; its link opens wf-ui's errors.
  await page.click('nav a[data-page="monitoring"]');
  await page.waitForSelector('#alert-recent tr[data-state="firing"]');
  await page.click('#alert-recent tr[data-state="firing"] a.executions-link');
  await page.waitForSelector("#link-filter");
  await page.waitForFunction(() => {
    const badges = [...document.querySelectorAll("#executions tr.row .badge")];
    return badges.length > 0 && badges.every((b) => b.textContent === "error");
  });
  assert.match(await page.textContent("#link-filter"), /wf-ui/);
  await page.click("#link-filter button.clear");
  await page.waitForFunction(() => !document.querySelector("#link-filter"));
});

test("trends follow the status filter", async () => {
  await page.goto(UI_URL + "#/");
  await page.waitForSelector('#trend-counts path[data-series="executions"]');
  await page.waitForSelector('#trend-durations path[data-series="p95"]', { state: "attached" });
  const all = await page.$$eval("#trend-counts circle", (cs) => cs.length);
  await page.click('#status-filter .chip[data-status="error"]');
  await page.waitForFunction(() => document.querySelector('#status-filter .chip.active[data-status="error"]'));
  await page.waitForSelector('#trend-counts path[data-series="errors"]');
  // errors only: the executions line is the errors line
  await page.waitForFunction(() => {
    const d = (n) => document.querySelector(`#trend-counts path[data-series="${n}"]`)?.getAttribute("d");
    return d("executions") && d("executions") === d("errors");
  });
  await page.screenshot({ path: `${SCREENSHOTS}/trends.png`, fullPage: true });
  await page.click('#status-filter .chip[data-status="all"]');
  assert.ok(all > 0);
});

test("workflow graph: nodes coloured by error rate, edges with traffic; a node opens the runs where it failed", async () => {
  await page.click('nav a[data-page="workflows"]');
  await page.selectOption("#wf-range", "all");
  await page.click('#workflows tr[data-workflow="wf-demo1"]');
  await page.waitForSelector('#graph .gnode[data-node="Answer-demo1"]');
  const fillOf = (n) => page.$eval(`#graph .gnode[data-node="${n}"] rect`, (r) => r.getAttribute("fill"));
  assert.equal(await fillOf("Answer-demo1"), "rgb(214,69,69)", "every run of Answer failed: red");
  assert.equal(await fillOf("Fetch-demo1"), "rgb(31,157,85)", "no failure: green");
  assert.match(await page.textContent('#graph .gnode[data-node="Answer-demo1"]'), /1 runs · 100% err/);
  assert.ok(await page.$('#graph path[data-edge="Fetch-demo1>Think-demo1"]'));
  assert.ok(await page.$('#graph path[data-edge="Think-demo1>Answer-demo1"]'));
  await page.click('#graph .gnode[data-node="Answer-demo1"]');
  await page.waitForSelector(`#node-runs tr.row[data-id="${SDK_EXEC}"]`);
  assert.equal((await page.$$("#node-runs tr.row")).length, 1);
  await page.screenshot({ path: `${SCREENSHOTS}/workflow-graph.png`, fullPage: true });
  await page.click(`#node-runs tr.row[data-id="${SDK_EXEC}"]`);
  await page.waitForSelector('#path-graph .gnode[data-node="Answer-demo1"]');
});

test("a run's path on its graph shows a node repeated five times", async () => {
  await page.goto(UI_URL + "#/executions/" + LOOP_EXEC);
  await page.waitForSelector('#path-graph .gnode[data-node="Search"] .visits text');
  assert.equal(await page.textContent('#path-graph .gnode[data-node="Search"] .visits text'), "×5");
  assert.ok(await page.$('#path-graph path.taken[data-edge="Search>Search"]'), "the loop is an edge of the path");
  assert.match(await page.textContent("#path p"), /Plan → Search → Search → Search → Search → Search → Answer/);
  await page.screenshot({ path: `${SCREENSHOTS}/execution-path.png`, fullPage: true });
});

test("LLM-call inspector: model, provider, tokens and latency of the tracer's call", async () => {
  await page.goto(UI_URL + "#/executions/" + OTLP_EXEC);
  const call = page.locator("#llm .llmcall").first();
  await call.waitFor();
  const text = await call.textContent();
  for (const want of ["gpt-4o-mini", "openai", "openai.chat in Think", "input tokens 8", "output tokens 9", "total 17", "cost $0.0066"]) assert.ok(text.includes(want), `${want} in ${text}`);
  await page.waitForSelector('#path-graph .gnode[data-node="Think"]');
  await call.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/llm-calls.png`, fullPage: true });
});

test("usage and cost by model, workflow and day", async () => {
  await page.click('nav a[data-page="usage"]');
  await page.selectOption("#usage-range", "all");
  await page.waitForSelector('#usage-models tr[data-model="gpt-4o-mini"]');
  const row = await page.textContent('#usage-models tr[data-model="gpt-4o-mini"]');
  assert.match(row, /openai/);
  assert.match(row, /\$0\.0066/);
  await page.waitForSelector('#usage-workflows tr[data-workflow="DemoFlow"]');
  await page.waitForSelector("#usage-cost rect.bar");
  await page.screenshot({ path: `${SCREENSHOTS}/usage.png`, fullPage: true });
});

test("search finds a run by an error word; export downloads the filtered rows", async () => {
  await page.goto(UI_URL + "#/");
  await page.waitForSelector("#executions tr.row");
  await page.click('#status-filter .chip[data-status="all"]');
  await page.fill("#search", "HARD failed");
  await page.click("#search-form button[type=submit]");
  await page.waitForFunction((id) => {
    const rows = [...document.querySelectorAll("#executions tr.row")];
    return rows.length === 1 && rows[0].dataset.id === id;
  }, ERROR_EXEC);
  await page.screenshot({ path: `${SCREENSHOTS}/search.png`, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  assert.match(download.suggestedFilename(), /^executions-.*\.csv$/);
  const lines = (await readFile(await download.path(), "utf8")).trim().split("\n");
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.ok(lines[0].startsWith("execution_id,"), lines[0]);
  assert.ok(lines[1].startsWith(ERROR_EXEC + ","), lines[1]);
  // A search with no word is refused, naming the field.
  await page.fill("#search", "--");
  await page.click("#search-form button[type=submit]");
  await page.waitForSelector("#search-error:text('q: ')");
  await page.fill("#search", "");
  await page.click("#search-form button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("#executions tr.row").length > 1);
});

test("project and workflow pickers filter the list", async () => {
  await page.selectOption("#project-filter", "p");
  await page.selectOption("#workflow-filter", "wf-loop");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#executions tr.row")];
    return rows.length === 1 && rows[0].textContent.includes("wf-loop");
  });
  await page.selectOption("#project-filter", "");
  await page.waitForFunction(() => document.querySelectorAll("#executions tr.row").length > 1);
});

test("a list request that fails is tried again (a live page gets no other refresh)", async () => {
  await page.selectOption("#project-filter", "p");
  await page.waitForFunction(() => document.querySelectorAll("#executions tr.row").length > 1);
  const list = /\/api\/executions\?.*workflow=wf-loop/;
  let calls = 0;
  await page.route(list, (route) => (calls++ === 0 ? route.fulfill({ status: 503, body: '{"detail":"unavailable"}' }) : route.continue()));
  try {
    await page.selectOption("#workflow-filter", "wf-loop");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("#executions tr.row")];
      return rows.length === 1 && rows[0].textContent.includes("wf-loop");
    });
    assert.ok(calls >= 2, `the refused request and its retry, saw ${calls}`);
  } finally {
    await page.unroute(list);
  }
  await page.selectOption("#project-filter", "");
  await page.waitForFunction(() => document.querySelectorAll("#executions tr.row").length > 1);
});

test("sessions: the list has conv-ui with its totals; its page lists its runs in order", async () => {
  const [first, second] = SESSION_EXECS.split(",");
  await page.click('nav a[data-page="sessions"]');
  const row = '#sessions tr[data-session="conv-ui"]';
  await page.waitForSelector(row);
  const text = await page.textContent(row);
  assert.match(text, /^conv-ui2/, text); // two runs
  assert.match(text, /wf-chat/);
  assert.match(text, /alice/);
  await page.screenshot({ path: `${SCREENSHOTS}/sessions.png`, fullPage: true });
  await page.click(row);
  await page.waitForSelector("#session-runs tr.row");
  const ids = await page.$$eval("#session-runs tr.row", (rs) => rs.map((r) => r.dataset.id));
  assert.deepEqual(ids, [first, second]);
  await page.screenshot({ path: `${SCREENSHOTS}/session.png`, fullPage: true });
});

test("snapshot diff: what node N0 changed in the shared store", async () => {
  const [first] = SESSION_EXECS.split(",");
  await page.goto(UI_URL + "#/executions/" + first);
  const diff = page.locator('#snapshots .snapdiff[data-node="N0"]');
  await diff.waitFor();
  assert.match(await diff.locator('tr.change.added[data-path="forecast"]').textContent(), /rain/);
  assert.match(await diff.locator('tr.change.changed[data-path="step"]').textContent(), /12/);
  assert.equal(await diff.locator('tr[data-path="question"]').count(), 0, "unchanged keys are not listed");
  assert.equal(await page.textContent("#session-link"), "conv-ui");
  await diff.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/snapshot-diff.png`, fullPage: true });
});

test("live tail: a new execution within 2 s of the SDK call; pause, clear and the node filter", async () => {
  await page.goto(UI_URL + "#/live");
  await page.waitForSelector('#live-state[data-state="live"]');
  const sent = Date.now();
  const { execution_id: exec } = await sdk("/telemetry/executions/start", { workflow_name: "wf-live", project_name: "p" });
  await page.waitForSelector(`#live-rows tr[data-kind="execution"][data-id="${exec}"]`, { timeout: 10000 });
  const took = Date.now() - sent;
  assert.ok(took < 2000, `shown ${took} ms after the call`);
  await sdk("/telemetry/batch", { execution_id: exec, workflow_name: "wf-live", project_name: "p", events: [], node_executions: [
    { node_name: "Step", node_type: "T", status: "success", started_at: new Date().toISOString(), completed_at: new Date().toISOString(), retry_count: 0 }] });
  await sdk(`/telemetry/executions/${exec}/complete`, { status: "success" });
  await page.waitForSelector(`#live-rows tr[data-kind="node"][data-id="${exec}"]`);
  await page.waitForFunction((id) => [...document.querySelectorAll(`#live-rows tr[data-kind="execution"][data-id="${id}"]`)].some((r) => r.textContent.includes("success")), exec);
  await page.screenshot({ path: `${SCREENSHOTS}/live.png`, fullPage: true });

  await page.click("#live-clear");
  assert.equal(await page.locator("#live-rows tr").count(), 0);
  await page.click("#live-pause");
  const { execution_id: paused } = await sdk("/telemetry/executions/start", { workflow_name: "wf-live", project_name: "p" });
  await page.waitForFunction(() => /while paused/.test(document.querySelector("#live-count").textContent));
  assert.equal(await page.locator(`#live-rows tr[data-id="${paused}"]`).count(), 0, "nothing is shown while paused");
  await page.click("#live-pause");

  await page.selectOption("#live-only", "node");
  await page.waitForSelector('#live-state[data-state="live"]');
  await sdk("/telemetry/batch", { execution_id: paused, workflow_name: "wf-live", project_name: "p", events: [], node_executions: [
    { node_name: "Only", node_type: "T", status: "success", started_at: new Date().toISOString(), completed_at: new Date().toISOString(), retry_count: 0 }] });
  await page.waitForSelector(`#live-rows tr[data-kind="node"][data-id="${paused}"]`);
  const kinds = await page.$$eval("#live-rows tr", (rs) => rs.map((r) => r.dataset.kind));
  assert.ok(kinds.every((k) => k === "node"), kinds.join());
  await page.selectOption("#live-only", "");
});

test("sign out ends the session", async () => {
  await page.click("#signout");
  await page.waitForSelector("#signin");
  const status = await page.evaluate(async () => (await fetch("/api/me")).status);
  assert.equal(status, 401);
  await page.reload();
  await page.waitForSelector("#signin");
});
