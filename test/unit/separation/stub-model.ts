import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Tiny ONNX graphs with the htdemucs I/O contract (inputs [1,2,343980] and [1,4,2048,336];
 * outputs [1,4,4,2048,336] and [1,4,2,343980]), built in memory for the tests:
 *  - `quarter-time`: every source's time branch is mix / 4, its frequency branch zero;
 *  - `quarter-freq`: every source's frequency branch is spec / 4, its time branch zero;
 *  - `wrong-shape`:  like quarter-time but declares a waveform input of the wrong length.
 */
export type StubKind = 'quarter-time' | 'quarter-freq' | 'wrong-shape';

const SEG = 343980;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function valueInfo(name: string, dims: number[]): Onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

function int64Tensor(name: string, values: number[]): Onnx.ITensorProto {
  return {
    name,
    dataType: INT64,
    dims: [values.length],
    rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
  };
}

function floatScalar(name: string, value: number): Onnx.ITensorProto {
  return { name, dataType: FLOAT, dims: [], floatData: [value] };
}

/** out = Expand(Unsqueeze(x · k, axis 1), shape): one copy of x·k per source. */
function perSource(x: string, k: string, shape: string, out: string): Onnx.INodeProto[] {
  return [
    { opType: 'Mul', input: [x, k], output: [`${out}_scaled`] },
    { opType: 'Unsqueeze', input: [`${out}_scaled`, 'axis1'], output: [`${out}_unsq`] },
    { opType: 'Expand', input: [`${out}_unsq`, shape], output: [out] },
  ];
}

export function buildStubModel(kind: StubKind): Uint8Array {
  const mixK = kind === 'quarter-freq' ? 'zero' : 'quarter';
  const specK = kind === 'quarter-freq' ? 'quarter' : 'zero';
  const graph: Onnx.IGraphProto = {
    name: `htdemucs-stub-${kind}`,
    input: [
      valueInfo('mix', [1, 2, kind === 'wrong-shape' ? 1000 : SEG]),
      valueInfo('spec', [1, 4, 2048, 336]),
    ],
    output: [valueInfo('freq_out', [1, 4, 4, 2048, 336]), valueInfo('time_out', [1, 4, 2, SEG])],
    initializer: [
      floatScalar('quarter', 0.25),
      floatScalar('zero', 0),
      int64Tensor('axis1', [1]),
      int64Tensor('freq_shape', [1, 4, 4, 2048, 336]),
      int64Tensor('time_shape', [1, 4, 2, kind === 'wrong-shape' ? 1000 : SEG]),
    ],
    node: [
      ...perSource('spec', specK, 'freq_shape', 'freq_out'),
      ...perSource('mix', mixK, 'time_shape', 'time_out'),
    ],
  };
  const model: Onnx.IModelProto = {
    irVersion: 8,
    producerName: 'karaoke-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  };
  return onnx.ModelProto.encode(model).finish();
}
