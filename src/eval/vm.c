/* vm.c: see vm.h.
 *
 * Registers. An instruction names its operands by register: a variable
 * (one register per identifier node, pointing at the variable's slot, so
 * that an unassigned one can be read the walker's way, with the error at
 * that node), a number or bool constant, or a temporary. Temporaries are
 * handed out as a stack while an expression compiles; an instruction
 * that reads a temporary takes its value (it is empty afterwards), one
 * that reads a variable borrows it. A temporary only ever holds a value
 * with a reference between the instruction that writes it and the one
 * that reads it, so on an error the run releases them all and leaks
 * nothing.
 *
 * Order of evaluation. The walker reads the left operand of a binary
 * operator before it evaluates the right one. A variable on the left is
 * read here when the operator runs, after the right operand's code; the
 * two agree except when the variable is unassigned, so an instruction can
 * carry `pre`, a variable register to read first: the first instruction
 * of the right operand's code checks the left one, and raises the
 * walker's error before the right operand has run.
 */
#include "config.h"

#include "eval/vm.h"

#include <stdlib.h>
#include <string.h>

#include "ad/dispatch.h"
#include "base/alloc.h"
#include "base/interrupt.h"
#include "eval/fuse.h"
#include "eval/walk.h"
#include "value/ops.h"

typedef enum RegKind { REG_VAR, REG_CONST, REG_TEMP } RegKind;

typedef struct Reg {
    RegKind kind;
    int temp;          /* REG_TEMP: its place among the temporaries */
    Value value;       /* REG_CONST: a number or a bool */
    AstNode *node;     /* REG_VAR: the identifier */
} Reg;

typedef enum Opcode {
    /* two numbers combined in place, anything else as BC_BINARY */
    BC_ADD, BC_SUB, BC_MUL, BC_DIV, BC_LT, BC_LE, BC_GT, BC_GE,
    /* the same into a temporary, the statement going on (finish()) */
    BC_ADD_T, BC_SUB_T, BC_MUL_T, BC_DIV_T, BC_LT_T, BC_LE_T, BC_GT_T, BC_GE_T,
    BC_BINARY,        /* d = a op b, by dispatch_binary */
    BC_UNARY,         /* d = op a, by dispatch_unary */
    BC_MOVE,          /* d = a */
    BC_EVAL,          /* d = the walker's value of node */
    BC_EXEC,          /* the walker runs the statement node */
    BC_CHECK,         /* reads variable a now (see `pre`) */
    BC_JUMP,          /* to target */
    BC_BRANCH_FALSE,  /* to target unless a is true */
    BC_FOR_INIT,      /* loop state `loop` from the range node */
    BC_FOR_NEXT,      /* variable d = the next element, or to target */
    BC_LOOP_TAIL,     /* an iteration's end: interrupt, step budget, target */
    BC_FOR_TAIL,      /* the same, then BC_FOR_NEXT's work: on to target + 1
                         with the next element, or out to the loop's exit */
    BC_POLL,          /* after a compound statement: the interrupt */
    BC_END
} Opcode;

typedef struct Instr {
    Opcode opc;
    OpKind op;
    bool dest_var;     /* d is a variable: stored by the assignment's rules */
    bool ends_stmt;    /* the last instruction of its statement */
    bool nil_check;    /* BC_EVAL of an assignment's right side */
    bool rhs_first;    /* x op= y: the walker reads y, then x */
    int d, a, b;       /* registers */
    int pre;           /* a variable register to read first, plus one */
    int target;        /* where a jump goes */
    int fuse_to;       /* the first operator of an elementwise expression:
                          its head's index + 1 (see compile_binop) */
    int loop;          /* BC_FOR_*: the loop's state */
    AstNode *node;     /* its location, or what the walker runs */
    AstNode *stmt;     /* the statement it belongs to (I->running) */
    /* The storage of d, a, b and pre, bound when a run starts (run()
     * works on its own copy of the program): the fast paths read values
     * without going through the register table. */
    Value *pd, *pa, *pb, *ppre;
    const struct Instr *jump;   /* the instruction at target, bound too */
    const struct Instr *fuse_head;   /* at fuse_to - 1, or NULL */
} Instr;

typedef struct VmCode {
    Instr *ins;
    int nins, capins;
    Reg *regs;
    int nregs, capregs;
    int ntemps, nloops;
    bool unusable;     /* not a loop the compiler takes */
} VmCode;

