// The current Agora SDK's Supabase uploads, as its SupabaseUploader makes
// them through supabase-py, driven here by supabase-js's PostgREST client
// (the query builder inside supabase-js) against the collector. Run by
// test/e2e TestPostgRESTSDKFlow. Env: URL (the Agora API listener), KEY,
// OTHER_KEY (another org's), STARTED (ISO time of the run), OUT (where the
// ids go for the Go test's assertions).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { PostgrestClient } from "@supabase/postgrest-js";

const { URL, KEY, OTHER_KEY, STARTED, OUT } = process.env;
// As supabase-py configures it: <url>/rest/v1, the key as apikey and Bearer.
const client = (key) => new PostgrestClient(`${URL}/rest/v1`, { headers: { apikey: key, Authorization: `Bearer ${key}` } });
const db = client(KEY);
const at = (ms) => new Date(Date.parse(STARTED) + ms).toISOString();
const out = { columnsStripped: [] };

// insert, with the SDK's answer to PGRST204: strip the column PostgREST
// says it does not know, and retry.
async function insert(table, row) {
  row = { ...row };
  for (;;) {
    const { data, error } = await db.from(table).insert(row).select();
    if (!error) return data[0];
    const col = error.code === "PGRST204" && /'([^']+)' column/.exec(error.message);
    if (!col) throw new Error(`${table}: ${error.code} ${error.message}`);
    out.columnsStripped.push(`${table}.${col[1]}`);
    delete row[col[1]];
  }
}

async function lookup(table, filters) {
  let q = db.from(table).select("id");
  for (const [k, v] of Object.entries(filters)) q = q.eq(k, v);
  const { data, error } = await q.limit(1);
  if (error) throw new Error(`${table}: ${error.code} ${error.message}`);
  return data[0]?.id;
}

const nodes = [
  { name: "Think", type: "TracedAsyncNode", code: "async def exec_async(self, prep):\n    return await call_llm(prep)", start: 0, prep: 5, exec: 60, post: 5, retries: 0, tokens: 17, cost: 0.0012 },
  { name: "Act", type: "TracedAsyncNode", code: "async def exec_async(self, prep):\n    return await tool(prep)", start: 80, prep: 4, exec: 30, post: 6, retries: 1, tokens: 0, cost: 0 },
  { name: "Answer", type: "TracedAsyncNode", code: "async def exec_async(self, prep):\n    raise ValueError('no answer')", start: 130, prep: 3, exec: 10, post: 0, retries: 0, tokens: 0, cost: 0, error: "no answer" },
];

test("the SDK's upload sequence", async () => {
  // 1-3: organization, project, workflow
  const { data: orgs, error } = await db.from("organizations").select("id").limit(1);
  assert.equal(error, null);
  const org = orgs[0].id;
  const project = (await lookup("projects", { organization_id: org, name: "pg-project" })) ??
    (await insert("projects", { organization_id: org, name: "pg-project", description: "" })).id;
  const workflow = (await lookup("workflows", { project_id: project, name: "PgFlow" })) ??
    (await insert("workflows", { project_id: project, name: "PgFlow", type: "sequential", config: {} })).id;

  // 4: the execution
  const exec = await insert("executions", { workflow_id: workflow, status: "running", input_data: { q: "2+2" }, started_at: at(0) });
  assert.ok(exec.id);

  // 5: the graph, at every flow start: nodes with their code, edges with actions
  const nodeIds = {};
  for (const n of nodes) {
    const id = await lookup("nodes", { workflow_id: workflow, name: n.name });
    if (id) {
      const { error } = await db.from("nodes").update({ code: n.code }).eq("id", id);
      assert.equal(error, null);
      nodeIds[n.name] = id;
    } else {
      nodeIds[n.name] = (await insert("nodes", { workflow_id: workflow, name: n.name, type: n.type, code: n.code, config: { description: `${n.name} node`, node_type: n.type } })).id;
    }
  }
  for (const [from, to] of [["Think", "Act"], ["Act", "Answer"]]) {
    const found = await lookup("edges", { workflow_id: workflow, from_node_id: nodeIds[from], to_node_id: nodeIds[to] });
    if (!found) await insert("edges", { workflow_id: workflow, from_node_id: nodeIds[from], to_node_id: nodeIds[to], action: "default" });
  }

  // 6: node runs; the first carries a column this server does not have
  for (const [i, n] of nodes.entries()) {
    const nodeId = await lookup("nodes", { workflow_id: workflow, name: n.name });
    assert.equal(nodeId, nodeIds[n.name]);
    const row = {
      execution_id: exec.id, node_id: nodeId, status: n.error ? "error" : "success", started_at: at(n.start),
      completed_at: at(n.start + n.prep + n.exec + n.post), prep_duration_ms: n.prep, exec_duration_ms: n.exec, post_duration_ms: n.post,
      error_message: n.error ?? null, retry_count: n.retries, tokens_used: n.tokens, estimated_cost: n.cost,
    };
    if (i === 0) row.sdk_version = "0.4.2";
    await insert("node_executions", row);
  }

  // 7: spans, buffered
  const spans = nodes.map((n, i) => ({
    execution_id: exec.id, span_id: `00f067aa0ba902b${i}`, trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", parent_span_id: null,
    name: `${n.name}.exec`, kind: "SpanKind.INTERNAL", status: n.error ? "ERROR" : "OK", start_time: at(n.start + n.prep),
    end_time: at(n.start + n.prep + n.exec), duration_ms: n.exec, attributes: { "agora.node": n.name }, events: [],
    tokens_used: n.tokens, estimated_cost: n.cost,
  }));
  const { error: spanError } = await db.from("telemetry_spans").insert(spans);
  assert.equal(spanError, null);

  // 8: complete: read the start back, then update
  const { data: started, error: startError } = await db.from("executions").select("started_at").eq("id", exec.id).single();
  assert.equal(startError, null);
  const duration = 200;
  assert.equal(Date.parse(started.started_at), Date.parse(at(0)));
  const { error: doneError } = await db.from("executions").update({
    status: "error", completed_at: at(duration), duration_ms: duration, output_data: { answer: null }, error_message: "node Answer failed",
  }).eq("id", exec.id);
  assert.equal(doneError, null);

  Object.assign(out, { org, project, workflow, execution: exec.id, nodes: nodeIds });
});

test("another org's key sees no such execution and updates nothing", async () => {
  const other = client(OTHER_KEY);
  const { data, error } = await other.from("executions").select("started_at").eq("id", out.execution).single();
  assert.equal(data, null);
  assert.equal(error.code, "PGRST116");
  const { data: updated, error: updateError } = await other.from("executions").update({ status: "success" }).eq("id", out.execution).select();
  assert.equal(updateError, null);
  assert.deepEqual(updated, []);
  const { error: nodeError } = await other.from("node_executions").insert({ execution_id: out.execution, node_id: out.nodes.Think, status: "success", started_at: at(0) });
  assert.equal(nodeError.code, "23503");
  writeFileSync(OUT, JSON.stringify(out));
});
