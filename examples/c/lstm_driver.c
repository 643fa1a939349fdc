/* Example nnlstm exec driver in C (protocol 1, spec/driver-protocol.md): float32 ANEURALNETWORKS_LSTM.
 * Build: cc -O2 -std=c11 -o lstm_driver examples/c/lstm_driver.c -lm
 * Run:   nnlstm conformance --driver exec:"./lstm_driver"
 * It validates every LSTM rule of spec/LSTM.json at prepare (naming the rule id), computes the
 * documented formulas in float32 (double accumulators) and answers UNAVAILABLE for other
 * operations and float16. A minimal JSON reader is enough for the headers nnlstm sends. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON: a tree of nodes over the header text (children = first kid / next sibling) ---- */
typedef struct { char t; int a, b, kid, next; } Node; /* t: o(bject) a(rray) s(tring) n(umber) l(iteral) */
static Node nd[1 << 16];
static int nn;
static const char *js;
static void ws(const char **p) { while (**p && strchr(" \t\r\n", **p)) (*p)++; }
static int parse(const char **p) {
  ws(p);
  int i = nn++, last = -1;
  char c = **p;
  nd[i] = (Node){0, (int)(*p - js), 0, -1, -1};
  if (c == '{' || c == '[') {
    nd[i].t = c == '{' ? 'o' : 'a';
    for ((*p)++, ws(p); **p && **p != '}' && **p != ']'; ws(p)) {
      int k = parse(p);
      if (last < 0) nd[i].kid = k; else nd[last].next = k;
      last = k, ws(p);
      if (**p == ':' || **p == ',') (*p)++;
    }
    (*p)++;
  } else if (c == '"') {
    nd[i].t = 's', nd[i].a++;
    for ((*p)++; **p && **p != '"'; (*p)++) if (**p == '\\') (*p)++;
    nd[i].b = (int)(*p - js), (*p)++;
    return i;
  } else {
    nd[i].t = strchr("tfn", c) ? 'l' : 'n';
    while (**p && !strchr(",}] \t\r\n", **p)) (*p)++;
  }
  nd[i].b = (int)(*p - js);
  return i;
}
static int is(int n, const char *s) { return n >= 0 && (int)strlen(s) == nd[n].b - nd[n].a && !strncmp(js + nd[n].a, s, strlen(s)); }
static int get(int o, const char *key) {
  for (int k = nd[o].kid; k >= 0 && nd[k].next >= 0; k = nd[nd[k].next].next) if (is(k, key)) return nd[k].next;
  return -1;
}
static int item(int a, int i) { int k = nd[a].kid; while (k >= 0 && i--) k = nd[k].next; return k; }
static int len(int a) { int n = 0; for (int k = nd[a].kid; k >= 0; k = nd[k].next) n++; return n; }
static double num(int n) { return n < 0 ? 0 : strtod(js + nd[n].a, NULL); }
static int inum(int a, int i) { return (int)num(item(a, i)); }

/* ---- frames ---- */
static int read_frame(char **header, unsigned char **payload) {
  unsigned char pre[12];
  if (fread(pre, 1, 12, stdin) != 12 || memcmp(pre, "NNLD", 4)) return 0;
  uint32_t h = pre[4] | pre[5] << 8 | pre[6] << 16 | (uint32_t)pre[7] << 24, p = pre[8] | pre[9] << 8 | pre[10] << 16 | (uint32_t)pre[11] << 24;
  *header = calloc(h + 1, 1), *payload = malloc(p + 1);
  return fread(*header, 1, h, stdin) == h && fread(*payload, 1, p, stdin) == p;
}
static void write_frame(const char *header, const void *payload, uint32_t p) {
  uint32_t h = (uint32_t)strlen(header);
  unsigned char pre[12] = {'N', 'N', 'L', 'D', h, h >> 8, h >> 16, h >> 24, p, p >> 8, p >> 16, p >> 24};
  fwrite(pre, 1, 12, stdout), fwrite(header, 1, h, stdout), fwrite(payload, 1, p, stdout), fflush(stdout);
}