typedef struct LoopState {
    double p[3];
    size_t count, i;
} LoopState;

/* ------------------------------------------------------------------ */
/* the compiler                                                        */

/* Jumps waiting for the end of the loop they leave (break) or go round
 * (continue). */
typedef struct LoopCtx {
    int *breaks, nbreaks;
    int *conts, nconts;
    struct LoopCtx *outer;
} LoopCtx;

/* Statements and expressions nested deeper than this inside one program
 * are handed to the walker, which has its own checks of the C stack (the
 * compiler recurses on the tree; the walker, reaching a loop down there,
 * compiles it as a program of its own). */
enum { VM_MAX_NESTING = 32, VM_MAX_EXPR_DEPTH = 64 };

typedef struct Compiler {
    VmCode *c;
    int nesting;       /* compound statements open around the one compiled */
    int temps_live;    /* the temporaries' stack height */
    int pending_pre;   /* for the next instruction's `pre` */
    AstNode *stmt;     /* the statement being compiled */
    LoopCtx *loop;     /* the innermost loop being compiled */
} Compiler;

static int add_reg(Compiler *C, Reg r)
{
    VmCode *c = C->c;
    if (c->nregs == c->capregs) {
        c->capregs = c->capregs ? 2 * c->capregs : 16;
        c->regs = xrealloc(c->regs, (size_t)c->capregs * sizeof *c->regs);
    }
    c->regs[c->nregs] = r;
    return c->nregs++;
}

static int new_temp(Compiler *C)
{
    int t = C->temps_live++;
    if (C->temps_live > C->c->ntemps)
        C->c->ntemps = C->temps_live;
    return add_reg(C, (Reg){.kind = REG_TEMP, .temp = t});
}

static int new_var(Compiler *C, AstNode *ident)
{
    return add_reg(C, (Reg){.kind = REG_VAR, .node = ident});
}

static int new_const(Compiler *C, Value v)
{
    return add_reg(C, (Reg){.kind = REG_CONST, .value = v});
}

/* A temporary's value has been read: its place is free again. Operands
 * are released in the reverse order of their compilation. */
static void release(Compiler *C, int reg)
{
    if (C->c->regs[reg].kind == REG_TEMP)
        C->temps_live--;
}

static int emit(Compiler *C, Instr in)
{
    VmCode *c = C->c;
    if (c->nins == c->capins) {
        c->capins = c->capins ? 2 * c->capins : 32;
        c->ins = xrealloc(c->ins, (size_t)c->capins * sizeof *c->ins);
    }
    in.pre = C->pending_pre;
    C->pending_pre = 0;
    in.stmt = C->stmt;
    c->ins[c->nins] = in;
    return c->nins++;
}

static Instr *last_instr(Compiler *C)
{
    return &C->c->ins[C->c->nins - 1];
}

/* Variable register reg must be read before the next instruction runs;
 * an earlier such read still waiting gets an instruction of its own. */
static void read_before_next(Compiler *C, int reg)
{
    if (C->pending_pre) {
        int earlier = C->pending_pre - 1;
        C->pending_pre = 0;
        emit(C, (Instr){.opc = BC_CHECK, .a = earlier});
    }
    C->pending_pre = reg + 1;
}

/* Compiles to no instruction: a constant or a variable. */
static bool is_leaf(const AstNode *n)
{
    return n->kind == AST_NUM || n->kind == AST_BOOL || walk_is_variable(n);
}

static Opcode binary_opcode(OpKind op)
{
    switch (op) {
    case OP_ADD: return BC_ADD;
    case OP_SUB: return BC_SUB;
    case OP_MUL: case OP_EMUL: return BC_MUL;
    case OP_DIV: case OP_EDIV: return BC_DIV;
    case OP_LT: return BC_LT;
    case OP_LE: return BC_LE;
    case OP_GT: return BC_GT;
    case OP_GE: return BC_GE;
    default: return BC_BINARY;
    }
}

static int compile_expr(Compiler *C, AstNode *n);

/* An elementwise expression of matrices (fuse.h) is computed in one pass
 * where its code starts: its first instruction, an operator on leaves,
 * learns where the head is, and when its operands turn out not to be two
 * numbers it asks fuse_try for the whole expression and, given it, skips
 * to the head's store. Numbers never reach that path, so scalar code pays
 * nothing for it. */
