// The trained network as an ONNX model (onnx-proto's protobufjs messages). Opset 13, standard ops
// only (Conv, Relu, MaxPool, Flatten, Concat, Gemm, Softmax), a dynamic batch dimension, one output
// "probabilities" [batch, 4] in LABELS order. The same graph runs on ORT's CPU and CUDA providers.
// Deterministic: the same parameters give the same bytes.
import { onnx } from "onnx-proto";
import { FEATURE_SET, LABELS } from "./features";
import type { Layout } from "./network";

export const OPSET = 13;
export const OUTPUT_NAME = "probabilities";
const BATCH = "batch";

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function initializer(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  const bytes = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) bytes.writeFloatLE(data[i], i * 4);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes };
}

const ints = (name: string, v: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const int = (name: string, v: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });

export interface ExportInfo {
  /** Free-form text stored in the model's doc_string (training command, seed...). */
  docString?: string;
}

/** Serialized ONNX model of `layout` with `params`. */
export function exportOnnx(layout: Layout, params: Float32Array, info: ExportInfo = {}): Uint8Array {
  const nodes: onnx.INodeProto[] = [];
  const inits: onnx.ITensorProto[] = [];
  const param = (p: { name: string; shape: number[]; offset: number; size: number }): string => {
    inits.push(initializer(p.name, p.shape, params.subarray(p.offset, p.offset + p.size)));
    return p.name;
  };
  const inputs: onnx.IValueInfoProto[] = [];
  const headParts: string[] = [];
  layout.convs.forEach((layers, t) => {
    const spec = layout.arch.towers[t];
    inputs.push(valueInfo(spec.input, [BATCH, spec.inChannels, spec.size, spec.size]));
    let x = spec.input;
    layers.forEach((c, l) => {
      const p = `${spec.input}.block${l}`;
      nodes.push({ name: `${p}.conv`, opType: "Conv", input: [x, param(c.w), param(c.b)], output: [`${p}.conv`], attribute: [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1]), ints("strides", [1, 1])] });
      nodes.push({ name: `${p}.relu`, opType: "Relu", input: [`${p}.conv`], output: [`${p}.relu`] });
      nodes.push({ name: `${p}.pool`, opType: "MaxPool", input: [`${p}.relu`], output: [`${p}.pool`], attribute: [ints("kernel_shape", [2, 2]), ints("strides", [2, 2])] });
      x = `${p}.pool`;
    });
    nodes.push({ name: `${spec.input}.flatten`, opType: "Flatten", input: [x], output: [`${spec.input}.flat`], attribute: [int("axis", 1)] });
    headParts.push(`${spec.input}.flat`);
  });
  inputs.push(valueInfo("meta", [BATCH, layout.arch.meta]));
  // Graph inputs in the order of INPUTS (towers first, meta last).
  headParts.push("meta");
  nodes.push({ name: "head.concat", opType: "Concat", input: headParts, output: ["head.in"], attribute: [int("axis", 1)] });
  let h = "head.in";
  layout.dense.forEach((d, i) => {
    const last = i === layout.dense.length - 1;
    const out = last ? "logits" : `head.fc${i}`;
    nodes.push({ name: `head.fc${i}`, opType: "Gemm", input: [h, param(d.w), param(d.b)], output: [out], attribute: [int("transB", 1)] });
    if (!last) {
      nodes.push({ name: `head.relu${i}`, opType: "Relu", input: [out], output: [`head.relu${i}`] });
      h = `head.relu${i}`;
    } else h = out;
  });
  nodes.push({ name: "softmax", opType: "Softmax", input: [h], output: [OUTPUT_NAME], attribute: [int("axis", 1)] });
  const model: onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "@sketchvl/prm-model",
    producerVersion: FEATURE_SET,
    docString: info.docString ?? "",
    graph: {
      name: "finepr",
      node: nodes,
      initializer: inits,
      input: inputs,
      output: [valueInfo(OUTPUT_NAME, [BATCH, LABELS.length])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Reads `layout`'s parameters back from an exported model (for checking a shipped model.onnx). */
export function importOnnxParams(bytes: Uint8Array, layout: Layout): Float32Array {
  const model = onnx.ModelProto.decode(bytes);
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? "", t]));
  const params = new Float32Array(layout.total);
  for (const p of layout.params) {
    const t = byName.get(p.name);
    if (!t || !t.rawData) throw new Error(`model has no initializer ${p.name}`);
    const raw = Buffer.from(t.rawData);
    if (raw.length !== p.size * 4) throw new Error(`initializer ${p.name} has ${raw.length / 4} values, expected ${p.size}`);
    for (let i = 0; i < p.size; i++) params[p.offset + i] = raw.readFloatLE(i * 4);
  }
  return params;
}
