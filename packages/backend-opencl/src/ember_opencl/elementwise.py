"""The elementwise kernel generator: one C expression per op becomes a kernel per (op, dtypes, layout).

Operands are arrays (broadcast to the result's shape with zero strides) or Python scalars (kernel
arguments). After `collapse`, a kernel whose operands are all row-major over the result's shape takes
the fast path (one work-item per element, element i at offset + i); any other layout unravels the flat
index over the collapsed dims, with the shape and strides as kernel arguments (not baked in: one
kernel per number of dims, not per shape).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ember import _igamma_series as igs
from ember import _special_series as series
from ember._backend_util import elementwise_strides

from . import program
from .buffer import CLArray, allocate
from .program import BITS, BOOL, FLOATS, HALF, UNSIGNED, value_type

# Helpers the expressions call, emitted for every type they are used with (names carry the C type).
_HELPERS = {
    "floordiv": """
{T} floordiv_{T}({T} a, {T} b) {{
  if (b == 0) return 0;  /* never called so by core; numpy's value, and no hardware trap */
  if (b == -1) return ({T})(-({U})a);
  {T} q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}}""",
    "ffloordiv": """
{T} floordiv_{T}({T} a, {T} b) {{
  {T} mod = fmod(a, b);
  if (b == 0) return a / b;
  {T} div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
  if (div != 0) {{ {T} f = floor(div); return (div - f > ({T})0.5) ? f + 1 : f; }}
  return copysign(({T})0, a / b);
}}""",
    "remainder": """
{T} remainder_{T}({T} a, {T} b) {{
  if (b == 0 || b == -1) return 0;
  {T} r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}}""",
    "fremainder": """
{T} remainder_{T}({T} a, {T} b) {{
  {T} mod = fmod(a, b);
  if (b == 0) return mod;
  if (mod != 0) return ((b < 0) != (mod < 0)) ? mod + b : mod;
  return copysign(({T})0, a);
}}""",
    "tanh": """
{T} tanh_{T}({T} a) {{
  /* PoCL's float tanh stops at 0.99999994: saturate where the correctly rounded float is +-1 (|a| > 13 ln 2) */
  return (sizeof({T}) == 4 && fabs(a) > ({T})9.01091335) ? copysign(({T})1, a) : tanh(a);
}}""",
    "ipow": """
{T} ipow_{T}({T} a, {T} b) {{
  if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
  {U} base = ({U})a, result = 1;
  while (b) {{ if (b & 1) result *= base; base *= base; b >>= 1; }}
  return ({T})result;
}}""",
    "logaddexp": """
{T} logaddexp_{T}({T} a, {T} b) {{
  if (a == b) return a + M_LN2;
  {T} d = a - b;
  if (d > 0) return a + log1p(exp(-d));
  if (d <= 0) return b + log1p(exp(d));
  return d;
}}""",
    "logaddexp2": """
{T} logaddexp2_{T}({T} a, {T} b) {{
  if (a == b) return a + 1;
  {T} d = a - b;
  if (d > 0) return a + log1p(exp2(-d)) * M_LOG2E;
  if (d <= 0) return b + log1p(exp2(d)) * M_LOG2E;
  return d;
}}""",
    "nextafter_half": """
float nextafter_half(float a, float b) {
  /* the float16 after a toward b, computed in float: one float16 ulp (2^-24 at least) from a */
  if (isnan(a) || isnan(b)) return a + b;
  if (a == b) return b;
  if (a == 0) return copysign(0x1p-24f, b);
  if (isinf(a)) return copysign(65504.0f, a);
  int e;
  float m = frexp(a, &e);
  int step = (fabs(m) == 0.5f && ((b > a) != (a > 0))) ? e - 12 : e - 11;
  float ulp = ldexp(1.0f, max(step, -24));
  float r = b > a ? a + ulp : a - ulp;
  return r == 0 ? copysign(0.0f, a) : r;  /* a step to zero keeps a's sign, as C's */
}""",
}


def _horner(coefficients, z: str) -> str:
    """C code of the polynomial sum(coefficients[i] z^i) in {T}, by Horner's rule."""
    code = f"({{T}}){coefficients[-1]!r}"
    for coefficient in reversed(coefficients[:-1]):
        code = f"({code}) * {z} + ({{T}}){coefficient!r}"
    return code