static int compile_binop(Compiler *C, AstNode *n)
{
    int first = C->c->nins;
    int a = compile_expr(C, n->kids[0]);
    if (C->c->regs[a].kind == REG_VAR && !is_leaf(n->kids[1]))
        read_before_next(C, a);
    int b = compile_expr(C, n->kids[1]);
    release(C, b);
    release(C, a);
    int d = new_temp(C);
    int head = emit(C, (Instr){.opc = binary_opcode(n->op), .op = n->op, .d = d,
                               .a = a, .b = b, .node = n});
    if (fuse_heads(n) && C->c->ins[first].opc <= BC_BINARY)
        C->c->ins[first].fuse_to = head + 1;
    return d;
}

static int compile_unop(Compiler *C, AstNode *n)
{
    int a = compile_expr(C, n->kids[0]);
    release(C, a);
    int d = new_temp(C);
    emit(C, (Instr){.opc = BC_UNARY, .op = n->op, .d = d, .a = a, .node = n});
    return d;
}

/* n's value from the walker, into a temporary. */
static int compile_escape(Compiler *C, AstNode *n)
{
    int d = new_temp(C);
    emit(C, (Instr){.opc = BC_EVAL, .d = d, .node = n});
    return d;
}

/* The register holding n's value. */
static int compile_expr(Compiler *C, AstNode *n)
{
    if (n->depth > VM_MAX_EXPR_DEPTH)
        return compile_escape(C, n);
    switch (n->kind) {
    case AST_NUM:
        return new_const(C, val_num(n->num));
    case AST_BOOL:
        return new_const(C, val_bool(n->num != 0));
    case AST_IDENT:
        if (walk_is_variable(n))
            return new_var(C, n);
        break;
    case AST_BINOP:
        if (!walk_binop_is_special(n))
            return compile_binop(C, n);
        break;
    case AST_UNOP:
        return compile_unop(C, n);
    default:
        break;
    }
    return compile_escape(C, n);
}

static void emit_exec(Compiler *C, AstNode *s)
{
    emit(C, (Instr){.opc = BC_EXEC, .node = s, .ends_stmt = true});
}

/* x = e and x op= e to a variable; false for what the walker keeps
 * (several targets, an indexed or field target, a call on the right,
 * which learns how many targets it feeds). */
static bool compile_assign(Compiler *C, AstNode *s)
{
    AstNode *target = s->kids[0], *rhs = s->kids[s->nkids - 1];
    if (s->nkids != 2 || target->kind != AST_IDENT || rhs->kind == AST_CALL ||
        (target->res.kind != RES_LOCAL && target->res.kind != RES_GLOBAL))
        return false;
    int first = C->c->nins;
    int v = compile_expr(C, rhs);
    bool computed = C->c->nins > first && C->c->regs[v].kind == REG_TEMP;
    if (computed && last_instr(C)->opc == BC_EVAL)
        last_instr(C)->nil_check = true;
    release(C, v);
    if (s->op != OP_NONE) {
        int x = new_var(C, target);
        emit(C, (Instr){.opc = binary_opcode(s->op), .op = s->op, .d = x, .a = x,
                        .b = v, .dest_var = true, .rhs_first = true, .node = s});
    } else if (computed) {
        last_instr(C)->d = new_var(C, target);   /* straight into the variable */
        last_instr(C)->dest_var = true;
    } else {
        emit(C, (Instr){.opc = BC_MOVE, .d = new_var(C, target), .a = v,
                        .dest_var = true, .node = rhs});
    }
    last_instr(C)->ends_stmt = true;
    return true;
}

static void compile_stmt(Compiler *C, AstNode *s);

static void compile_block(Compiler *C, AstNode *block)
{
    for (int i = 0; i < block->nkids; i++)
        compile_stmt(C, block->kids[i]);
}

static void push_jump(int **list, int *n, int at)
{
    *list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
    (*list)[(*n)++] = at;
}

static void compile_if(Compiler *C, AstNode *s)
{
    int *ends = NULL, nends = 0, i = 0;
    for (; i + 1 < s->nkids; i += 2) {
        int c = compile_expr(C, s->kids[i]);
        release(C, c);
        int branch = emit(C, (Instr){.opc = BC_BRANCH_FALSE, .a = c,
                                     .node = s->kids[i]});
        compile_block(C, s->kids[i + 1]);
        if (i + 2 < s->nkids)
            push_jump(&ends, &nends, emit(C, (Instr){.opc = BC_JUMP}));
        C->c->ins[branch].target = C->c->nins;
    }
    if (i < s->nkids)
        compile_block(C, s->kids[i]);
    for (int k = 0; k < nends; k++)
        C->c->ins[ends[k]].target = C->c->nins;
    free(ends);
}

