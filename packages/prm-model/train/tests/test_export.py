"""model.onnx: the contract the PRM service relies on (names, shapes, dynamic batch, opset, standard
ops), deterministic bytes; the same for the shipped models/finepr/2/model.onnx. That ONNX Runtime
computes what PyTorch does is checked from node (src/pythonTrain.test.ts), with onnxruntime-node."""

import os
import unittest

import onnx
import support
import torch

from export import OPSET, STANDARD_OPS, onnx_bytes
from model import Architecture, FinePRM, initialize

SHIPPED = os.path.join(support.REPO, "models", "finepr", "2", "model.onnx")
INPUTS = [("local", ["batch", 5, 32, 32]), ("context", ["batch", 5, 16, 16]), ("ends", ["batch", 10, 16, 16]), ("meta", ["batch", 108])]


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


class ExportTest(unittest.TestCase):
    def check_contract(self, proto: onnx.ModelProto):
        onnx.checker.check_model(proto)
        self.assertEqual([(o.domain, o.version) for o in proto.opset_import], [("", OPSET)])
        graph = proto.graph
        self.assertEqual([(i.name, dims(i)) for i in graph.input], INPUTS)
        self.assertEqual([(o.name, dims(o)) for o in graph.output], [("probabilities", ["batch", 4])])
        for v in [*graph.input, *graph.output]:
            self.assertEqual(v.type.tensor_type.elem_type, onnx.TensorProto.FLOAT)
        ops = {n.op_type for n in graph.node}
        self.assertLessEqual(ops, STANDARD_OPS)
        self.assertEqual(graph.node[-1].op_type, "Softmax")

    def test_exported_graph_contract_and_deterministic_bytes(self):
        torch.manual_seed(0)
        model = FinePRM(Architecture.for_shapes(support.SHAPES))
        initialize(model)
        with torch.no_grad():  # trained biases: no two equal tensors (torch would share them via Identity)
            for name, p in model.named_parameters():
                if name.endswith("bias"):
                    p.uniform_(-0.1, 0.1)
        model.to(memory_format=torch.channels_last)  # as after training
        data = onnx_bytes(model, "doc")
        self.assertEqual(onnx_bytes(model, "doc"), data)
        proto = onnx.load_from_string(data)
        self.check_contract(proto)
        self.assertEqual(proto.doc_string, "doc")
        n_weights = sum(int(torch.tensor(list(t.dims)).prod()) for t in proto.graph.initializer)
        self.assertEqual(n_weights, 131_660)

    @unittest.skipUnless(os.path.exists(SHIPPED), "models/finepr/2 not built")
    def test_the_shipped_model_keeps_the_contract(self):
        proto = onnx.load(SHIPPED)
        self.check_contract(proto)
        self.assertLess(os.path.getsize(SHIPPED), 4 * 1024 * 1024)


if __name__ == "__main__":
    unittest.main()