# PyTorch's special functions that OpenCL C lacks (its ATen Math.h algorithms), over the coefficients the
# CPU backend evaluates too.
_SPECIAL = {
    "digamma": """
{T} digamma_{T}({T} x) {{
  /* calc_digamma: the reflection for x < 0, the recurrence up to 10, the asymptotic series */
  if (x == 0) return copysign(({T})INFINITY, -x);
  {T} reflection = 0;
  if (x < 0) {{
    if (x == trunc(x)) return NAN;
    /* pi / tan(pi r), r the fractional part; PyTorch's float version computes it in double: in float, r
       taken to [-1/2, 1/2] first (tan's period; exact) rounds pi r as little */
    {T} r = x - trunc(x);
    if (sizeof({T}) == 4) r -= rint(r);
    reflection = ({T})%(pi)r / tan(({T})%(pi)r * r);
    x = 1 - x;
  }}
  {T} result = 0;
  while (x < 10) {{ result -= 1 / x; x += 1; }}
  if (x == 10) return result + ({T})%(psi_10)r - reflection;
  {T} series = 0;
  if (x < ({T})1e17) {{
    {T} z = 1 / (x * x);
    series = z * (%(psi_series)s);
  }}
  return result + log(x) - ({T})0.5 / x - series - reflection;
}}""",
    "erfinv": """
{T} erfinv_{T}({T} y) {{
  /* calc_erfinv: a rational first guess, then two Newton steps on erf */
  {T} y_abs = fabs(y), x;
  if (y_abs > 1) return NAN;
  if (y_abs == 1) return copysign(({T})INFINITY, y);
  if (y_abs <= ({T})0.7) {{
    {T} z = y * y;
    x = y * (%(erfinv_a)s) / ((%(erfinv_b)s) * z + 1);
  }} else {{
    {T} z = sqrt(-log((1 - y_abs) / 2));
    x = copysign(%(erfinv_c)s, y) / ((%(erfinv_d)s) * z + 1);
  }}
  x = x - (erf(x) - y) / (({T})%(two_over_sqrt_pi)r * exp(-x * x));
  return x - (erf(x) - y) / (({T})%(two_over_sqrt_pi)r * exp(-x * x));
}}""",
    "i0": """
__constant {T} i0e_a_{T}[] = {{%(i0e_a)s}};
__constant {T} i0e_b_{T}[] = {{%(i0e_b)s}};
{T} chbevl_{T}({T} x, __constant {T} *coefficients, int count) {{
  {T} b0 = coefficients[0], b1 = 0, b2 = 0;
  for (int i = 1; i < count; i++) {{ b2 = b1; b1 = b0; b0 = x * b1 - b2 + coefficients[i]; }}
  return ({T})0.5 * (b0 - b2);
}}
{T} i0_{T}({T} x) {{
  /* calc_i0: Cephes' Chebyshev series of exp(-x) I0(x), on [0, 8] and beyond */
  x = fabs(x);
  if (x <= 8) return exp(x) * chbevl_{T}(x / 2 - 2, i0e_a_{T}, %(i0e_a_count)d);
  return exp(x) * chbevl_{T}(32 / x - 2, i0e_b_{T}, %(i0e_b_count)d) / sqrt(x);
}}""",
}
# The regularized incomplete gamma functions (calc_igamma, calc_igammac) over the constants the CPU backend
# evaluates too; one helper for both ops, computed in the operands' type (float16 in float)
_IGAMMA = """
__constant {T} igamma_d_{T}[%(d_count)d] = {{%(d)s}};
__constant {T} igamma_lanczos_num_{T}[13] = {{%(lanczos_num)s}};
__constant {T} igamma_lanczos_denom_{T}[13] = {{%(lanczos_denom)s}};
__constant {T} igamma_lgamma1p_taylor_{T}[%(lgamma1p_count)d] = {{%(lgamma1p)s}};
#define IGAMMA_MACHEP_{T} (sizeof({T}) == 8 ? ({T})%(machep_double)r : ({T})%(machep_float)r)
#define IGAMMA_BIG_{T} (sizeof({T}) == 8 ? ({T})%(big_double)r : ({T})%(big_float)r)
#define IGAMMA_MAXLOG_{T} (sizeof({T}) == 8 ? ({T})%(maxlog_double)r : ({T})%(maxlog_float)r)
{T} igamma_lgamma1p_{T}({T} a) {{
  /* lgamma(1 + a) of the rounded 1 + a: its Taylor series near a = 0, where lgamma(1 + a) loses digits */
  a = (1 + a) - 1;
  if (fabs(a) >= ({T})%(lgamma1p_radius)r) return lgamma(1 + a);
  {T} sum = 0;
  for (int k = %(lgamma1p_count)d - 1; k >= 0; k--) sum = (sum + igamma_lgamma1p_taylor_{T}[k]) * a;
  return sum;
}}
{T} igamma_prefactor_{T}({T} a, {T} x) {{
  /* x^a e^-x / Gamma(a): by logarithms where x is far from a, else by the Lanczos approximation */
  if (fabs(a - x) > ({T})0.4 * fabs(a)) {{
    {T} ax = a * log(x) - x - lgamma(a);
    return ax < -IGAMMA_MAXLOG_{T} ? ({T})0 : exp(ax);
  }}
  {T} fac = a + ({T})%(lanczos_g)r - ({T})0.5;
  int inverse = fabs(a) > 1;
  {T} y = inverse ? 1 / a : a, top = 0, bottom = 0;
  for (int k = 0; k < 13; k++) {{
    top = top * y + igamma_lanczos_num_{T}[inverse ? 12 - k : k];
    bottom = bottom * y + igamma_lanczos_denom_{T}[inverse ? 12 - k : k];
  }}
  {T} result = sqrt(fac / ({T})%(e)r) / (top / bottom);
  if (a < 200 && x < 200) return result * exp(a - x) * pow(x / fac, a);
  {T} numfac = (x - a - ({T})%(lanczos_g)r + ({T})0.5) / fac;
  return result * exp(a * (log1p(numfac) - numfac) + x * (({T})0.5 - ({T})%(lanczos_g)r) / fac);
}}
{T} igamma_lower_series_{T}({T} a, {T} x) {{
  {T} prefactor = igamma_prefactor_{T}(a, x);
  if (prefactor == 0) return 0;
  {T} r = a, c = 1, total = 1;
  for (int i = 0; i < %(max_iterations)d; i++) {{
    r += 1; c *= x / r; total += c;
    if (c <= IGAMMA_MACHEP_{T} * total) break;
  }}
  return total * prefactor / a;
}}
{T} igamma_upper_series_{T}({T} a, {T} x) {{
  {T} fac = 1, total = 0, term;
  for (int n = 1; n < %(max_iterations)d; n++) {{
    fac *= -x / n; term = fac / (a + n); total += term;
    if (fabs(term) <= IGAMMA_MACHEP_{T} * fabs(total)) break;
  }}
  {T} log_x = log(x);
  return -expm1(a * log_x - igamma_lgamma1p_{T}(a)) - exp(a * log_x - lgamma(a)) * total;
}}
{T} igamma_continued_fraction_{T}({T} a, {T} x) {{
  {T} prefactor = igamma_prefactor_{T}(a, x);
  if (prefactor == 0) return 0;
  {T} y = 1 - a, z = x + y + 1, c = 0, pkm2 = 1, qkm2 = x, pkm1 = x + 1, qkm1 = z * x;
  {T} answer = pkm1 / qkm1;
  for (int i = 0; i < %(max_iterations)d; i++) {{
    c += 1; y += 1; z += 2;
    {T} yc = y * c, pk = pkm1 * z - pkm2 * yc, qk = qkm1 * z - qkm2 * yc, change = 1;
    if (qk != 0) {{ {T} r = pk / qk; change = fabs((answer - r) / r); answer = r; }}
    pkm2 = pkm1; pkm1 = pk; qkm2 = qkm1; qkm1 = qk;
    if (fabs(pk) > IGAMMA_BIG_{T}) {{
      {T} inverse = 1 / IGAMMA_BIG_{T};
      pkm2 *= inverse; pkm1 *= inverse; qkm2 *= inverse; qkm1 *= inverse;
    }}
    if (change <= IGAMMA_MACHEP_{T}) break;
  }}
  return answer * prefactor;
}}
{T} igamma_asymptotic_{T}({T} a, {T} x, int lower) {{
  /* Temme's uniform asymptotic expansion (DLMF 8.12.3, 8.12.4) */
  {T} sign = lower ? -1 : 1, sigma = (x - a) / a;
  {T} eta = sqrt(-2 * (log1p(sigma) - sigma));
  if (sigma < 0) eta = -eta; else if (sigma == 0) eta = 0;
  {T} result = ({T})0.5 * erfc(sign * eta * sqrt(a / 2));
  {T} powers[%(d_columns)d];
  powers[0] = 1;
  for (int n = 1; n < %(d_columns)d; n++) powers[n] = powers[n - 1] * eta;
  {T} total = 0, afac = 1, previous = INFINITY;
  for (int k = 0; k < %(d_rows)d; k++) {{
    {T} ck = igamma_d_{T}[k * %(d_columns)d];
    for (int n = 1; n < %(d_columns)d; n++) {{
      {T} term = igamma_d_{T}[k * %(d_columns)d + n] * powers[n];
      ck += term;
      if (fabs(term) < IGAMMA_MACHEP_{T} * fabs(ck)) break;
    }}
    {T} term = ck * afac, size = fabs(term);
    if (size > previous) break;
    total += term;
    if (size < IGAMMA_MACHEP_{T} * fabs(total)) break;
    previous = size; afac /= a;
  }}
  return result + sign * exp(({T})-0.5 * a * eta * eta) * total / sqrt(2 * ({T})%(pi_float)r * a);
}}
int igamma_asymptotic_regime_{T}({T} a, {T} x) {{
  {T} ratio = fabs(x - a) / a;
  return (a > %(small)r && a < %(large)r && ratio < ({T})%(small_ratio)r)
         || (a > %(large)r && ratio < ({T})%(large_ratio)r / sqrt(a));
}}
{T} igammac_interior_{T}({T} a, {T} x) {{
  if (igamma_asymptotic_regime_{T}(a, x)) return igamma_asymptotic_{T}(a, x, 0);
  /* PyTorch compares a float x with the double 1.1, which float's 1.1 exceeds */
  if (x > ({T})1.1 || (sizeof({T}) == 4 && x == ({T})1.1))
    return x < a ? 1 - igamma_lower_series_{T}(a, x) : igamma_continued_fraction_{T}(a, x);
  int stable = x <= ({T})0.5 ? -({T})0.4 / log(x) < a : x * ({T})1.1 < a;
  return stable ? 1 - igamma_lower_series_{T}(a, x) : igamma_upper_series_{T}(a, x);
}}
{T} igamma_{T}({T} a, {T} x) {{
  /* calc_igamma, with SciPy's values on the domain's edges */
  if (x < 0 || a < 0) return NAN;
  if (a == 0) return x > 0 ? 1 : NAN;
  if (x == 0) return 0;
  if (isinf(a)) return isinf(x) ? NAN : 0;
  if (isinf(x)) return 1;
  if (isnan(a) || isnan(x)) return NAN;
  if (igamma_asymptotic_regime_{T}(a, x)) return igamma_asymptotic_{T}(a, x, 1);
  if (x > 1 && x > a) return 1 - igammac_interior_{T}(a, x);
  return igamma_lower_series_{T}(a, x);
}}
{T} igammac_{T}({T} a, {T} x) {{
  /* calc_igammac, with SciPy's values on the domain's edges */
  if (x < 0 || a < 0) return NAN;
  if (a == 0) return x > 0 ? 0 : NAN;
  if (x == 0) return 1;
  if (isinf(a)) return isinf(x) ? NAN : 1;
  if (isinf(x)) return 0;
  if (isnan(a) || isnan(x)) return NAN;
  return igammac_interior_{T}(a, x);
}}"""
_HELPERS["igamma"] = _IGAMMA % {
    "d": ", ".join(repr(c) for row in igs.ASYMPTOTIC_D for c in row), "d_rows": len(igs.ASYMPTOTIC_D),
    "d_columns": len(igs.ASYMPTOTIC_D[0]), "d_count": sum(map(len, igs.ASYMPTOTIC_D)),
    "lanczos_num": ", ".join(map(repr, igs.LANCZOS_NUM)), "lanczos_denom": ", ".join(map(repr, igs.LANCZOS_DENOM)),
    "lgamma1p": ", ".join(map(repr, igs.LGAMMA1P_TAYLOR)), "lgamma1p_count": len(igs.LGAMMA1P_TAYLOR),
    "lgamma1p_radius": igs.LGAMMA1P_RADIUS, "lanczos_g": igs.LANCZOS_G, "e": math.e, "pi_float": igs.PI_FLOAT,
    "machep_double": igs.MACHEP["double"], "machep_float": igs.MACHEP["float"], "big_double": igs.BIG["double"],
    "big_float": igs.BIG["float"], "maxlog_double": igs.MAXLOG["double"], "maxlog_float": igs.MAXLOG["float"],
    "max_iterations": igs.MAX_ITERATIONS, "small": igs.SMALL, "large": igs.LARGE, "small_ratio": igs.SMALL_RATIO,
    "large_ratio": igs.LARGE_RATIO,
}

