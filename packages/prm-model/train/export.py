"""The trained network as model.onnx, by torch.onnx.export: inputs local / context / ends / meta
(float32, dynamic batch dimension "batch"), one output "probabilities" [batch, 4] (softmax in the
graph, LABELS order), opset 13. Only standard ops (Conv, MaxPool, Relu, Flatten, Concat, Gemm,
Softmax), so ONNX Runtime's CPU and CUDA providers run it unchanged. Same weights, same bytes.
"""

from __future__ import annotations

import copy
import io
import warnings

import onnx
import torch

from model import INPUT_NAMES, FinePRM, Probabilities

OPSET = 13
OUTPUT_NAME = "probabilities"
STANDARD_OPS = {"Conv", "MaxPool", "Relu", "Flatten", "Concat", "Gemm", "Softmax", "Identity"}


def onnx_bytes(model: FinePRM, doc_string: str = "") -> bytes:
    # A plain NCHW copy in eval mode: the training copy may be channels-last.
    module = Probabilities(copy.deepcopy(model).to(memory_format=torch.contiguous_format)).eval()
    shapes = model.arch.input_shapes()
    args = tuple(torch.zeros(2, *shapes[name]) for name in INPUT_NAMES)
    axes = {name: {0: "batch"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            buf,
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
    proto = onnx.load_from_string(buf.getvalue())
    proto.doc_string = doc_string
    onnx.checker.check_model(proto)
    ops = {node.op_type for node in proto.graph.node}
    if not ops <= STANDARD_OPS:
        raise RuntimeError(f"exported graph uses non-standard ops {sorted(ops - STANDARD_OPS)}")
    return proto.SerializeToString()
