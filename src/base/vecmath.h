/* vecmath.h: exp, tanh, sigmoid, small integer powers and the four
 * arithmetic operators over whole arrays.
 *
 * The kernels are branch-free (range reduction, a polynomial and selects
 * instead of branches) so the compiler vectorises them, and they run in
 * fixed-size blocks so even -O2's cheapest vectoriser takes them. Results
 * do not depend on the vector width: each element sees the same operations
 * in the same order. Accuracy (checked in tests/unit/test_vecmath.c): a few
 * ulp against libm, with inf, nan, -0, overflow and underflow exact.
 *
 * out and x may be the same array.
 */
#ifndef OVP_VECMATH_H
#define OVP_VECMATH_H

#include <stddef.h>

void vm_exp(double *out, const double *x, size_t n);
void vm_tanh(double *out, const double *x, size_t n);
void vm_sigmoid(double *out, const double *x, size_t n);
/* x^p for integers 3 <= p <= 8, correctly rounded (see vecmath.c). */
void vm_powi(double *out, const double *x, size_t n, int p);

/* out = x op y elementwise; x or y (not both) may be NULL, standing for
 * the scalar s. out may be x or y. */
typedef enum VmArith { VM_ADD, VM_SUB, VM_MUL, VM_DIV } VmArith;
void vm_arith(VmArith op, double *out, const double *x, const double *y,
              double s, size_t n);

#endif
