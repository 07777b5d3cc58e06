/* blaskernel.h: the OpenBLAS kernels for a CPU that OpenBLAS does not know. */
#ifndef OVP_BLASKERNEL_H
#define OVP_BLASKERNEL_H

/* Called first thing in main. OpenBLAS picks its kernels by the CPU's
 * model number when it is loaded; a model it does not know (a recent
 * part, or a virtual machine that hides the model, as "Intel(R) Xeon(R)
 * Processor") falls back to the Prescott kernels, plain SSE3: dgemm then
 * runs at a third of the speed the AVX-512 kernels reach on the same
 * machine (W1 4.5 s against 1.65 s, measured). When the user has not
 * chosen (OPENBLAS_CORETYPE unset) and OpenBLAS fell back although the
 * CPU and the operating system support AVX-512 or AVX2 with FMA, ovp puts
 * the matching core (SkylakeX, Haswell) in OPENBLAS_CORETYPE and has
 * OpenBLAS choose its kernels again in this process; where the library
 * lacks the entry points for that, ovp runs itself again instead, since
 * OpenBLAS reads the variable when it loads. Processes ovp starts inherit
 * the variable, so the choice is made once. Returns only when nothing is
 * to be changed, the kernels were changed in place, or the new run could
 * not start. */
void blas_kernel_fix(char **argv);

#endif