/* The body, the tail that goes round to head, and the patching of the
 * body's break and continue jumps; returns where the loop exits. */
static int compile_body_and_tail(Compiler *C, AstNode *loop, AstNode *body, int head)
{
    LoopCtx ctx = {.outer = C->loop};
    C->loop = &ctx;
    compile_block(C, body);
    C->stmt = loop;
    const Instr *next = &C->c->ins[head];
    int tail = next->opc == BC_FOR_NEXT
        ? emit(C, (Instr){.opc = BC_FOR_TAIL, .target = head, .loop = next->loop,
                          .d = next->d, .node = loop})
        : emit(C, (Instr){.opc = BC_LOOP_TAIL, .target = head, .node = loop});
    int exit = C->c->nins;
    for (int k = 0; k < ctx.nbreaks; k++)
        C->c->ins[ctx.breaks[k]].target = exit;
    for (int k = 0; k < ctx.nconts; k++)
        C->c->ins[ctx.conts[k]].target = tail;
    free(ctx.breaks);
    free(ctx.conts);
    C->loop = ctx.outer;
    return exit;
}

/* for VAR in RANGE: false when the variable has no slot of its own. */
static bool compile_for(Compiler *C, AstNode *s)
{
    AstNode *var = s->kids[0];
    if (s->kids[1]->kind != AST_RANGE ||
        (var->res.kind != RES_LOCAL && var->res.kind != RES_GLOBAL))
        return false;
    int loop = C->c->nloops++;
    emit(C, (Instr){.opc = BC_FOR_INIT, .loop = loop, .node = s->kids[1]});
    int head = emit(C, (Instr){.opc = BC_FOR_NEXT, .loop = loop,
                               .d = new_var(C, var), .node = s});
    int exit = compile_body_and_tail(C, s, s->kids[2], head);
    C->c->ins[head].target = exit;   /* after the call: it may move ins */
    return true;
}

static void compile_while(Compiler *C, AstNode *s)
{
    int head = C->c->nins;
    int c = compile_expr(C, s->kids[0]);
    release(C, c);
    int branch = emit(C, (Instr){.opc = BC_BRANCH_FALSE, .a = c, .node = s->kids[0]});
    int exit = compile_body_and_tail(C, s, s->kids[1], head);
    C->c->ins[branch].target = exit;   /* after the call: it may move ins */
}

static bool compile_loop(Compiler *C, AstNode *s)
{
    if (s->kind == AST_WHILE) {
        compile_while(C, s);
        return true;
    }
    return compile_for(C, s);
}

static void compile_stmt(Compiler *C, AstNode *s)
{
    AstNode *outer = C->stmt;
    C->stmt = s;
    bool compound = s->kind == AST_IF || s->kind == AST_FOR || s->kind == AST_WHILE;
    if (compound && C->nesting >= VM_MAX_NESTING) {
        emit_exec(C, s);
        C->stmt = outer;
        return;
    }
    C->nesting += compound;
    switch (s->kind) {
    case AST_ASSIGN:
        if (!compile_assign(C, s))
            emit_exec(C, s);
        break;
    case AST_IF:
        compile_if(C, s);
        C->stmt = s;
        emit(C, (Instr){.opc = BC_POLL, .node = s});
        break;
    case AST_FOR:
    case AST_WHILE:
        if (!compile_loop(C, s)) {
            emit_exec(C, s);
            break;
        }
        C->stmt = s;
        emit(C, (Instr){.opc = BC_POLL, .node = s});
        break;
    case AST_BREAK:
    case AST_CONTINUE:
        if (!C->loop)   /* outside every loop: the walker's own error */
            emit_exec(C, s);
        else if (s->kind == AST_BREAK)
            push_jump(&C->loop->breaks, &C->loop->nbreaks,
                  emit(C, (Instr){.opc = BC_JUMP, .node = s}));
        else
            push_jump(&C->loop->conts, &C->loop->nconts,
                  emit(C, (Instr){.opc = BC_JUMP, .node = s}));
        break;
    default:
        emit_exec(C, s);
        break;
    }
    C->nesting -= compound;
    C->stmt = outer;
}

/* The last touches: arithmetic into a temporary that ends no statement
 * has nothing to do after it but the next instruction, and gets the lean
 * variant. */