_HELPERS.update({name: source % {
    "pi": math.pi, "psi_10": series.PSI_10, "two_over_sqrt_pi": 2 / math.sqrt(math.pi),
    "psi_series": _horner(series.PSI_SERIES[::-1], "z"),
    "erfinv_a": _horner(series.ERFINV_A, "z"), "erfinv_b": _horner(series.ERFINV_B, "z"),
    "erfinv_c": _horner(series.ERFINV_C, "z"), "erfinv_d": _horner(series.ERFINV_D, "z"),
    "i0e_a": ", ".join(map(repr, series.I0E_A)), "i0e_b": ", ".join(map(repr, series.I0E_B)),
    "i0e_a_count": len(series.I0E_A), "i0e_b_count": len(series.I0E_B),
} for name, source in _SPECIAL.items()})

# op -> (C expression over a, b, c; helper names). {T}: the first array's C type, {U}: its unsigned
# twin, {W}: its width in bits. Float and integer forms differ where the semantics do.
_FLOAT = {
    "neg": "-a", "exp": "exp(a)", "log": "log(a)", "sin": "sin(a)", "cos": "cos(a)", "tanh": "tanh_{T}(a)",
    "sqrt": "sqrt(a)", "abs": "fabs(a)", "exp2": "exp2(a)", "expm1": "expm1(a)", "log2": "log2(a)",
    "log10": "log10(a)", "log1p": "log1p(a)", "tan": "tan(a)", "asin": "asin(a)", "acos": "acos(a)",
    "atan": "atan(a)", "sinh": "sinh(a)", "cosh": "cosh(a)", "asinh": "asinh(a)", "acosh": "acosh(a)",
    "atanh": "atanh(a)", "floor": "floor(a)", "ceil": "ceil(a)", "trunc": "trunc(a)", "round": "rint(a)",
    "erf": "erf(a)", "erfc": "erfc(a)", "lgamma": "lgamma(a)", "digamma": "digamma_{T}(a)",
    "erfinv": "erfinv_{T}(a)", "i0": "i0_{T}(a)", "sign": "(a > 0 ? ({T})1 : (a < 0 ? ({T})-1 : ({T})0))",
    "add": "a + b", "sub": "a - b", "mul": "a * b", "div": "a / b", "pow": "pow(a, b)",
    "maximum": "(a > b || isnan(a)) ? a : b", "minimum": "(a < b || isnan(a)) ? a : b",
    "floor_divide": "floordiv_{T}(a, b)", "remainder": "remainder_{T}(a, b)", "fmod": "fmod(a, b)",
    "atan2": "atan2(a, b)", "copysign": "copysign(a, b)", "logaddexp": "logaddexp_{T}(a, b)",
    "logaddexp2": "logaddexp2_{T}(a, b)", "hypot": "hypot(a, b)", "nextafter": "nextafter(a, b)",
    "igamma": "igamma_{T}(a, b)", "igammac": "igammac_{T}(a, b)",
    "relu": "a < 0 ? ({T})0 : a", "sigmoid": "({T})1 / (({T})1 + exp(-a))",
}
_INT = {
    "neg": "({T})(-({U})a)", "abs": "a < 0 ? ({T})(-({U})a) : a",
    "sign": "(a > 0 ? ({T})1 : (a < 0 ? ({T})-1 : ({T})0))",
    "add": "({T})(({U})a + ({U})b)", "sub": "({T})(({U})a - ({U})b)", "mul": "({T})(({U})a * ({U})b)",
    "pow": "ipow_{T}(a, b)", "maximum": "a >= b ? a : b", "minimum": "a <= b ? a : b",
    "floor_divide": "floordiv_{T}(a, b)", "remainder": "remainder_{T}(a, b)",
    "fmod": "(b == 0 || b == -1) ? ({T})0 : a % b",
    "bitwise_and": "a & b", "bitwise_or": "a | b", "bitwise_xor": "a ^ b", "bitwise_not": "~a",
    "bitwise_left_shift": "(b < 0 || b >= {W}) ? ({T})0 : ({T})(({U})a << b)",
    "bitwise_right_shift": "(b < 0 || b >= {W}) ? (a < 0 ? ({T})-1 : ({T})0) : ({T})(a >> b)",
    "relu": "a < 0 ? ({T})0 : a",
}
_BOOL = {"bitwise_and": "a & b", "bitwise_or": "a | b", "bitwise_xor": "a ^ b", "bitwise_not": "!a",
         "maximum": "a | b", "minimum": "a & b", "add": "a | b", "mul": "a & b", "abs": "a",
         "pow": "a | !b"}
