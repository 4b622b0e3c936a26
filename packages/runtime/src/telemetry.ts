// OpenTelemetry for every service. `register.ts` starts it before anything loads @grpc/grpc-js
// (the grpc instrumentation patches the module on load), via `node --require`.
// Exporting happens only when OTEL_EXPORTER_OTLP_ENDPOINT (or *_TRACES_ENDPOINT) is set; context
// still propagates without it, so a call that crosses services is one trace either way.
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { NodeSDK } from "@opentelemetry/sdk-node";

let sdk: NodeSDK | undefined;

function inferServiceName(): string {
  const match = /services[\\/]([^\\/]+)[\\/]/.exec(process.argv[1] ?? "");
  return match ? `sketchvl-${match[1]}` : "sketchvl";
}

export function startTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  if (sdk || env.OTEL_SDK_DISABLED === "true") return;
  env.OTEL_SERVICE_NAME ??= inferServiceName();
  const exporting = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  env.OTEL_TRACES_EXPORTER ??= exporting ? "otlp" : "none";
  env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none";
  sdk = new NodeSDK({
    instrumentations: [
      new GrpcInstrumentation({
        // Probes every few seconds would drown the traces that matter.
        ignoreGrpcMethods: [/^Check$/, /^Watch$/, /^ServerReflectionInfo$/],
      }),
    ],
  });
  sdk.start();
}

/** Flushes and stops exporting; safe to call when telemetry never started. */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}
