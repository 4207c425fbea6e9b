// An OTel JS SDK tracer provider exporting OTLP/HTTP protobuf to the
// collector with the API key.
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";

export function provider(service) {
  const p = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${process.env.OTLP}/v1/traces`, headers: { "x-api-key": process.env.KEY } }))],
  });
  p.register();
  return p;
}
