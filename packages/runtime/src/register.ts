// `node --require @sketchvl/runtime/register main.js`: telemetry first, then the service.
import { startTelemetry } from "./telemetry";

startTelemetry();