static void finish(VmCode *c)
{
    for (int i = 0; i < c->nins; i++) {
        Instr *in = &c->ins[i];
        /* An assignment polls before it stores (put()); the walker polls
         * again when the statement ends, which only moves an interrupt
         * arriving between the two to the next poll, a moment later. */
        if (in->dest_var)
            in->ends_stmt = false;
        if (in->opc >= BC_ADD && in->opc <= BC_GE && !in->dest_var && !in->ends_stmt)
            in->opc += BC_ADD_T - BC_ADD;
    }
}

static VmCode *compile(AstNode *loop)
{
    VmCode *c = xcalloc(1, sizeof *c);
    Compiler C = {.c = c, .stmt = loop};
    if (compile_loop(&C, loop)) {
        emit(&C, (Instr){.opc = BC_END});
        finish(c);
    } else {
        c->unusable = true;
    }
    return c;
}

/* ------------------------------------------------------------------ */
/* the machine                                                         */

typedef struct Machine {
    Interp *I;
    const VmCode *c;
    Instr *code;       /* this run's copy of c->ins, its operands bound */
    Value **R;         /* register -> its storage */
    Value *temps;
    LoopState *loops;
} Machine;

/* The value of register k, for an instruction that takes it (see the
 * file comment). An unassigned variable is read by the walker, which
 * gives the built-in of that name or raises its error. */
static Value take(Machine *M, int k)
{
    Value *slot = M->R[k];
    switch (M->c->regs[k].kind) {
    case REG_TEMP: {
        Value v = *slot;
        *slot = val_nil;
        return v;
    }
    case REG_CONST:
        return *slot;
    default:
        return slot->kind != VAL_NIL ? val_ref(*slot)
                                     : walk_eval(M->I, M->c->regs[k].node);
    }
}

/* BC_CHECK and `pre`: an unassigned variable read the walker's way now,
 * for its error; the value it may have (a built-in) is read again when
 * the operator takes it. */
static bool read_early(Machine *M, int k)
{
    if (M->R[k]->kind != VAL_NIL)
        return true;
    Value v = walk_eval(M->I, M->c->regs[k].node);
    if (VAL_IS_ERR(v))
        return false;
    val_unref(v);
    return true;
}

/* The result r (taken) of instruction in into its destination. A
 * variable is assigned as exec_assign does: no value is an error, and a
 * pending interrupt stops the statement before it stores. */
static inline bool put(Machine *M, const Instr *in, Value r)
{
    Value *dst = in->pd;
    if (!in->dest_var) {
        *dst = r;
        return true;
    }
    if (interrupt_pending()) {
        val_unref(r);
        walk_interrupted_at(M->I, &in->stmt->loc);
        return false;
    }
    val_unref(*dst);
    *dst = r;
    return true;
}

static Value generic_binary(Machine *M, const Instr *in)
{
    Value a, b;
    if (in->rhs_first) {
        b = take(M, in->b);
        if (VAL_IS_ERR(b))
            return b;
        a = take(M, in->a);
        if (VAL_IS_ERR(a)) {
            val_unref(b);
            return a;
        }
    } else {
        a = take(M, in->a);
        if (VAL_IS_ERR(a))
            return a;
        b = take(M, in->b);
        if (VAL_IS_ERR(b)) {
            val_unref(a);
            return b;
        }
    }
    return dispatch_binary(&M->I->ad, in->op, a, b, &in->node->loc);
}

static Value generic_unary(Machine *M, const Instr *in)
{
    Value a = take(M, in->a);
    if (VAL_IS_ERR(a))
        return a;
    return dispatch_unary(&M->I->ad, in->op, a, &in->node->loc);
}

static Value eval_node(Machine *M, const Instr *in)
{
    Value v = walk_eval(M->I, in->node);
    if (!VAL_IS_ERR(v) && v.kind == VAL_NIL && in->nil_check)
        return interp_error(M->I, &in->node->loc, "the right-hand side has no value");
    return v;
}

static bool exec_node(Machine *M, const Instr *in)
{
    Value v = walk_eval(M->I, in->node);
    if (VAL_IS_ERR(v))
        return false;
    val_unref(v);
    return true;
}

static bool truth(Machine *M, const Instr *in, bool *t)
{
    Value *x = in->pa;
    if (x->kind == VAL_BOOL) {
        *t = x->as.b;
        return true;
    }
    Value v = take(M, in->a);
    if (VAL_IS_ERR(v))
        return false;
    bool ok = ops_truth(&M->I->err, v, &in->node->loc, t);
    val_unref(v);
    return ok;
}