_COMPARISONS = {"eq": "a == b", "ne": "a != b", "lt": "a < b", "le": "a <= b", "gt": "a > b", "ge": "a >= b"}
_USES = {"tanh": "tanh", "floor_divide": "floordiv", "remainder": "remainder", "pow": "ipow", "logaddexp": "logaddexp",
         "logaddexp2": "logaddexp2",
         "digamma": "digamma", "erfinv": "erfinv", "i0": "i0", "igamma": "igamma", "igammac": "igamma"}

UNARY = ("neg exp log sin cos tanh sqrt abs sign exp2 expm1 log2 log10 log1p tan asin acos atan sinh cosh "
         "asinh acosh atanh floor ceil trunc round erf erfc lgamma digamma erfinv i0 bitwise_not relu sigmoid").split()
BINARY = ("add sub mul div pow maximum minimum floor_divide remainder fmod atan2 copysign logaddexp "
          "logaddexp2 hypot nextafter igamma igammac bitwise_and bitwise_or bitwise_xor bitwise_left_shift "
          "bitwise_right_shift").split()


def expression(op: str, dtype: np.dtype) -> tuple[str, str]:
    """The C expression of `op` on values of `dtype` and the helper source it needs."""
    if op in _COMPARISONS:
        return _COMPARISONS[op], ""
    if op == "nextafter" and dtype == HALF:  # computed in float, stepping by a float16 ulp
        return "nextafter_half(a, b)", _HELPERS["nextafter_half"]
    t = value_type(dtype)
    table = _BOOL if dtype == BOOL else _FLOAT if t in FLOATS else _INT
    if op not in table:
        raise TypeError(f"OpenCL kernel {op!r} does not support {dtype.name}")
    helper = _USES.get(op)
    source = ""
    if helper is not None and helper in ("floordiv", "remainder") and t in FLOATS:
        helper = "f" + helper
    if helper is not None and (helper in ("ipow", "floordiv", "remainder") or t in FLOATS):
        if not (helper == "ipow" and t in FLOATS):
            source = _HELPERS[helper]
    fill = {"T": t, "U": UNSIGNED.get(t, t), "W": BITS[t]}
    return table[op].format(**fill), source.format(**fill)


