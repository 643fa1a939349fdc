#!/usr/bin/env python3
"""Example nnlstm exec driver (protocol 1, spec/driver-protocol.md): float32/float16 ANEURALNETWORKS_LSTM.

Run it against the suite:  nnlstm conformance --driver exec:"python3 examples/python/lstm_driver.py"
Standard library only; NumPy does the matrix products when it is installed, plain lists otherwise.
It validates every LSTM rule of spec/LSTM.json at prepare (naming the rule id), computes the
documented formulas in double precision (float16 values rounded at input and output) and answers
UNAVAILABLE for other operations.
"""
import json
import math
import struct
import sys

try:
    import numpy as np
except ImportError:  # plain lists
    np = None

MAGIC = b"NNLD"
ELEMENT = {"FLOAT32": "f", "TENSOR_FLOAT32": "f", "INT32": "i", "TENSOR_INT32": "i", "UINT32": "I",
           "FLOAT16": "e", "TENSOR_FLOAT16": "e", "BOOL": "B", "TENSOR_BOOL8": "B", "TENSOR_QUANT8_ASYMM": "B",
           "TENSOR_QUANT8_SYMM": "b", "TENSOR_QUANT8_ASYMM_SIGNED": "b", "TENSOR_QUANT8_SYMM_PER_CHANNEL": "b",
           "TENSOR_QUANT16_SYMM": "h", "TENSOR_QUANT16_ASYMM": "H", "TENSOR_OEM_BYTE": "B"}
FLOAT_TYPES = ("FLOAT32", "TENSOR_FLOAT32", "FLOAT16", "TENSOR_FLOAT16")
SCALAR_TYPES = ("FLOAT32", "INT32", "UINT32", "BOOL", "FLOAT16")
# LSTM inputs: (name, shape, optional, shape rule). Shape letters: B batch, I input, N units, O output.
INPUTS = [("input", "BI", 0, "LSTM.input.rank")] + \
    [(f"input_to_{g}_weights", "NI", g == "input", "LSTM.input_weights.shape") for g in ("input", "forget", "cell")] + \
    [("input_to_output_weights", "NI", 0, "LSTM.input_to_output.shape")] + \
    [(f"recurrent_to_{g}_weights", "NO", g == "input", "LSTM.recurrent_weights.shape") for g in ("input", "forget", "cell")] + \
    [("recurrent_to_output_weights", "NO", 0, "LSTM.recurrent_to_output.shape")] + \
    [(f"cell_to_{g}_weights", "N", 1, "LSTM.peephole.shape") for g in ("input", "forget", "output")] + \
    [(f"{g}_gate_bias", "N", g == "input", "LSTM.bias.shape") for g in ("input", "forget", "cell", "output")] + \
    [("projection_weights", "ON", 1, "LSTM.projection.shape"), ("projection_bias", "O", 1, "LSTM.projection_bias.shape"),
     ("output_state_in", "BO", 0, "LSTM.state.output_state_shape"), ("cell_state_in", "BN", 0, "LSTM.state.cell_state_shape"),
     ("activation", "", 0, "model.operand.dimensions"), ("cell_clip", "", 0, "model.operand.dimensions"),
     ("proj_clip", "", 0, "model.operand.dimensions")] + \
    [(f"{g}_layer_norm_weights", "N", 1, "LSTM.layer_norm.shape") for g in ("input", "forget", "cell", "output")]
ACTIVATIONS = {0: lambda x: x, 1: lambda x: max(0.0, x), 3: lambda x: min(6.0, max(0.0, x)), 4: math.tanh,
               6: lambda x: 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))}
sigmoid = ACTIVATIONS[6]


class Unavailable(Exception):
    """A valid model this driver cannot run (answered UNAVAILABLE, recorded as unsupported)."""


class Invalid(Exception):
    def __init__(self, rule, message, operand=None):
        super().__init__(message)
        self.rule, self.operand = rule, operand


def read_frame(stream):
    prefix = stream.read(12)
    if len(prefix) < 12:
        return None, None
    if prefix[:4] != MAGIC:
        raise SystemExit("bad magic from host")
    hlen, plen = struct.unpack("<II", prefix[4:])
    return json.loads(stream.read(hlen)), stream.read(plen)


def write_frame(header, payload=b""):
    h = json.dumps(header).encode()
    sys.stdout.buffer.write(MAGIC + struct.pack("<II", len(h), len(payload)) + h + payload)
    sys.stdout.buffer.flush()


