// OpenLLMetry (@traceloop/node-server-sdk): a workflow of two tasks (each a
// chat call through the instrumented openai client) and one tool; then a
// workflow whose tool fails. Env: OTLP (the collector's OTLP/HTTP base
// URL), KEY, OUT (trace ids, for the Go test).
//
// The SDK (0.27) never ends a span whose function's promise rejects, so a
// failing step records its error on its span and resolves, and the
// workflow marks itself failed: what users of this SDK do.
import { writeFileSync } from "node:fs";
import * as traceloop from "@traceloop/node-server-sdk";
import { trace, SpanStatusCode } from "@opentelemetry/api";
import OpenAI from "openai";
import { fakeOpenAI } from "./fake-openai.mjs";

const llm = await fakeOpenAI();
traceloop.initialize({
  appName: "traceloop-app", baseUrl: process.env.OTLP, headers: { "x-api-key": process.env.KEY },
  disableBatch: true, silenceInitializationMessage: true, traceloopSyncEnabled: false, instrumentModules: { openAI: OpenAI },
});
const openai = new OpenAI({ baseURL: llm.url, apiKey: "test" });
const chat = (q) => openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: q }] });
const out = {};

await traceloop.withWorkflow({ name: "research" }, async () => {
  out.ok = trace.getActiveSpan().spanContext().traceId;
  await traceloop.withTask({ name: "plan" }, () => chat("plan the research"));
  await traceloop.withTask({ name: "write" }, () => chat("write the answer"));
  await traceloop.withTool({ name: "search" }, async () => ({ hits: 3 }));
});
// fail records err on the active span as an error.
const fail = (err) => {
  const span = trace.getActiveSpan();
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  return err;
};
await traceloop.withWorkflow({ name: "failing" }, async () => {
  out.failing = trace.getActiveSpan().spanContext().traceId;
  const failed = await traceloop.withTool({ name: "lookup" }, async () => {
    try {
      throw new Error("lookup service down");
    } catch (err) {
      return fail(err);
    }
  });
  fail(failed);
});
await traceloop.forceFlush();
llm.close();
writeFileSync(process.env.OUT, JSON.stringify(out));
