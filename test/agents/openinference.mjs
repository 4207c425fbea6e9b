// OpenInference (Arize's openai instrumentation): a CHAIN run with an AGENT
// step making two chat calls and a TOOL step, spans annotated with
// OpenInference's semantic conventions; then a chain whose tool throws.
import { writeFileSync } from "node:fs";
import { trace, context, SpanStatusCode } from "@opentelemetry/api";
import { OpenAIInstrumentation } from "@arizeai/openinference-instrumentation-openai";
import { SemanticConventions, OpenInferenceSpanKind } from "@arizeai/openinference-semantic-conventions";
import OpenAI from "openai";
import { provider } from "./otel.mjs";
import { fakeOpenAI } from "./fake-openai.mjs";

const llm = await fakeOpenAI();
const tp = provider("openinference-app");
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(tp);
instrumentation.manuallyInstrument(OpenAI);
const openai = new OpenAI({ baseURL: llm.url, apiKey: "test" });
const tracer = trace.getTracer("support-bot");
const out = {};

// span runs fn in a span of this OpenInference kind, recording failures.
async function span(name, kind, attrs, fn) {
  return tracer.startActiveSpan(name, { attributes: { [SemanticConventions.OPENINFERENCE_SPAN_KIND]: kind, ...attrs } }, async (s) => {
    try {
      const result = await fn(s);
      s.setAttribute(SemanticConventions.OUTPUT_VALUE, JSON.stringify(result ?? null));
      s.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (e) {
      s.recordException(e);
      s.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      throw e;
    } finally {
      s.end();
    }
  });
}

await span("support", OpenInferenceSpanKind.CHAIN, { [SemanticConventions.INPUT_VALUE]: JSON.stringify({ question: "where is my order?" }), [SemanticConventions.SESSION_ID]: "session-42" }, async (root) => {
  out.ok = root.spanContext().traceId;
  await span("triage", OpenInferenceSpanKind.AGENT, {}, async () => {
    await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "classify" }] });
    return openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "answer" }] }).then((r) => r.choices[0].message.content);
  });
  await span("order_lookup", OpenInferenceSpanKind.TOOL, { [SemanticConventions.TOOL_NAME]: "order_lookup" }, async () => ({ status: "shipped" }));
  return { answer: "shipped" };
});
try {
  await span("refund", OpenInferenceSpanKind.CHAIN, {}, async (root) => {
    out.failing = root.spanContext().traceId;
    await span("payments", OpenInferenceSpanKind.TOOL, { [SemanticConventions.TOOL_NAME]: "payments" }, async () => { throw new Error("payments API timeout"); });
  });
} catch { /* meant */ }
await tp.forceFlush();
await tp.shutdown();
llm.close();
writeFileSync(process.env.OUT, JSON.stringify(out));
