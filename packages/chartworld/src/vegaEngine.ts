// Loads Vega and Vega-Lite (ESM-only packages) once from this CommonJS build. `module: node16`
// keeps `await import()` as a real dynamic import, so this works without a bundler.
import { vegaTextWidth } from "./fontMetrics";

type VegaModule = typeof import("vega", { with: { "resolution-mode": "import" }});
type VegaLiteModule = typeof import("vega-lite", { with: { "resolution-mode": "import" }});

export interface VegaEngine {
  vega: VegaModule;
  vegaLite: VegaLiteModule;
}

let loading: Promise<VegaEngine> | null = null;

/** Vega + Vega-Lite, with text measured by real DejaVu advance widths (see fontMetrics.ts). */
export function loadVegaEngine(): Promise<VegaEngine> {
  if (loading === null) {
    loading = (async () => {
      const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
      // Vega documents a user-defined textMetrics.width as supported (vl-convert does the same).
      ((vega as unknown as { textMetrics: object }).textMetrics as { width: typeof vegaTextWidth }).width = vegaTextWidth;
      return { vega, vegaLite };
    })();
  }
  return loading;
}