/* ---- the prepared model ---- */
#define MAXOPS 64
typedef struct { char type[40]; int dims[8], rank, omitted, constant, n, overflow; double scale, zp; float *v; } Opnd;
typedef struct { int nops, nin, ins[27], outs[4], nout, ninputs, inputs[32], noutputs, outputs[8], B, I, N, O, cifg, act; float clip, pclip; Opnd op[MAXOPS]; } Model;
static Model *models[256];
static char reply[1 << 16];

static int elem(const char *t) {
  if (strstr(t, "FLOAT16") || strstr(t, "QUANT16")) return 2;
  if (strstr(t, "FLOAT32") || strstr(t, "INT32")) return 4;
  return 1;
}
static int bad(const char *rule, int operand, const char *msg) {
  snprintf(reply, sizeof reply, "\"status\":\"BAD_DATA\",\"message\":\"%s\",\"violations\":[{\"rule\":\"%s\",\"operandIndex\":%d}]", msg, rule, operand);
  fprintf(stderr, "prepare: rejected (%s): %s\n", rule, msg);
  return 0;
}
static int unavailable(const char *msg) { snprintf(reply, sizeof reply, "\"status\":\"UNAVAILABLE\",\"message\":\"%s\"", msg); return 0; }

/* Shapes of the 27 LSTM inputs (B batch, I input, N units, O output; "" scalar), which are optional, and the shape rule. */
static const char *SHAPE[27] = {"BI", "NI", "NI", "NI", "NI", "NO", "NO", "NO", "NO", "N", "N", "N", "N", "N", "N", "N", "ON", "O", "BO", "BN", "", "", "", "N", "N", "N", "N"};
static const char OPTIONAL[27] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1};
static const char *RULE[27] = {"LSTM.input.rank", "LSTM.input_weights.shape", "LSTM.input_weights.shape", "LSTM.input_weights.shape",
  "LSTM.input_to_output.shape", "LSTM.recurrent_weights.shape", "LSTM.recurrent_weights.shape", "LSTM.recurrent_weights.shape",
  "LSTM.recurrent_to_output.shape", "LSTM.peephole.shape", "LSTM.peephole.shape", "LSTM.peephole.shape", "LSTM.bias.shape",
  "LSTM.bias.shape", "LSTM.bias.shape", "LSTM.bias.shape", "LSTM.projection.shape", "LSTM.projection_bias.shape",
  "LSTM.state.output_state_shape", "LSTM.state.cell_state_shape", "", "", "", "LSTM.layer_norm.shape", "LSTM.layer_norm.shape",
  "LSTM.layer_norm.shape", "LSTM.layer_norm.shape"};