def cast(value: str, target: np.dtype, source: np.dtype | None = None) -> str:
    """C code converting `value` (of dtype `source`) to `target` as numpy's unsafe cast does (anything
    nonzero is true); a float into uint8 through long, wrapping as PyTorch's static_cast_with_inter_type (C
    leaves an out-of-range conversion undefined: GPUs saturate -1.0 to 0); to float16 through float, as
    PyTorch converts (a double is rounded twice: float, then half on store)."""
    if target == BOOL:
        return f"(uchar)({value} != 0)"
    if target == np.uint8 and source is not None and source.kind == "f":
        return f"(uchar)(long)({value})"
    return f"({value_type(target)})({value})"


def broadcast_strides(array: CLArray, shape: tuple[int, ...]) -> tuple[int, ...]:
    """`array`'s strides for reading it as `shape` (numpy broadcasting: size-1 and missing dims stride 0)."""
    lead = len(shape) - array.ndim
    return tuple(0 if d < lead or array.shape[d - lead] == 1 else array.strides[d - lead]
                 for d in range(len(shape)))


def broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shapes broadcast together; ValueError (core's kernel-failure path names it) when they do not."""
    ndim = max(len(shape) for shape in shapes)
    result = []
    for d in range(ndim):
        sizes = {shape[d - ndim + len(shape)] for shape in shapes if d - ndim + len(shape) >= 0} - {1}
        if len(sizes) > 1:
            raise ValueError(f"shapes {' '.join(map(str, shapes))} do not broadcast together")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def scalar_arg(value, dtype: np.dtype):
    """A Python number as the kernel argument of a `dtype` operand (bool as uchar, float16 as float)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a float out of float32's range becomes inf, as numpy's cast
        if dtype == BOOL:
            return np.uint8(bool(value))
        if dtype == HALF:  # rounded to float16, passed as the float the kernel computes in
            return np.float32(np.array(value).astype(dtype)[()])
        return np.array(value).astype(dtype)[()]


def run(device, body: str, helpers: str, out: CLArray, operands: list,
        dtypes: list[np.dtype]) -> CLArray:
    """Compute ``out[i] = body`` elementwise, where `body` reads the operands as a, b, c... (arrays
    broadcast to out's shape, or scalars of the given dtypes)."""
    if not out.size:
        return out
    names = "abcdefgh"
    arrays = [(k, x) for k, x in enumerate(operands) if isinstance(x, CLArray)]
    stride_sets = [out.strides] + [broadcast_strides(x, out.shape) for _, x in arrays]
    shape, collapsed = program.collapse(out.shape, stride_sets)
    contiguous = all(strides == tuple(_row_major(shape)) for strides in collapsed)
    ndim = 0 if contiguous else len(shape)
    params = [f"__global {_pointee(out.dtype)} *out", "long out_off"]
    scalar_types: list = [None, np.int64]
    args: list = [out.base, out.offset]
    loads = []
    for k, x in enumerate(operands):
        t, n = value_type(dtypes[k]), names[k]
        if isinstance(x, CLArray):
            params += [f"__global const {_pointee(x.dtype)} *{n}_", f"long {n}_off"]
            scalar_types += [None, np.int64]
            args += [x.base, x.offset]
            read = f"vload_half({n}_i, {n}_)" if x.dtype == HALF else f"{n}_[{n}_i]"
            loads.append(f"const {t} {n} = {read};")
        else:
            params.append(f"const {t} {n}")
            scalar_types.append(_scalar_type(dtypes[k]))
            args.append(scalar_arg(x, dtypes[k]))
    params.append("long n")
    scalar_types.append(np.int64)
    args.append(out.size)
    targets = ["out_i"] + [f"{names[k]}_i" for k, _ in arrays]
    starts = [f"long {target} = {'out' if target == 'out_i' else target[:-2]}_off" for target in targets]
    if contiguous:
        index = "\n    ".join(f"{start} + i;" for start in starts)
    else:
        for d in range(ndim):
            params.append(f"long s{d}")
            scalar_types.append(np.int64)
        for j in range(len(collapsed)):
            for d in range(ndim):
                params.append(f"long t{j}_{d}")
                scalar_types.append(np.int64)
        args += list(shape) + [stride for strides in collapsed for stride in strides]
        index = "\n    ".join(f"{start};" for start in starts) + "\n    " + program.unravel(
            "i", [f"s{d}" for d in range(ndim)],
            [[f"t{j}_{d}" for d in range(ndim)] for j in range(len(collapsed))], targets)
    store = f"vstore_half_rte({body}, out_i, out);" if out.dtype == HALF else f"out[out_i] = {body};"
    source = f"""{helpers}
__kernel void k({", ".join(params)}) {{
    const long i = get_global_id(0);
    if (i >= n) return;
    {index}
    {" ".join(loads)}
    {store}
}}"""
    kernel = program.build(device, source, "k", scalar_types)
    program.launch(device, kernel, out.size, *args)
    return out


def _pointee(dtype: np.dtype) -> str:
    """The C type a buffer of `dtype` is declared with (float16: half, read and written only through
    vload_half/vstore_half_rte)."""
    return "half" if dtype == HALF else value_type(dtype)


def _scalar_type(dtype: np.dtype) -> np.dtype:
    """The kernel argument type of a scalar operand: bool as uchar, float16 as the float it computes in."""
    return np.dtype(np.uint8) if dtype == BOOL else np.dtype(np.float32) if dtype == HALF else dtype


def _row_major(shape: tuple[int, ...]) -> list[int]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return list(reversed(strides))


def result_buffer(operands: list, dtype: np.dtype, out: CLArray | None) -> CLArray:
    """`out`, or a new array of the operands' broadcast shape laid out as PyTorch lays out the result (a
    transposed input gives a transposed result)."""
    if out is not None:
        return out
    arrays = [x for x in operands if isinstance(x, CLArray)]
    shape = broadcast_shape(*(x.shape for x in arrays))
    if all(_row_major(x.shape) == list(x.strides) for x in arrays):
        return allocate(arrays[0].device, shape, dtype)
    strides = elementwise_strides(shape, [x.strides for x in arrays], [x.shape for x in arrays])
    return allocate(arrays[0].device, shape, dtype, strides)


def _dtype_of(operands: list) -> np.dtype:
    return next(x.dtype for x in operands if isinstance(x, CLArray))


def unary(op: str):
    def kernel(x, out=None):
        body, helpers = expression(op, x.dtype)
        result = result_buffer([x], x.dtype, out)
        return run(x.device, body, helpers, result, [x], [x.dtype])

    kernel.__name__ = kernel.__qualname__ = op
    return kernel


# maximum/minimum of floats against a number bound (clamp, relu6, hardtanh): x kept where equal to the bound
# (-0. against 0.), as PyTorch's; between two arrays the second is kept, as its vectorized loops do.
_BOUND = {"maximum": "(isnan(b) || a < b) ? b : a", "minimum": "(isnan(b) || a > b) ? b : a"}


def binary(op: str):
    comparison = op in _COMPARISONS
    bound = _BOUND.get(op)

    def kernel(a, b, out=None):
        dtype = _dtype_of([a, b])
        body, helpers = expression(op, dtype)
        if bound is not None and not isinstance(b, CLArray) and value_type(dtype) in FLOATS:
            body = bound
        result = result_buffer([a, b], np.dtype(bool) if comparison else dtype, out)
        if comparison:
            body = f"(uchar)({body})"
        array = a if isinstance(a, CLArray) else b
        return run(array.device, body, helpers, result, [a, b], [dtype, dtype])

    kernel.__name__ = kernel.__qualname__ = op
    return kernel


def where(cond, a, b, out=None):
    dtype = _dtype_of([a, b])
    result = result_buffer([cond, a, b], dtype, out)
    if out is not None and any(x is out or (isinstance(x, CLArray) and x.base is out.base) for x in (a, b)):
        result = result_buffer([cond, a, b], dtype, None)  # out may overlap an input: go through a copy
        run(cond.device, "a ? b : c", "", result, [cond, a, b], [np.dtype(bool), dtype, dtype])
        return copy_(out, result)
    return run(cond.device, "a ? b : c", "", result, [cond, a, b], [np.dtype(bool), dtype, dtype])


def copy_(dst: CLArray, src) -> CLArray:
    """src (an array, broadcast, or a number) cast to dst's dtype and written into dst (any view)."""
    if isinstance(src, CLArray):
        return run(dst.device, cast("a", dst.dtype, src.dtype), "", dst, [src], [src.dtype])
    return run(dst.device, "a", "", dst, [src], [dst.dtype])


def astype(x: CLArray, dtype) -> CLArray:
    """x converted, laid out as PyTorch lays out a conversion's result (a transposed input stays so)."""
    result = result_buffer([x], dtype.numpy, None)
    return run(x.device, cast("a", dtype.numpy, x.dtype), "", result, [x], [x.dtype])


def converted(x: CLArray, target: np.dtype) -> CLArray:
    """A new row-major copy of x in numpy dtype `target`."""
    result = allocate(x.device, x.shape, target)
    return run(x.device, cast("a", target, x.dtype), "", result, [x], [x.dtype])


KERNELS = {**{op: unary(op) for op in UNARY}, **{op: binary(op) for op in (*BINARY, *_COMPARISONS)},
           "where": where, "copy_": copy_, "astype": astype}
