// SVG -> PNG with sharp (librsvg). At 72 dpi one SVG unit is one pixel, which is what the
// annotations assume.
import sharp from "sharp";

export async function rasterizeSvg(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 }).png({ compressionLevel: 6 }).toBuffer();
}

/** Decoded RGB pixels of an SVG, for tests that read pixels back. */
export async function rasterizeSvgRaw(svg: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