static bool for_init(Machine *M, const Instr *in)
{
    LoopState *L = &M->loops[in->loop];
    L->i = 0;
    return walk_range(M->I, in->node, L->p, &L->count);
}

/* False when the loop is done. The loop variable is stored as the
 * walker's store_variable does, without the assignment's poll. */
static inline bool for_next(Machine *M, const Instr *in)
{
    LoopState *L = &M->loops[in->loop];
    if (L->i >= L->count)
        return false;
    Value *slot = in->pd;
    val_unref(*slot);
    *slot = val_num(walk_range_element(L->p, L->i, L->count));
    L->i++;
    return true;
}


static inline bool poll(Machine *M, const AstNode *stmt)
{
    if (!interrupt_pending())
        return true;
    walk_interrupted_at(M->I, &stmt->loc);
    return false;
}

/* The dispatch: with GCC or Clang each handler ends in its own indirect
 * jump to the next one (labels as values), which the CPU predicts per
 * handler; a single switch would share one jump among them all and
 * mispredict on most instructions of a loop. Elsewhere, the switch. */
#if defined(__GNUC__)
#define VM_THREADED 1
#define CASE(opc) L_##opc
#define DISPATCH() goto *labels[in->opc]
#else
#define VM_THREADED 0
#define CASE(opc) case opc
#define DISPATCH() goto dispatch
#endif

/* I->running names the statement for the out-of-memory report. Only
 * the paths that may allocate (the walker, the dispatcher, errors) set
 * it: two numbers never allocate. */
#define AT_STMT() (I->running = in->stmt)

/* Starts the instruction in: the early read, the jump. */
#define NEXT()                                                             \
    do {                                                                   \
        if (in->ppre && in->ppre->kind == VAL_NIL &&                       \
            (AT_STMT(), !read_early(M, in->pre - 1)))                      \
            goto fail;                                                     \
        DISPATCH();                                                        \
    } while (0)

/* Result r to the destination, the statement's poll, the next one. */
#define PUT_AND_NEXT()                                                     \
    do {                                                                   \
        if (!in->dest_var)                                                 \
            *in->pd = r;                                                   \
        else if (!put(M, in, r))                                           \
            goto fail;                                                     \
        if (in->ends_stmt && !poll(M, in->stmt))                           \
            goto fail;                                                     \
        in++;                                                              \
        NEXT();                                                            \
    } while (0)

/* Declares the operands u and w when both are numbers; goes to the
 * dispatcher otherwise. */
#define NUMBER_OPERANDS                                                    \
    const Value *x = in->pa, *y = in->pb;                                  \
    if (x->kind != VAL_NUM || y->kind != VAL_NUM)                          \
        goto generic;                                                      \
    double u = x->as.num, w = y->as.num

/* Two numbers, combined as ops_number_binary does, into the destination
 * with the assignment's rules... */
#define NUMBER_PAIR(expr)                                                  \
    do {                                                                   \
        NUMBER_OPERANDS;                                                   \
        r = (expr);                                                        \
        PUT_AND_NEXT();                                                    \
    } while (0)

/* ...or straight into a temporary. */
#define NUMBER_PAIR_T(expr)                                                \
    do {                                                                   \
        NUMBER_OPERANDS;                                                   \
        *in->pd = (expr);                                                  \
        in++;                                                              \
        NEXT();                                                            \
    } while (0)

/* GCC would merge the handlers' identical tails into one, and with them
 * the indirect jumps that threading keeps apart. */
#if VM_THREADED && !defined(__clang__)
#define KEEP_HANDLERS_APART __attribute__((optimize("no-crossjumping", "no-gcse")))
#else
#define KEEP_HANDLERS_APART
#endif

/* Runs the program; val_nil when the loop ends, val_error with the
 * signal set otherwise. */