def unpack(type_, data):
    fmt = ELEMENT[type_]
    return list(struct.unpack("<%d%s" % (len(data) // struct.calcsize(fmt), fmt), data))


def validate(m, consts):
    """Every rule of spec/LSTM.json a model can break; returns (B, I, N, O, cifg) or raises Invalid."""
    ops, n = m["operands"], len(m["operands"])
    if len(m["operations"]) != 1:
        raise Invalid("model.structure", "expected exactly one operation")
    op = m["operations"][0]
    for i in op["inputs"] + op["outputs"] + m["inputIndexes"] + m["outputIndexes"]:
        if not 0 <= i < n:
            raise Invalid("model.structure", f"operand {i} does not exist")
    if any(ops[i]["lifetime"] != "SUBGRAPH_INPUT" for i in m["inputIndexes"]) or \
            any(ops[i]["lifetime"] != "SUBGRAPH_OUTPUT" for i in m["outputIndexes"]):
        raise Invalid("model.structure", "model inputs/outputs have the wrong lifetime")
    for rule, idx in (("model.io.unique", m["inputIndexes"] + m["outputIndexes"]), ("model.operation.outputs_unique", op["outputs"])):
        if len(set(idx)) != len(idx):  # NNAPI's model builder names and writes each operand once
            raise Invalid(rule, f"an operand is named twice in {idx}")
    if op["type"] != "LSTM":
        raise Unavailable(f"{op['type']} is not supported by this example driver")
    for i, o in enumerate(ops):
        if (o["type"] in SCALAR_TYPES and o["dimensions"]) or any(d < 0 for d in o["dimensions"]):
            raise Invalid("model.operand.dimensions", f"operand {i}: dimensions {o['dimensions']}", i)
        if o["type"] in FLOAT_TYPES and (o["scale"] != 0 or o["zeroPoint"] != 0):
            raise Invalid("model.operand.quant_params", f"operand {i}: scale/zeroPoint of a float operand", i)
        if i in consts and len(consts[i]) != (math.prod(o["dimensions"]) if o["dimensions"] else 1):
            raise Invalid("model.operand.value_count", f"operand {i}: {len(consts[i])} values for {o['dimensions']}", i)
        if i in consts and o["type"] in FLOAT_TYPES and not all(map(math.isfinite, consts[i])):
            raise Invalid("model.operand.value_range", f"operand {i}: a value overflows {o['type']}", i)
    ins, outs = op["inputs"], op["outputs"]
    if len(ins) not in (23, 27):
        raise Invalid("LSTM.signature.input_count", f"{len(ins)} inputs (23 or 27 expected)")
    if len(outs) != 4:
        raise Invalid("LSTM.signature.output_count", f"{len(outs)} outputs (4 expected)")
    o_ = lambda k: ops[ins[k]]
    present = lambda k: k < len(ins) and not o_(k)["omitted"]
    dims = lambda k: o_(k)["dimensions"]
    t = o_(0)["type"]
    if t not in ("TENSOR_FLOAT32", "TENSOR_FLOAT16"):
        raise Invalid("LSTM.type.input", f"input type {t}", ins[0])
    for k in list(range(1, 20)) + list(range(23, len(ins))):
        if o_(k)["type"] != t:
            raise Invalid("LSTM.type.tensors", f"{INPUTS[k][0]} is {o_(k)['type']}, not {t}", ins[k])
    if o_(20)["type"] != "INT32":
        raise Invalid("LSTM.type.activation", "activation is not INT32", ins[20])
    for k in (21, 22):
        if o_(k)["type"] != ("FLOAT32" if t == "TENSOR_FLOAT32" else "FLOAT16"):
            raise Invalid("LSTM.type.clips", f"{INPUTS[k][0]} is {o_(k)['type']}", ins[k])
    for i in outs:
        if ops[i]["type"] != t:
            raise Invalid("LSTM.type.outputs", f"output {i} is {ops[i]['type']}", i)
    for k, (name, _, optional, _) in enumerate(INPUTS[:len(ins)]):
        if not optional and not present(k):
            raise Invalid("LSTM.required.present", f"{name} is required", ins[k])
    if len(dims(0)) != 2:
        raise Invalid("LSTM.input.rank", f"input rank {len(dims(0))}", ins[0])
    (B, I), i2o, r2o = dims(0), dims(4), dims(8)
    if len(i2o) != 2 or i2o[1] != I:
        raise Invalid("LSTM.input_to_output.shape", f"input_to_output_weights {i2o}", ins[4])
    N = i2o[0]
    if len(r2o) != 2 or r2o[0] != N:
        raise Invalid("LSTM.recurrent_to_output.shape", f"recurrent_to_output_weights {r2o}", ins[8])
    O = r2o[1]
    if min(B, I, N, O) < 1 or any(0 in dims(k) for k in range(len(ins)) if present(k)):
        raise Invalid("LSTM.dims.nonzero", "a zero-sized dimension")
    size = {"B": B, "I": I, "N": N, "O": O}
    for k, (name, shape, _, rule) in enumerate(INPUTS[:len(ins)]):
        if present(k) and dims(k) != [size[c] for c in shape]:
            raise Invalid(rule, f"{name} is {dims(k)}, expected [{', '.join(shape)}]", ins[k])
    if not present(16) and O != N:
        raise Invalid("LSTM.no_projection.output_size", f"output_size {O} != num_units {N} without projection")
    cifg = not present(1)
    if present(1) != present(5):
        raise Invalid("LSTM.cifg.all_or_none", "input_to_input and recurrent_to_input weights: both or neither")
    if cifg and present(9):
        raise Invalid("LSTM.cifg.no_cell_to_input", "CIFG with cell_to_input_weights", ins[9])
    if cifg and present(12):
        raise Invalid("LSTM.cifg.no_input_gate_bias", "CIFG with input_gate_bias", ins[12])
    if not cifg and not present(12):
        raise Invalid("LSTM.input_gate_bias.required", "input_gate_bias omitted without CIFG", ins[12])
    if len({present(k) for k in ((10, 11) if cifg else (9, 10, 11))}) != 1:
        raise Invalid("LSTM.peephole.all_or_none", "peephole weights: all or none")
    if present(17) and not present(16):
        raise Invalid("LSTM.projection_bias.requires_projection", "projection_bias without projection_weights", ins[17])
    if len(ins) == 27:
        if cifg and present(23):
            raise Invalid("LSTM.layer_norm.cifg_no_input", "CIFG with input_layer_norm_weights", ins[23])
        if len({present(k) for k in ((24, 25, 26) if cifg else (23, 24, 25, 26))}) != 1:
            raise Invalid("LSTM.layer_norm.all_or_none", "layer norm weights: all or none")
    if any(ins[k] not in consts for k in (20, 21, 22)):
        raise Unavailable("activation and clips must be constants")
    if consts[ins[20]][0] not in ACTIVATIONS:
        raise Invalid("LSTM.activation.value", f"activation {consts[ins[20]][0]}", ins[20])
    for k in (21, 22):
        if not consts[ins[k]][0] >= 0:
            raise Invalid("LSTM.clip.non_negative", f"{INPUTS[k][0]} {consts[ins[k]][0]}", ins[k])
    for i, want in zip(outs, ([B, N * (3 if cifg else 4)], [B, O], [B, N], [B, O])):
        d = ops[i]["dimensions"]
        if len(d) != 2 or any(x not in (0, w) for x, w in zip(d, want)):
            raise Invalid("LSTM.outputs.shape", f"output {i} declared {d}, expected {want}", i)
    return B, I, N, O, cifg


if np is not None:
    def matvec(w, rows, cols, x):
        return (np.asarray(w, dtype=np.float64).reshape(rows, cols) @ np.asarray(x, dtype=np.float64)).tolist()
else:
    def matvec(w, rows, cols, x):
        return [sum(w[r * cols + c] * x[c] for c in range(cols)) for r in range(rows)]


def lstm_step(t, B, I, N, O, act, cell_clip, proj_clip):
    """One step of the documented formulas for every batch row; t maps input position -> values or None."""
    g = ACTIVATIONS[act]
    out_h, out_c = [], []
    for b in range(B):
        x, h, c = t[0][b * I:(b + 1) * I], t[18][b * O:(b + 1) * O], t[19][b * N:(b + 1) * N]

        def gate(wx, wh, bias, peep, ln, cell):
            z = [a + r for a, r in zip(matvec(t[wx], N, I, x), matvec(t[wh], N, O, h))]
            if peep is not None and t[peep] is not None:
                z = [v + p * cv for v, p, cv in zip(z, t[peep], cell)]
            if ln < len(t) and t[ln] is not None:
                mean = sum(z) / N
                inv = 1 / math.sqrt(sum((v - mean) ** 2 for v in z) / N + 1e-8)
                z = [(v - mean) * inv * w for v, w in zip(z, t[ln])]
            return [v + bb for v, bb in zip(z, t[bias])]

        f = [sigmoid(v) for v in gate(2, 6, 13, 10, 24, c)]
        i = [1 - v for v in f] if t[1] is None else [sigmoid(v) for v in gate(1, 5, 12, 9, 23, c)]
        zc = gate(3, 7, 14, None, 25, None)
        cn = [fv * cv + iv * g(zv) for fv, cv, iv, zv in zip(f, c, i, zc)]
        if cell_clip > 0:
            cn = [min(cell_clip, max(-cell_clip, v)) for v in cn]
        o = [sigmoid(v) for v in gate(4, 8, 15, 11, 26, cn)]
        m = [ov * g(cv) for ov, cv in zip(o, cn)]
        if t[16] is not None:
            m = matvec(t[16], O, N, m)
            if t[17] is not None:
                m = [v + pb for v, pb in zip(m, t[17])]
            if proj_clip > 0:
                m = [min(proj_clip, max(-proj_clip, v)) for v in m]
        out_h += m
        out_c += cn
    return out_h, out_c


prepared = {}


def hello(h, _):
    if 1 not in h["protocol"]:
        return {"status": "UNAVAILABLE", "message": "this driver speaks protocol 1"}
    return {"status": "OK", "protocol": 1, "driver": {"name": "python-example", "version": "1.0"},
            "capabilities": {"operations": ["LSTM"], "operandTypes": ["TENSOR_FLOAT32", "FLOAT32", "TENSOR_FLOAT16", "FLOAT16", "INT32"],
                             "featureLevel": 3, "notes": ["numpy" if np is not None else "plain lists"]}}


def prepare(h, payload):
    m = h["model"]
    consts = {i: unpack(o["type"], payload[o["data"]["offset"]:o["data"]["offset"] + o["data"]["length"]])
              for i, o in enumerate(m["operands"]) if o["data"] is not None and o["type"] in ELEMENT}
    try:
        sizes = validate(m, consts)
    except Invalid as e:
        print(f"prepare: rejected ({e.rule}): {e}", file=sys.stderr)
        v = {"rule": e.rule, "message": str(e)}
        if e.operand is not None:
            v["operandIndex"] = e.operand
        return {"status": "BAD_DATA", "message": str(e), "violations": [v]}
    except Unavailable as e:
        return {"status": "UNAVAILABLE", "message": str(e)}
    handle = len(prepared) + 1
    prepared[handle] = (m, consts, sizes)
    return {"status": "OK", "prepared": handle}


def execute(h, payload):
    if h["prepared"] not in prepared:
        return {"status": "BAD_DATA", "message": f"unknown prepared model {h['prepared']}"}
    m, consts, (B, I, N, O, cifg) = prepared[h["prepared"]]
    values = dict(consts)
    for idx, inp in zip(m["inputIndexes"], h["inputs"]):
        o = m["operands"][idx]
        if (inp is None) != o["omitted"]:
            return {"status": "BAD_DATA", "message": f"input operand {idx}: omitted at prepare but not at execute, or vice versa"}
        if inp is not None:
            values[idx] = unpack(o["type"], payload[inp["data"]["offset"]:inp["data"]["offset"] + inp["data"]["length"]])
            if len(values[idx]) != math.prod(o["dimensions"]):
                return {"status": "BAD_DATA", "message": f"input operand {idx}: {len(values[idx])} values for {o['dimensions']}"}
    op = m["operations"][0]
    t = [None if m["operands"][i]["omitted"] else values[i] for i in op["inputs"]]
    out_h, out_c = lstm_step(t, B, I, N, O, t[20][0], t[21][0], t[22][0])
    by_pos = [([0.0] * (B * N * (3 if cifg else 4)), [B, N * (3 if cifg else 4)]), (out_h, [B, O]), (out_c, [B, N]), (out_h, [B, O])]
    outputs, chunks = [], []
    for idx in m["outputIndexes"]:
        vals, dims = by_pos[op["outputs"].index(idx)]
        data = struct.pack("<%d%s" % (len(vals), ELEMENT[m["operands"][idx]["type"]]), *vals)
        outputs.append({"index": idx, "dimensions": dims, "data": {"offset": sum(map(len, chunks)), "length": len(data)}})
        chunks.append(data)
    return {"status": "OK", "outputs": outputs}, b"".join(chunks)


def release(h, _):
    prepared.pop(h["prepared"], None)
    return {"status": "OK"}


HANDLERS = {"hello": hello, "prepare": prepare, "execute": execute, "release": release, "shutdown": lambda h, p: {"status": "OK"}}


def serve(handlers=HANDLERS):
    stdin = sys.stdin.buffer
    while True:
        header, payload = read_frame(stdin)
        if header is None or header["type"] not in handlers:
            return
        answer = handlers[header["type"]](header, payload)
        body, data = answer if isinstance(answer, tuple) else (answer, b"")
        write_frame({"type": header["type"], "id": header["id"], **body}, data)
        if header["type"] == "shutdown":
            return


if __name__ == "__main__":
    serve()
