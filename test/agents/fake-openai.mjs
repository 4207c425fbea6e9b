// A small OpenAI-compatible server: deterministic chat completions with
// usage, no network. Each answer names the model asked for.
import { createServer } from "node:http";

export async function fakeOpenAI() {
  let calls = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const ask = JSON.parse(body || "{}");
      calls++;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({
        id: `chatcmpl-${calls}`, object: "chat.completion", created: 1767348000, model: ask.model ?? "gpt-4o-mini",
        choices: [{ index: 0, message: { role: "assistant", content: `answer ${calls}` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, close: () => server.close() };
}