static int io_at(const Model *m, int a) { return a < m->ninputs ? m->inputs[a] : m->outputs[a - m->ninputs]; }
static int validate(Model *m) {
  int n = m->nops, *in = m->ins;
  /* NNAPI's model builder names each model input/output once, and an operand is written once. */
  for (int a = 0; a < m->ninputs + m->noutputs; a++) for (int b = 0; b < a; b++) if (io_at(m, a) == io_at(m, b)) return bad("model.io.unique", io_at(m, a), "an operand is named twice in inputIndexes/outputIndexes");
  for (int a = 0; a < m->nout; a++) for (int b = 0; b < a; b++) if (m->outs[a] == m->outs[b]) return bad("model.operation.outputs_unique", m->outs[a], "the operation writes an operand twice");
  for (int k = 0; k < m->nin; k++) if (in[k] < 0 || in[k] >= n) return bad("model.structure", in[k], "operation names a missing operand");
  for (int k = 0; k < m->nout; k++) if (m->outs[k] < 0 || m->outs[k] >= n) return bad("model.structure", m->outs[k], "operation names a missing operand");
  Opnd *o = m->op;
  for (int i = 0; i < n; i++) {
    int scalar = strncmp(o[i].type, "TENSOR", 6) && strcmp(o[i].type, "SUBGRAPH"), count = 1;
    for (int d = 0; d < o[i].rank; d++) { if (o[i].dims[d] < 0) return bad("model.operand.dimensions", i, "negative dimension"); count *= o[i].dims[d]; }
    if (scalar && o[i].rank) return bad("model.operand.dimensions", i, "a scalar with dimensions");
    if (strstr(o[i].type, "FLOAT") && (o[i].scale != 0 || o[i].zp != 0)) return bad("model.operand.quant_params", i, "float operand with scale/zeroPoint");
    if (o[i].constant && o[i].n != count) return bad("model.operand.value_count", i, "value count differs from dimensions");
    if (o[i].overflow) return bad("model.operand.value_range", i, "a value overflows its type (not finite)");
  }
  if (m->nin != 23 && m->nin != 27) return bad("LSTM.signature.input_count", -1, "23 or 27 inputs expected");
  if (m->nout != 4) return bad("LSTM.signature.output_count", -1, "4 outputs expected");
  const char *t = o[in[0]].type;
  if (strcmp(t, "TENSOR_FLOAT32") && strcmp(t, "TENSOR_FLOAT16")) return bad("LSTM.type.input", in[0], "input must be TENSOR_FLOAT32/16");
  for (int k = 1; k < m->nin; k++) if ((k < 20 || k > 22) && strcmp(o[in[k]].type, t)) return bad("LSTM.type.tensors", in[k], "tensor type differs from the input's");
  if (strcmp(o[in[20]].type, "INT32")) return bad("LSTM.type.activation", in[20], "activation must be INT32");
  for (int k = 21; k < 23; k++) if (strcmp(o[in[k]].type, strcmp(t, "TENSOR_FLOAT32") ? "FLOAT16" : "FLOAT32")) return bad("LSTM.type.clips", in[k], "clip type");
  for (int k = 0; k < 4; k++) if (strcmp(o[m->outs[k]].type, t)) return bad("LSTM.type.outputs", m->outs[k], "output type differs from the input's");
#define P(k) ((k) < m->nin && !o[in[k]].omitted)
#define D(k, d) o[in[k]].dims[d]
  for (int k = 0; k < m->nin; k++) if (!OPTIONAL[k] && !P(k)) return bad("LSTM.required.present", in[k], "a required operand is omitted");
  if (o[in[0]].rank != 2) return bad("LSTM.input.rank", in[0], "input rank must be 2");
  int B = D(0, 0), I = D(0, 1), N = D(4, 0), O = D(8, 1);
  if (o[in[4]].rank != 2 || D(4, 1) != I) return bad("LSTM.input_to_output.shape", in[4], "input_to_output_weights shape");
  if (o[in[8]].rank != 2 || D(8, 0) != N) return bad("LSTM.recurrent_to_output.shape", in[8], "recurrent_to_output_weights shape");
  if (B < 1 || I < 1 || N < 1 || O < 1) return bad("LSTM.dims.nonzero", in[0], "zero-sized dimension");
  for (int k = 0; k < m->nin; k++) {
    if (!P(k)) continue;
    int rank = (int)strlen(SHAPE[k]), ok = o[in[k]].rank == rank;
    for (int d = 0; ok && d < rank; d++) { char c = SHAPE[k][d]; ok = D(k, d) == (c == 'B' ? B : c == 'I' ? I : c == 'N' ? N : O); }
    if (!ok) return bad(*RULE[k] ? RULE[k] : "model.operand.dimensions", in[k], "shape mismatch");
  }
  if (!P(16) && O != N) return bad("LSTM.no_projection.output_size", in[16], "output_size must equal num_units without projection");
  int cifg = !P(1);
  if (P(1) != P(5)) return bad("LSTM.cifg.all_or_none", in[5], "input_to_input and recurrent_to_input: both or neither");
  if (cifg && P(9)) return bad("LSTM.cifg.no_cell_to_input", in[9], "CIFG with cell_to_input_weights");
  if (cifg && P(12)) return bad("LSTM.cifg.no_input_gate_bias", in[12], "CIFG with input_gate_bias");
  if (!cifg && !P(12)) return bad("LSTM.input_gate_bias.required", in[12], "input_gate_bias omitted without CIFG");
  if (P(10) != P(11) || (!cifg && P(9) != P(10))) return bad("LSTM.peephole.all_or_none", in[10], "peephole weights: all or none");
  if (P(17) && !P(16)) return bad("LSTM.projection_bias.requires_projection", in[17], "projection_bias without projection_weights");
  if (m->nin == 27 && cifg && P(23)) return bad("LSTM.layer_norm.cifg_no_input", in[23], "CIFG with input_layer_norm_weights");
  if (m->nin == 27 && (P(24) != P(25) || P(25) != P(26) || (!cifg && P(23) != P(24)))) return bad("LSTM.layer_norm.all_or_none", in[24], "layer norm: all or none");
  if (!o[in[20]].constant || !o[in[21]].constant || !o[in[22]].constant) return unavailable("activation and clips must be constants");
  int act = (int)o[in[20]].v[0];
  if (act != 0 && act != 1 && act != 3 && act != 4 && act != 6) return bad("LSTM.activation.value", in[20], "activation must be 0, 1, 3, 4 or 6");
  if (!(o[in[21]].v[0] >= 0) || !(o[in[22]].v[0] >= 0)) return bad("LSTM.clip.non_negative", in[21], "clips must be >= 0");
  int want[4][2] = {{B, N * (cifg ? 3 : 4)}, {B, O}, {B, N}, {B, O}};
  for (int k = 0; k < 4; k++) {
    Opnd *x = &o[m->outs[k]];
    if (x->rank != 2 || (x->dims[0] && x->dims[0] != want[k][0]) || (x->dims[1] && x->dims[1] != want[k][1])) return bad("LSTM.outputs.shape", m->outs[k], "declared output shape");
  }
  if (strcmp(t, "TENSOR_FLOAT32")) return unavailable("this example driver computes float32 only");
  m->B = B, m->I = I, m->N = N, m->O = O, m->cifg = cifg, m->act = act, m->clip = o[in[21]].v[0], m->pclip = o[in[22]].v[0];
  return 1;
}

