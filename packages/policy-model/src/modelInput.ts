// What the built-in policy sees of an image: RGB resized to size × size (aspect ignored, so the
// 0–1000 coordinates it writes map linearly onto the chart), CHW float32 in [0, 1]. The policy
// service makes these tensors for rollouts and hands the same bytes to the trainer, so the learner
// recomputes log-probabilities on exactly what the sampler saw.
import sharp from "sharp";

export type PolicyImage = { png: Buffer } | { raw: Buffer; width: number; height: number; channels: number };

export async function modelInput(image: PolicyImage, size: number): Promise<Float32Array> {
  const source =
    "png" in image ? sharp(image.png) : sharp(image.raw, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 } });
  const { data } = await source
    .removeAlpha()
    .toColourspace("srgb")
    .resize(size, size, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    out[i] = data[3 * i] / 255;
    out[plane + i] = data[3 * i + 1] / 255;
    out[2 * plane + i] = data[3 * i + 2] / 255;
  }
  return out;
}

/** float32 little-endian bytes (the wire form of a model input in the contract). */
export function tensorBytes(t: Float32Array): Buffer {
  return Buffer.from(t.buffer, t.byteOffset, t.byteLength);
}
