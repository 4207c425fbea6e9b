// OTel GenAI semantic conventions, from the OTel JS SDK: invoke_agent as
// the run, chat calls (with usage, model, provider), an execute_tool step,
// a conversation id; then a run whose tool throws.
import { writeFileSync } from "node:fs";
import { trace, SpanStatusCode, SpanKind } from "@opentelemetry/api";
import { provider } from "./otel.mjs";

const tp = provider("genai-app");
const tracer = trace.getTracer("planner-agent");
const out = {};

async function span(name, attrs, fn, kind = SpanKind.INTERNAL) {
  return tracer.startActiveSpan(name, { kind, attributes: attrs }, async (s) => {
    try {
      const r = await fn(s);
      s.setStatus({ code: SpanStatusCode.OK });
      return r;
    } catch (e) {
      s.recordException(e);
      s.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      throw e;
    } finally {
      s.end();
    }
  });
}

const chat = (model) => span(`chat ${model}`, {
  "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": model, "gen_ai.response.model": model,
  "gen_ai.usage.input_tokens": 20, "gen_ai.usage.output_tokens": 5,
}, async () => "ok", SpanKind.CLIENT);

await span("invoke_agent Planner", { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Planner", "gen_ai.conversation.id": "conv-7",
  // an agent span repeating its children's usage: must not count twice
  "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 30, "gen_ai.request.model": "gpt-4.1" }, async (root) => {
  out.ok = root.spanContext().traceId;
  await chat("gpt-4.1");
  await span("execute_tool get_weather", { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather" }, async () => "sunny");
  await chat("gpt-4.1-mini");
});
try {
  await span("invoke_agent Booker", { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Booker" }, async (root) => {
    out.failing = root.spanContext().traceId;
    await span("execute_tool book_flight", { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "book_flight" }, async () => { throw new Error("no seats left"); });
  });
} catch { /* meant */ }
await tp.forceFlush();
await tp.shutdown();
writeFileSync(process.env.OUT, JSON.stringify(out));
