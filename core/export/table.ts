/**
 * A table data set's preprocessing (its manifest's recipe, core/data/tabular/manifest.ts) as graph nodes,
 * so the exported model takes the source's columns as they are:
 *
 *   numeric      float [N, n_num]     the numeric columns in the recipe's order; NaN = missing
 *   categorical  string [N, n_cat]    the categorical columns in the recipe's order, values as the
 *                                     manifest lists them; "" or another missing marker = missing
 *
 * (an input is absent when the table has no column of its kind). Per step, in the recipe's order:
 *
 *   numeric      Gather the column → Where(IsNaN(v), median, v) → (v − mean) / std          (1 input)
 *   categorical  Gather the column → LabelEncoder (ai.onnx.ml: each kept category → its slot; missing
 *                markers → the most frequent category's slot; any other value → the `(other)` slot, or
 *                past the end when there is none) → OneHot (values past the end: all zeros)
 *
 * then one Concat in the recipe's order: the rows the trainer saw (the shards hold exactly these, from the
 * same recipe; tests/export/ checks them against the shards, in float32).
 */
import { MISSING_TOKENS } from '../data/tabular/columns.ts';
import type { CategoricalStep, NumericStep, TableManifest } from '../data/tabular/manifest.ts';
import { floatTensor, int64Tensor } from './onnx.ts';
import {
  ATTRIBUTE_TYPE,
  DATA_TYPE,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-schema.ts';
import type { Preprocessing } from './preprocess.ts';

export const ONNX_NUMERIC = 'numeric';
export const ONNX_CATEGORICAL = 'categorical';
/** The ai.onnx.ml operator set of LabelEncoder with keys_strings / values_int64. */
export const ML_OPSET = { domain: 'ai.onnx.ml', version: 2 } as const;

const enc = new TextEncoder();

const tensorInput = (name: string, elem: number, width: number): OnnxValueInfo => ({
  name,
  type: { tensor_type: { elem_type: elem, shape: { dim: [{ dim_param: 'N' }, { dim_value: width }] } } },
});

interface Graph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
}

const op = (g: Graph, op_type: string, input: string[], output: string, extra: Partial<OnnxNode> = {}) => {
  g.nodes.push({ name: output, op_type, input, output: [output], ...extra });
  return output;
};

/** Numeric step k (column j of `numeric`): imputed, standardised, [N, 1]. */
function numericNodes(g: Graph, s: NumericStep, k: number, j: number): string {
  const p = `step${k}`;
  g.initializers.push(
    int64Tensor(`${p}.column`, [1], [j]),
    floatTensor(`${p}.median`, [], [s.median]),
    floatTensor(`${p}.mean`, [], [s.mean]),
    floatTensor(`${p}.std`, [], [s.std]),
  );
  const v = op(g, 'Gather', [ONNX_NUMERIC, `${p}.column`], `${p}.value`, {
    attribute: [{ name: 'axis', type: ATTRIBUTE_TYPE.INT, i: 1 }],
  });
  const nan = op(g, 'IsNaN', [v], `${p}.missing`);
  const imputed = op(g, 'Where', [nan, `${p}.median`, v], `${p}.imputed`);
  const centred = op(g, 'Sub', [imputed, `${p}.mean`], `${p}.centred`);
  return op(g, 'Div', [centred, `${p}.std`], `${p}.standardised`);
}

/** Categorical step k (column j of `categorical`): one-hot [N, width]. */
function categoricalNodes(g: Graph, s: CategoricalStep, k: number, j: number): string {
  const p = `step${k}`;
  const width = s.categories.length + (s.other ? 1 : 0);
  const slot = new Map(s.categories.map((c, i) => [c, i]));
  // Unseen values go to (other), or past the end (all zeros) when there is none.
  const unseen = s.other ? s.categories.length : width;
  const imputed = slot.get(s.most_frequent) ?? unseen;
  const keys = [...s.categories, ...[...MISSING_TOKENS].filter((t) => !slot.has(t))];
  const values = keys.map((key) => slot.get(key) ?? imputed);
  g.initializers.push(
    int64Tensor(`${p}.column`, [], [j]),
    int64Tensor(`${p}.depth`, [], [width]),
    floatTensor(`${p}.onehot`, [2], [0, 1]),
  );
  const v = op(g, 'Gather', [ONNX_CATEGORICAL, `${p}.column`], `${p}.value`, {
    attribute: [{ name: 'axis', type: ATTRIBUTE_TYPE.INT, i: 1 }],
  });
  const ids = op(g, 'LabelEncoder', [v], `${p}.slot`, {
    domain: ML_OPSET.domain,
    attribute: [
      { name: 'keys_strings', type: ATTRIBUTE_TYPE.STRINGS, strings: keys.map((x) => enc.encode(x)) },
      { name: 'values_int64s', type: ATTRIBUTE_TYPE.INTS, ints: values },
      { name: 'default_int64', type: ATTRIBUTE_TYPE.INT, i: unseen },
    ],
  });
  return op(g, 'OneHot', [ids, `${p}.depth`, `${p}.onehot`], `${p}.onehot_out`, {
    attribute: [{ name: 'axis', type: ATTRIBUTE_TYPE.INT, i: -1 }],
  });
}

export function tablePreprocessing(m: TableManifest): Preprocessing {
  const g: Graph = { nodes: [], initializers: [] };
  const numeric = m.features.filter((f) => f.type === 'numeric').map((f) => f.column);
  const categorical = m.features.filter((f) => f.type === 'categorical').map((f) => f.column);
  const parts = m.features.map((f, k) =>
    f.type === 'numeric'
      ? numericNodes(g, f, k, numeric.indexOf(f.column))
      : categoricalNodes(g, f, k, categorical.indexOf(f.column)),
  );
  const output =
    parts.length === 1
      ? parts[0]!
      : op(g, 'Concat', parts, 'features', { attribute: [{ name: 'axis', type: ATTRIBUTE_TYPE.INT, i: 1 }] });
  const inputs = [
    ...(numeric.length > 0 ? [tensorInput(ONNX_NUMERIC, DATA_TYPE.FLOAT, numeric.length)] : []),
    ...(categorical.length > 0 ? [tensorInput(ONNX_CATEGORICAL, DATA_TYPE.STRING, categorical.length)] : []),
  ];
  const said = [
    numeric.length > 0
      ? `${ONNX_NUMERIC} float [N, ${numeric.length}] (${numeric.join(', ')}; NaN = missing)`
      : '',
    categorical.length > 0
      ? `${ONNX_CATEGORICAL} string [N, ${categorical.length}] (${categorical.join(', ')}; "" = missing)`
      : '',
  ].filter(Boolean);
  return {
    inputs,
    width: m.inputs,
    nodes: g.nodes,
    initializers: g.initializers,
    output,
    ...(categorical.length > 0 ? { opsets: [ML_OPSET] } : {}),
    description: `the columns of ${m.name}@${m.version} as in its source in (${said.join('; ')}), imputed, standardised and one-hot encoded as in training`,
    metadata: {
      numeric_columns: JSON.stringify(numeric),
      categorical_columns: JSON.stringify(categorical),
    },
  };
}