static float actf(int a, float x) { return a == 0 ? x : a == 1 ? fmaxf(0, x) : a == 3 ? fminf(6, fmaxf(0, x)) : a == 4 ? tanhf(x) : 1 / (1 + expf(-x)); }
static float sigm(float x) { return 1 / (1 + expf(-x)); }
#define T(k) (P(k) ? o[in[k]].v : NULL)
/* One gate's pre-activation for batch row b (peephole on `cell`, layer norm, bias after the norm). */
static void gate(Model *m, int b, int wx, int wh, int bias, int peep, int ln, const float *cell, float *z) {
  Opnd *o = m->op; int *in = m->ins, N = m->N, I = m->I, O = m->O;
  double mean = 0, var = 0;
  for (int n = 0; n < N; n++) {
    double acc = 0;
    for (int i = 0; i < I; i++) acc += (double)T(wx)[n * I + i] * T(0)[b * I + i];
    for (int r = 0; r < O; r++) acc += (double)T(wh)[n * O + r] * T(18)[b * O + r];
    if (peep >= 0 && T(peep)) acc += (double)T(peep)[n] * cell[n];
    z[n] = (float)acc, mean += acc / N;
  }
  if (T(ln)) for (int n = 0; n < N; n++) var += (z[n] - mean) * (z[n] - mean) / N;
  for (int n = 0; n < N; n++) z[n] = (T(ln) ? (float)((z[n] - mean) / sqrt(var + 1e-8)) * T(ln)[n] : z[n]) + T(bias)[n];
}
static void lstm(Model *m, float *h_out, float *c_out) {
  Opnd *o = m->op; int *in = m->ins, N = m->N, O = m->O;
  float f[N], i[N], g[N], og[N], c[N], h[N];
  for (int b = 0; b < m->B; b++) {
    const float *cp = T(19) + b * N;
    gate(m, b, 2, 6, 13, 10, 24, cp, f);
    if (!m->cifg) gate(m, b, 1, 5, 12, 9, 23, cp, i);
    gate(m, b, 3, 7, 14, -1, 25, NULL, g);
    for (int n = 0; n < N; n++) {
      f[n] = sigm(f[n]), i[n] = m->cifg ? 1 - f[n] : sigm(i[n]);
      c[n] = f[n] * cp[n] + i[n] * actf(m->act, g[n]);
      if (m->clip > 0) c[n] = fminf(m->clip, fmaxf(-m->clip, c[n]));
    }
    gate(m, b, 4, 8, 15, 11, 26, c, og);
    for (int n = 0; n < N; n++) h[n] = sigm(og[n]) * actf(m->act, c[n]);
    for (int r = 0; r < O; r++) {
      double acc = T(16) ? (T(17) ? T(17)[r] : 0) : h[r];
      if (T(16)) for (int n = 0; n < N; n++) acc += (double)T(16)[r * N + n] * h[n];
      h_out[b * O + r] = m->pclip > 0 && T(16) ? fminf(m->pclip, fmaxf(-m->pclip, (float)acc)) : (float)acc;
    }
    memcpy(c_out + b * N, c, sizeof c);
  }
}