KEEP_HANDLERS_APART static Value execute(Machine *M)
{
#if VM_THREADED
    static const void *const labels[] = {
        [BC_ADD] = &&L_BC_ADD, [BC_SUB] = &&L_BC_SUB, [BC_MUL] = &&L_BC_MUL,
        [BC_DIV] = &&L_BC_DIV, [BC_LT] = &&L_BC_LT, [BC_LE] = &&L_BC_LE,
        [BC_GT] = &&L_BC_GT, [BC_GE] = &&L_BC_GE,
        [BC_ADD_T] = &&L_BC_ADD_T, [BC_SUB_T] = &&L_BC_SUB_T, [BC_MUL_T] = &&L_BC_MUL_T,
        [BC_DIV_T] = &&L_BC_DIV_T, [BC_LT_T] = &&L_BC_LT_T, [BC_LE_T] = &&L_BC_LE_T,
        [BC_GT_T] = &&L_BC_GT_T, [BC_GE_T] = &&L_BC_GE_T, [BC_BINARY] = &&L_BC_BINARY,
        [BC_UNARY] = &&L_BC_UNARY, [BC_MOVE] = &&L_BC_MOVE, [BC_EVAL] = &&L_BC_EVAL,
        [BC_EXEC] = &&L_BC_EXEC, [BC_CHECK] = &&L_BC_CHECK, [BC_JUMP] = &&L_BC_JUMP,
        [BC_BRANCH_FALSE] = &&L_BC_BRANCH_FALSE, [BC_FOR_INIT] = &&L_BC_FOR_INIT,
        [BC_FOR_NEXT] = &&L_BC_FOR_NEXT, [BC_LOOP_TAIL] = &&L_BC_LOOP_TAIL,
        [BC_FOR_TAIL] = &&L_BC_FOR_TAIL, [BC_POLL] = &&L_BC_POLL, [BC_END] = &&L_BC_END,
    };
#endif
    Interp *I = M->I;
    const Instr *in = M->code;
    Value r, fused;
    NEXT();
#if !VM_THREADED
dispatch:
    switch (in->opc) {
#endif
    CASE(BC_ADD): NUMBER_PAIR(val_num(u + w));
    CASE(BC_SUB): NUMBER_PAIR(val_num(u - w));
    CASE(BC_MUL): NUMBER_PAIR(val_num(u * w));
    CASE(BC_DIV): NUMBER_PAIR(val_num(u / w));
    CASE(BC_LT): NUMBER_PAIR(val_bool(u < w));
    CASE(BC_LE): NUMBER_PAIR(val_bool(u <= w));
    CASE(BC_GT): NUMBER_PAIR(val_bool(u > w));
    CASE(BC_GE): NUMBER_PAIR(val_bool(u >= w));
    CASE(BC_ADD_T): NUMBER_PAIR_T(val_num(u + w));
    CASE(BC_SUB_T): NUMBER_PAIR_T(val_num(u - w));
    CASE(BC_MUL_T): NUMBER_PAIR_T(val_num(u * w));
    CASE(BC_DIV_T): NUMBER_PAIR_T(val_num(u / w));
    CASE(BC_LT_T): NUMBER_PAIR_T(val_bool(u < w));
    CASE(BC_LE_T): NUMBER_PAIR_T(val_bool(u <= w));
    CASE(BC_GT_T): NUMBER_PAIR_T(val_bool(u > w));
    CASE(BC_GE_T): NUMBER_PAIR_T(val_bool(u >= w));
    CASE(BC_BINARY):
    generic:
        AT_STMT();
        if (in->fuse_head && fuse_try(I, in->fuse_head->node, &fused)) {
            /* r itself stays out of memory: its address taken here put
             * every handler's result on the stack, a third slower */
            if (VAL_IS_ERR(fused))
                goto fail;
            r = fused;
            in = in->fuse_head;
            PUT_AND_NEXT();
        }
        r = generic_binary(M, in);
        goto checked;
    CASE(BC_UNARY):
        AT_STMT();
        r = generic_unary(M, in);
        goto checked;
    CASE(BC_MOVE):
        AT_STMT();
        r = take(M, in->a);
        goto checked;
    CASE(BC_EVAL):
        AT_STMT();
        r = eval_node(M, in);
    checked:
        if (VAL_IS_ERR(r))
            goto fail;
        PUT_AND_NEXT();
    CASE(BC_EXEC):
        AT_STMT();
        if (!exec_node(M, in) || !poll(M, in->stmt))
            goto fail;
        in++;
        NEXT();
    CASE(BC_CHECK):
        AT_STMT();
        if (!read_early(M, in->a))
            goto fail;
        in++;
        NEXT();
    CASE(BC_JUMP):
        in = in->jump;
        NEXT();
    CASE(BC_BRANCH_FALSE): {
        bool t;
        AT_STMT();
        if (!truth(M, in, &t))
            goto fail;
        in = t ? in + 1 : in->jump;
        NEXT();
    }
    CASE(BC_FOR_INIT):
        AT_STMT();
        if (!for_init(M, in))
            goto fail;
        in++;
        NEXT();
    CASE(BC_FOR_NEXT):
        in = for_next(M, in) ? in + 1 : in->jump;
        NEXT();
    CASE(BC_LOOP_TAIL):
        if (!walk_iteration_end(M->I, &in->node->loc))
            goto fail;
        in = in->jump;
        NEXT();
    CASE(BC_FOR_TAIL):
        if (!walk_iteration_end(M->I, &in->node->loc))
            goto fail;
        in = for_next(M, in) ? in->jump + 1 : in->jump->jump;
        NEXT();
    CASE(BC_POLL):
        if (!poll(M, in->node))
            goto fail;
        in++;
        NEXT();
    CASE(BC_END):
        return val_nil;
#if !VM_THREADED
    }
#endif
fail:
    AT_STMT();
    if (I->sig == SIG_NONE)
        I->sig = SIG_ERROR;
    return val_error;
}

