// The renderer's domain API (no gRPC here; handlers adapt it). Colors and the coordinate rule are
// @sketchvl/steps' (pure: the parser checks with them, this package draws with them).
export {
  decodeImage,
  readImageHeader,
  rasterFromRaw,
  toRawImage,
  encodePng,
  digestOf,
  type RasterImage,
  type ImageLimits,
} from "./images";
export {
  applyEdits,
  changedRegions,
  drawAction,
  drawActions,
  drawingBytes,
  drawPlanned,
  drawSteps,
  planActions,
  rasterizeTrajectories,
  MAX_TEXT_CODE_POINTS,
  type DrawOptions,
  type Edit,
  type PlannedAction,
} from "./draw";
export { DrawingThreads } from "./drawingThreads";
export { styleFor, haloFor, type MarkStyle, type StyleOverrides } from "./style";
export { ImageStore, pinnedImages, type ImageLookup, type StoreStats } from "./imageStore";
export { imageCost, outputImage, rawDigest, resolveImage, type DrawnOn, type ResolvedImage } from "./imageRefs";
export { applyPatch, makePatch, PatchedImage, patchDigest, type PlacedRegion, type Rect } from "./patches";