static void load_values(Opnd *x, const unsigned char *payload, int ref) {
  int off = (int)num(get(ref, "offset")), bytes = (int)num(get(ref, "length"));
  x->n = bytes / elem(x->type), free(x->v), x->v = calloc(x->n + 1, sizeof(float));
  for (int k = 0; k < x->n; k++) {
    if (!strcmp(x->type, "INT32")) { int32_t v; memcpy(&v, payload + off + 4 * k, 4); x->v[k] = (float)v; }
    else if (elem(x->type) == 4) { memcpy(&x->v[k], payload + off + 4 * k, 4); x->overflow |= strstr(x->type, "FLOAT") && !isfinite(x->v[k]); }
    else if (strstr(x->type, "FLOAT16")) { uint16_t b; memcpy(&b, payload + off + 2 * k, 2); x->overflow |= (b & 0x7c00) == 0x7c00; }
  }
}

static void free_model(Model *m) { if (m) for (int i = 0; i < m->nops; i++) free(m->op[i].v); free(m); }

static int prepare(int h, const unsigned char *payload) {
  int mj = get(h, "model"), ops = get(mj, "operands"), op = item(get(mj, "operations"), 0);
  static int next;
  if (len(get(mj, "operations")) != 1) return bad("model.structure", -1, "expected exactly one operation");
  if (!is(get(op, "type"), "LSTM")) return unavailable("this example driver runs LSTM only");
  if (len(ops) > MAXOPS) return unavailable("at most 64 operands");
  Model *m = calloc(1, sizeof *m);
  m->nops = len(ops), m->nin = len(get(op, "inputs")), m->nout = len(get(op, "outputs"));
  if (m->nin > 27 || m->nout > 4) { int many = m->nin > 27; free(m); return many ? bad("LSTM.signature.input_count", -1, "too many inputs") : bad("LSTM.signature.output_count", -1, "too many outputs"); }
  for (int k = 0; k < m->nin; k++) m->ins[k] = inum(get(op, "inputs"), k);
  for (int k = 0; k < m->nout; k++) m->outs[k] = inum(get(op, "outputs"), k);
  m->ninputs = len(get(mj, "inputIndexes")), m->noutputs = len(get(mj, "outputIndexes"));
  for (int k = 0; k < m->ninputs && k < 32; k++) m->inputs[k] = inum(get(mj, "inputIndexes"), k);
  for (int k = 0; k < m->noutputs && k < 8; k++) m->outputs[k] = inum(get(mj, "outputIndexes"), k);
  for (int i = 0; i < m->nops; i++) {
    int x = item(ops, i), d = get(x, "dimensions"), t = get(x, "type");
    Opnd *q = &m->op[i];
    snprintf(q->type, sizeof q->type, "%.*s", nd[t].b - nd[t].a, js + nd[t].a);
    q->rank = len(d) > 8 ? 8 : len(d), q->scale = num(get(x, "scale")), q->zp = num(get(x, "zeroPoint")), q->omitted = is(get(x, "omitted"), "true");
    for (int k = 0; k < q->rank; k++) q->dims[k] = inum(d, k);
    if ((q->constant = nd[get(x, "data")].t == 'o')) load_values(q, payload, get(x, "data"));
  }
  if (!validate(m)) { free_model(m); return 0; }
  int handle = ++next % 255 + 1;
  free_model(models[handle]), models[handle] = m;
  snprintf(reply, sizeof reply, "\"status\":\"OK\",\"prepared\":%d", handle);
  return 1;
}