/* Registers, temporaries and loop states on the C stack when few (the
 * common loop), on the heap otherwise. The stack part is kept to about
 * 3 KB: runs nest (a loop the compiler hands to the walker runs its own
 * inner loops as programs of their own), and the depth tests run with a
 * 256 KB stack. */
enum { SMALL_INS = 24, SMALL_REGS = 32, SMALL_TEMPS = 8, SMALL_LOOPS = 4 };

/* The run's copy of the program, with each operand's storage. */
static void bind(Machine *M)
{
    const VmCode *c = M->c;
    memcpy(M->code, c->ins, (size_t)c->nins * sizeof *c->ins);
    for (int i = 0; i < c->nins; i++) {
        Instr *in = &M->code[i];
        in->pd = M->R[in->d];
        in->pa = M->R[in->a];
        in->pb = M->R[in->b];
        in->ppre = in->pre ? M->R[in->pre - 1] : NULL;
        in->jump = &M->code[in->target];
        in->fuse_head = in->fuse_to ? &M->code[in->fuse_to - 1] : NULL;
    }
}

static Value run(Interp *I, const VmCode *c)
{
    Instr small_code[SMALL_INS];
    Value *small_R[SMALL_REGS], small_temps[SMALL_TEMPS];
    LoopState small_loops[SMALL_LOOPS];
    Machine M = {
        .I = I, .c = c,
        .code = c->nins <= SMALL_INS ? small_code
                                     : xmalloc((size_t)c->nins * sizeof *M.code),
        .R = c->nregs <= SMALL_REGS ? small_R : xmalloc((size_t)c->nregs * sizeof *M.R),
        .temps = c->ntemps <= SMALL_TEMPS ? small_temps
                                          : xmalloc((size_t)c->ntemps * sizeof *M.temps),
        .loops = c->nloops <= SMALL_LOOPS ? small_loops
                                          : xmalloc((size_t)c->nloops * sizeof *M.loops),
    };
    for (int t = 0; t < c->ntemps; t++)
        M.temps[t] = val_nil;
    for (int k = 0; k < c->nregs; k++) {
        Reg *reg = &c->regs[k];
        M.R[k] = reg->kind == REG_TEMP ? &M.temps[reg->temp]
                 : reg->kind == REG_CONST ? &reg->value
                 : walk_ident_slot(I, reg->node);
    }
    bind(&M);
    const AstNode *outer = I->running;
    Value v = execute(&M);
    I->running = outer;
    for (int t = 0; t < c->ntemps; t++)
        val_unref(M.temps[t]);
    if (M.code != small_code)
        free(M.code);
    if (M.R != small_R)
        free(M.R);
    if (M.temps != small_temps)
        free(M.temps);
    if (M.loops != small_loops)
        free(M.loops);
    return v;
}

bool vm_run_loop(Interp *I, AstNode *n, Value *out)
{
    if (I->vm_off || interp_stack_nearly_full(I))
        return false;   /* the walker, which reports a full stack */
    if (!n->code)
        n->code = compile(n);
    if (n->code->unusable)
        return false;
    *out = run(I, n->code);
    return true;
}

void vm_release(AstNode *root)
{
    if (!root)
        return;
    for (int i = 0; i < root->nkids; i++)
        vm_release(root->kids[i]);
    if (root->code) {
        free(root->code->ins);
        free(root->code->regs);
        free(root->code);
        root->code = NULL;
    }
}