static void execute(int h, const unsigned char *payload) {
  int handle = (int)num(get(h, "prepared")), inputs = get(h, "inputs");
  Model *m = handle > 0 && handle < 256 ? models[handle] : NULL;
  for (int k = 0; m && k < m->ninputs; k++) {
    int x = item(inputs, k), count = 1;
    Opnd *q = &m->op[m->inputs[k]];
    for (int d = 0; d < q->rank; d++) count *= q->dims[d];
    if ((nd[x].t == 'o') == q->omitted) m = NULL; /* omitted at prepare but not at execute, or vice versa */
    else if (nd[x].t == 'o' && (load_values(q, payload, get(x, "data")), q->n != count)) m = NULL;
  }
  if (!m) {
    snprintf(reply, sizeof reply, "{\"type\":\"execute\",\"id\":%d,\"status\":\"BAD_DATA\",\"message\":\"unknown prepared model or bad inputs\"}", (int)num(get(h, "id")));
    write_frame(reply, "", 0);
    return;
  }
  int B = m->B, N = m->N, O = m->O, sN = N * (m->cifg ? 3 : 4), off = 0;
  size_t total = (size_t)B * (sN + O + N + O);
  float *buf = calloc(total, sizeof(float)), *pos[4] = {buf, buf + B * sN, buf + B * (sN + O), buf + B * (sN + O + N)};
  int dims[4][2] = {{B, sN}, {B, O}, {B, N}, {B, O}};
  lstm(m, pos[1], pos[2]);
  memcpy(pos[3], pos[1], sizeof(float) * B * O);
  int n = snprintf(reply, sizeof reply, "{\"type\":\"execute\",\"id\":%d,\"status\":\"OK\",\"outputs\":[", (int)num(get(h, "id")));
  for (int k = 0; k < m->noutputs; k++) {
    int p = 0;
    while (p < 4 && m->outs[p] != m->outputs[k]) p++;
    int bytes = 4 * dims[p][0] * dims[p][1];
    n += snprintf(reply + n, sizeof reply - n, "%s{\"index\":%d,\"dimensions\":[%d,%d],\"data\":{\"offset\":%d,\"length\":%d}}", k ? "," : "", m->outputs[k], dims[p][0], dims[p][1], (int)((pos[p] - buf) * 4), bytes);
    off += bytes;
  }
  snprintf(reply + n, sizeof reply - n, "]}");
  write_frame(reply, buf, (uint32_t)(total * 4));
  free(buf);
}

int main(void) {
  char *header, out[sizeof reply + 128];
  unsigned char *payload;
  while (read_frame(&header, &payload)) {
    const char *p = js = header;
    nn = 0;
    int h = parse(&p), type = get(h, "type"), id = (int)num(get(h, "id"));
    snprintf(reply, sizeof reply, "\"status\":\"OK\"");
    if (is(type, "hello"))
      snprintf(reply, sizeof reply, "\"status\":\"OK\",\"protocol\":1,\"driver\":{\"name\":\"c-example\",\"version\":\"1.0\"},"
               "\"capabilities\":{\"operations\":[\"LSTM\"],\"operandTypes\":[\"TENSOR_FLOAT32\",\"FLOAT32\",\"INT32\"],\"featureLevel\":3}");
    else if (is(type, "prepare")) prepare(h, payload);
    else if (is(type, "execute")) { execute(h, payload); free(header), free(payload); continue; }
    else if (is(type, "release")) { int k = (int)num(get(h, "prepared")); if (k > 0 && k < 256) free_model(models[k]), models[k] = NULL; }
    snprintf(out, sizeof out, "{\"type\":\"%.*s\",\"id\":%d,%s}", nd[type].b - nd[type].a, js + nd[type].a, id, reply);
    write_frame(out, "", 0);
    int stop = is(type, "shutdown");
    free(header), free(payload);
    if (stop) break;
  }
  return 0;
}
