/* bi_train.c: gradient descent and SGD, with the loop in C. Parameters
 * are a matrix, number, or a list or record of them ("trees"); each step
 * takes value_and_grad of the loss through the tape and records the
 * quantities the papers reason about: loss, gradient norm, distance from
 * initialisation and path length.
 *
 * Every loss evaluation records and frees its own tape, so gd and sgd
 * cannot run inside a function being differentiated, and between steps
 * the parameters are plain values (the tree arithmetic below calls
 * ops_binary directly). A run that ends with all steps done, converged
 * (gradient norm <= tol), stopped by stop(), diverged (a NaN or Inf, with
 * a warning) or interrupted (Ctrl-C in the REPL) returns its trajectory,
 * whose flags say which. Anything else fails the call with an error: a
 * bad argument, an error in or a bad answer from the loss, lr, track or
 * stop functions, or Ctrl-C in a script. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ad/ad.h"
#include "eval/builtin.h"
#include "eval/resolve.h"
#include "eval/eval.h"
#include "value/ops.h"

/* ---- parameter trees --------------------------------------------- */

/* a * x + y over two trees of the same structure (new tree).
 * The structure is the same by construction (gradients and velocities
 * are made from x), so y's items are taken at x's positions and keys
 * unchecked, and records come out in x's key order. ops_binary takes its
 * operands, hence the val_refs of the borrowed leaves. */
static Value tree_axpy(Interp *I, double a, Value x, Value y)
{
    if (x.kind == VAL_LIST) {
        Value l = val_list_new(x.as.list->n);
        for (size_t i = 0; i < x.as.list->n; i++)
            list_push(l.as.list, tree_axpy(I, a, x.as.list->items[i], y.as.list->items[i]));
        return l;
    }
    if (x.kind == VAL_REC) {
        Value r = val_rec_new();
        for (size_t i = 0; i < x.as.rec->n; i++)
            rec_set(r.as.rec, x.as.rec->keys[i],
                    tree_axpy(I, a, x.as.rec->vals[i], *rec_get(y.as.rec, x.as.rec->keys[i])));
        return r;
    }
    Value ax = ops_binary(&I->err, OP_EMUL, val_num(a), val_ref(x), NULL);
    return ops_binary(&I->err, OP_ADD, ax, val_ref(y), NULL);
}

/* Sum of squares of the difference of two trees (y may be VAL_NIL: 0).
 * One sum over the whole tree: dist and gradnorm are Euclidean norms of
 * all parameters taken as one vector, which is what the theorems bound.
 * Leaves are numbers or matrices (check_params; the tape and the updates
 * keep those kinds). */
static double tree_dist2(Value x, Value y)
{
    if (x.kind == VAL_LIST) {
        double s = 0;
        for (size_t i = 0; i < x.as.list->n; i++)
            s += tree_dist2(x.as.list->items[i], y.kind == VAL_NIL ? y : y.as.list->items[i]);
        return s;
    }
    if (x.kind == VAL_REC) {
        double s = 0;
        for (size_t i = 0; i < x.as.rec->n; i++)
            s += tree_dist2(x.as.rec->vals[i],
                            y.kind == VAL_NIL ? y : *rec_get(y.as.rec, x.as.rec->keys[i]));
        return s;
    }
    const double *a = x.kind == VAL_MAT ? x.as.mat->data : &x.as.num;
    const double *b = y.kind == VAL_MAT ? y.as.mat->data : y.kind == VAL_NUM ? &y.as.num : NULL;
    size_t n = x.kind == VAL_MAT ? mat_numel(x.as.mat) : 1;
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = a[i] - (b ? b[i] : 0);
        s += d * d;
    }
    return s;
}

/* a * x, a new tree.
 * A tree has no constructor for zeros of its shape, so x - x makes one;
 * those are zeros as long as x is finite. */
static Value tree_scale(Interp *I, double a, Value x)
{
    if (x.kind == VAL_LIST || x.kind == VAL_REC) {
        Value z = tree_axpy(I, -1, x, x);   /* zeros of the same structure */
        Value r = tree_axpy(I, a, x, z);
        val_unref(z);
        return r;
    }
    return ops_binary(&I->err, OP_EMUL, val_num(a), val_ref(x), NULL);
}

/* ---- options ------------------------------------------------------ */

/* What gd and sgd read from their arguments. The Values are borrowed from
 * the call's arguments, which outlive the run. */
typedef struct TrainOpts {
    const char *who;    /* gd or sgd, for messages */
    Value loss;
    double lr;
    Value lr_fn;        /* lr as a function of the step, or VAL_NIL */
    long steps;
    double momentum;
    double tol;
    long every;
    Value track;        /* record {name: fn(x)} or VAL_NIL */
    Value stop;         /* fn(state) or VAL_NIL */
    /* sgd only */
    size_t n, batch;
    long epochs;
    bool with_replacement;   /* sample = "replace" */
} TrainOpts;

/* lr is a number or a schedule lr(k), a function or built-in (a bound
 * partial is read as a number and refused). 0.01 by default, Keras's SGD
 * default: a cautious step for a loss of order 1. !(lr >= 0) also refuses
 * NaN; lr = 0 is allowed and just measures the loss at x0 repeatedly. */
static bool read_lr(Interp *I, const Args *a, int i, TrainOpts *o)
{
    o->lr_fn = val_nil;
    if (arg_given(a, i) && (a->v[i].kind == VAL_FUNC || a->v[i].kind == VAL_BUILTIN)) {
        o->lr_fn = a->v[i];
        return true;
    }
    if (!arg_num_or(I, a, i, 0.01, &o->lr))
        return false;
    if (!(o->lr >= 0) || isinf(o->lr)) {
        bi_error(I, a, "lr must be a finite non-negative number, got %g", o->lr);
        return false;
    }
    return true;
}

/* Tracked quantities are stored beside the trajectory's own fields.
 * rec_set would silently replace a field of the same name, so those names
 * are refused before the run starts. */
static bool track_names_free(Interp *I, const Args *a, Value track)
{
    static const char *const reserved[] = {"x", "x0", "loss", "batchloss", "gradnorm", "dist",
        "path", "step", "steps", "diverged", "converged", "interrupted", "seconds", NULL};
    for (size_t i = 0; track.kind == VAL_REC && i < track.as.rec->n; i++)
        for (int k = 0; reserved[k]; k++)
            if (strcmp(track.as.rec->keys[i], reserved[k]) == 0) {
                bi_error(I, a, "track name '%s' is taken by the trajectory record; "
                         "choose another", reserved[k]);
                return false;
            }
    return true;
}

/* The options gd and sgd share, at slots first .. first + 4. momentum 0
 * is plain descent, and it must stay below 1 so that old gradients fade
 * from the velocity. every 1 records each step (sgd's default is one
 * epoch instead). A track function must take the parameters: a closure's
 * arity is read from its AST here, so the mistake shows before the first
 * step; a built-in's arity is checked by the dispatcher when called. */
static bool read_common(Interp *I, const Args *a, int first, TrainOpts *o)
{
    /* first: momentum, tol, every, track, stop */
    long every;
    if (!arg_num_or(I, a, first, 0, &o->momentum) ||
        !arg_num_or(I, a, first + 1, -1, &o->tol) ||
        !arg_int_or(I, a, first + 2, 1, &every))
        return false;
    if (!(o->momentum >= 0 && o->momentum < 1)) {
        bi_error(I, a, "momentum must be in [0, 1), got %g", o->momentum);
        return false;
    }
    if (every < 1) {
        bi_error(I, a, "every must be at least 1, got %ld", every);
        return false;
    }
    o->every = every;
    o->track = arg_given(a, first + 3) ? a->v[first + 3] : val_nil;
    if (o->track.kind != VAL_NIL && o->track.kind != VAL_REC) {
        arg_type_error(I, a, first + 3, "a record of functions");
        return false;
    }
    for (size_t i = 0; o->track.kind == VAL_REC && i < o->track.as.rec->n; i++) {
        Value f = o->track.as.rec->vals[i];
        if (f.kind == VAL_FUNC && f.as.fn->node->fn->nparams < 1) {
            bi_error(I, a, "track.%s must take the parameters as its argument",
                     o->track.as.rec->keys[i]);
            return false;
        }
        if (f.kind != VAL_FUNC && f.kind != VAL_BUILTIN) {
            char got[64];
            describe_value(f, got, sizeof got);
            bi_error(I, a, "track.%s must be a function of the parameters, got %s",
                     o->track.as.rec->keys[i], got);
            return false;
        }
    }
    /* tol not given is -1: never stop on the gradient norm */
    if (arg_given(a, first + 1) && !(o->tol >= 0)) {
        bi_error(I, a, "tol must be a non-negative number, got %g", o->tol);
        return false;
    }
    if (!track_names_free(I, a, o->track))
        return false;
    o->stop = arg_given(a, first + 4) ? a->v[first + 4] : val_nil;
    return o->stop.kind == VAL_NIL || arg_callable(I, a, first + 4);
}

/* ---- the trajectory ----------------------------------------------- */

/* The recorded steps as parallel arrays, one entry per record, grown
 * together; path[k] is the path length up to record k, a copy of the
 * running path_len. tracked maps each track name to its list of values. */
typedef struct Trajectory {
    double *loss, *gradnorm, *dist, *path, *step;
    double *batch_loss;  /* sgd: the minibatch loss of the step taken there */
    size_t n, cap;
    Value tracked;       /* record name -> list of values */
    double path_len;
    bool diverged, converged, interrupted;
} Trajectory;

/* Capacity doubles, so recording every step of a long run is amortised
 * O(1). xrealloc never returns NULL: running out of memory ends the run. */
static void traj_push(Trajectory *t, double step, double loss, double gn, double dist,
                      double batch_loss)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->loss = xrealloc(t->loss, t->cap * sizeof(double));
        t->gradnorm = xrealloc(t->gradnorm, t->cap * sizeof(double));
        t->dist = xrealloc(t->dist, t->cap * sizeof(double));
        t->path = xrealloc(t->path, t->cap * sizeof(double));
        t->step = xrealloc(t->step, t->cap * sizeof(double));
        t->batch_loss = xrealloc(t->batch_loss, t->cap * sizeof(double));
    }
    t->batch_loss[t->n] = batch_loss;
    t->loss[t->n] = loss;
    t->gradnorm[t->n] = gn;
    t->dist[t->n] = dist;
    t->path[t->n] = t->path_len;
    t->step[t->n] = step;
    t->n++;
}

static void traj_free(Trajectory *t)
{
    free(t->loss), free(t->gradnorm), free(t->dist), free(t->path), free(t->step);
    free(t->batch_loss);
    val_unref(t->tracked);
}

/* Evaluates each tracked function at x and appends its value.
 * x is lent to the call; the list takes the result. An error in a track
 * function stops the run with that error. */
static bool record_tracked(Interp *I, const TrainOpts *o, Trajectory *t, Value x)
{
    if (o->track.kind == VAL_NIL)
        return true;
    for (size_t i = 0; i < o->track.as.rec->n; i++) {
        Value v = eval_call_value(I, o->track.as.rec->vals[i], 1, 0, &x, NULL, 1, NULL);
        if (VAL_IS_ERR(v))
            return false;
        Value *l = rec_get(t->tracked.as.rec, o->track.as.rec->keys[i]);
        list_push(l->as.list, v);
    }
    return true;
}

/* A column matrix when every item is a number, else the list.
 * So a scalar quantity reads like loss (plot it, index it), while
 * matrices or strings stay a list with one item per record. A 1x1 matrix
 * counts as a number. */
static Value column_or_list(Value l)
{
    for (size_t i = 0; i < l.as.list->n; i++)
        if (!ops_is_scalar(l.as.list->items[i]))
            return val_ref(l);
    Matrix *m = mat_new_uninit(l.as.list->n, 1);
    for (size_t i = 0; m && i < l.as.list->n; i++)
        m->data[i] = ops_scalar(l.as.list->items[i]);
    return val_mat(m);
}

/* mat_from reads nothing when n is 0. */
static Value column(const double *d, size_t n)
{
    return val_mat(mat_from(n, 1, d));
}

/* The record gd and sgd return, with the fields in the order their help
 * lists. x and x0 are shared references; the columns are new matrices.
 * batchloss exists only for sgd. */
static Value traj_record(Trajectory *t, Value x, Value x0, long steps, double secs,
                         bool stochastic)
{
    Value r = val_rec_new();
    Record *R = r.as.rec;
    rec_set(R, "x", val_ref(x));
    rec_set(R, "x0", val_ref(x0));
    rec_set(R, "loss", column(t->loss, t->n));
    if (stochastic)
        rec_set(R, "batchloss", column(t->batch_loss, t->n));
    rec_set(R, "gradnorm", column(t->gradnorm, t->n));
    rec_set(R, "dist", column(t->dist, t->n));
    rec_set(R, "path", column(t->path, t->n));
    rec_set(R, "step", column(t->step, t->n));
    for (size_t i = 0; t->tracked.kind == VAL_REC && i < t->tracked.as.rec->n; i++)
        rec_set(R, t->tracked.as.rec->keys[i], column_or_list(t->tracked.as.rec->vals[i]));
    rec_set(R, "steps", val_num((double)steps));
    rec_set(R, "diverged", val_bool(t->diverged));
    rec_set(R, "converged", val_bool(t->converged));
    rec_set(R, "interrupted", val_bool(t->interrupted));
    rec_set(R, "seconds", val_num(secs));
    return r;
}

/* ---- the loop ----------------------------------------------------- */

/* Monotonic: `seconds` cannot go negative when the wall clock is set. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Loss and gradient at x through the tape; extra is the minibatch (or nil).
 * For sgd, extra is a column of 1-based indices passed as loss_i's second
 * argument; the full-data loss is loss_i(x, 1:n). ad_value_and_grad has
 * refused a loss that is not a scalar, so v is a number. *g is a new
 * reference with x's structure. */
static bool loss_and_grad(Interp *I, const TrainOpts *o, Value x, Value extra,
                          double *loss, Value *g)
{
    Value v;
    if (!ad_value_and_grad(&I->ad, o->loss, x, extra.kind == VAL_NIL ? 0 : 1, &extra,
                           o->who, &v, g))
        return false;
    *loss = v.as.num;
    return true;
}

/* train_step asks for t + 1: the update from x_t is the (t+1)-th, so a
 * schedule is called with k = 1, 2, ... for the first, second... update. */
static bool step_size(Interp *I, const TrainOpts *o, long t, double *lr)
{
    if (o->lr_fn.kind == VAL_NIL) {
        *lr = o->lr;
        return true;
    }
    Value step = val_num((double)t);
    Value r = eval_call_value(I, o->lr_fn, 1, 0, &step, NULL, 1, NULL);
    if (VAL_IS_ERR(r))
        return false;
    bool ok = ops_is_scalar(r) && ops_scalar(r) >= 0 && isfinite(ops_scalar(r));
    *lr = ok ? ops_scalar(r) : 0;
    if (!ok) {   /* described only on failure: lr(t) runs every step */
        char got[64];
        describe_value(r, got, sizeof got);
        interp_error(I, NULL, "%s: lr(%ld) must return a finite non-negative number, got %s",
                     o->who, t, got);
    }
    val_unref(r);
    return ok;
}

/* stop(state) gets a fresh record {step, loss, gradnorm, x}, x shared by
 * reference. The answer must be a bool or a scalar: NaN is refused here
 * with stop's name, since ops_truth's own message ("condition is NaN")
 * would not say who returned it, and anything else with what it was. */
static bool wants_stop(Interp *I, const TrainOpts *o, long t, double loss, double gn,
                       Value x, bool *stop)
{
    *stop = false;
    if (o->stop.kind == VAL_NIL)
        return true;
    Value st = val_rec_new();
    rec_set(st.as.rec, "step", val_num((double)t));
    rec_set(st.as.rec, "loss", val_num(loss));
    rec_set(st.as.rec, "gradnorm", val_num(gn));
    rec_set(st.as.rec, "x", val_ref(x));
    Value r = eval_call_value(I, o->stop, 1, 0, &st, NULL, 1, NULL);
    val_unref(st);
    if (VAL_IS_ERR(r))
        return false;
    bool is_nan = ops_is_scalar(r) && r.kind != VAL_BOOL && isnan(ops_scalar(r));
    bool ok = !is_nan && (r.kind == VAL_BOOL || ops_is_scalar(r)) && ops_truth(&I->err, r, NULL, stop);
    if (is_nan)
        interp_error(I, NULL, "%s: stop(state) returned NaN, which is neither true nor false",
                     o->who);
    else if (!ok && !VAL_IS_ERR(r)) {
        char got[64];
        describe_value(r, got, sizeof got);
        interp_error(I, NULL, "%s: stop(state) must return true or false, got %s", o->who, got);
    }
    val_unref(r);
    return ok;
}

/* Seconds between two progress lines: a fast run must not flood the terminal.
 * Progress goes to stderr only when it is a terminal (or to a notebook's
 * live line) and the run has lasted a second, so logs and short runs stay
 * clean; \r rewrites one line in place, and the final step is always
 * shown. */
#define PROGRESS_INTERVAL 0.25

static void progress(Interp *I, const char *who, long t, long total, double loss,
                     double start, double *shown)
{
    double tn = now(), el = tn - start;
    bool notebook = I->display.progress != NULL;
    if (el < 1 || (!notebook && !isatty(STDERR_FILENO)) ||
        (t != total && tn - *shown < PROGRESS_INTERVAL))
        return;
    *shown = tn;
    char line[160];
    snprintf(line, sizeof line, "%s: step %ld/%ld  loss %.4e  %.0f steps/s", who, t, total,
             loss, (double)t / el);
    if (notebook) {
        I->display.progress(I->display.ctx, line, t == total);
        return;
    }
    fprintf(stderr, "\r%s   ", line);
    if (t == total)
        fputc('\n', stderr);
}

/* One update with momentum: v = m v - lr g; x = x + v. Takes g.
 * Heavy-ball (Polyak) momentum; m = 0 is plain gradient descent. The
 * path length grows by |v|, the distance x actually moves in this step. */
static Value update(Interp *I, const TrainOpts *o, double lr, Value *vel, Value x,
                    Value g, Trajectory *t)
{
    Value step = tree_scale(I, -lr, g);
    Value nv = tree_axpy(I, o->momentum, *vel, step);
    val_unref(step);
    val_unref(*vel);
    *vel = nv;
    Value nx = tree_axpy(I, 1, nv, x);
    t->path_len += sqrt(tree_dist2(nv, val_nil));
    val_unref(g);
    return nx;
}

/* One run of gd or sgd. x, x0, vel, x_rec and all hold one reference
 * each, dropped by run_finish; I, a and o are borrowed from the call.
 * taken is the index of the step x belongs to, returned as `steps`. */
typedef struct Run {
    Interp *I;
    const Args *a;
    const TrainOpts *o;
    Trajectory t;
    Value x, x0, vel;
    Value x_rec;        /* x at the last recorded step (VAL_NIL before any) */
    Value all;          /* sgd: the column 1..n (the full data); gd: VAL_NIL */
    long taken;
    double start;
    double shown;       /* when the last progress line was written */
} Run;

/* What one step knows about x_t: the full-data loss and gradient norm (gd
 * always; sgd at recorded steps) and the minibatch loss (sgd). */
typedef struct StepStats {
    double loss, gradnorm, batch_loss;
    bool have_full;
} StepStats;

/* Appends step t with dist = |x_t - x0| and the path so far, and keeps
 * x_t as the last recorded point, which step_failed goes back to. The
 * tracked functions run last; *ok turns false when one of them fails. */
static void record(Run *r, long t, const StepStats *s, bool *ok)
{
    traj_push(&r->t, (double)t, s->loss, s->gradnorm, sqrt(tree_dist2(r->x, r->x0)),
              s->batch_loss);
    val_unref(r->x_rec);
    r->x_rec = val_ref(r->x);
    r->taken = t;
    *ok = record_tracked(r->I, r->o, &r->t, r->x);
}

/* A diverged run is a result, not an error: the trajectory so far comes
 * back with diverged = true, so a script can still plot and check it; a
 * warning on stderr says where it happened. what is "minibatch " for
 * sgd's batch step and "" for the full-data measurement. */
static bool non_finite(Run *r, long t, double loss, double gn, const char *what)
{
    if (isfinite(loss) && isfinite(gn))
        return false;
    fprintf(stderr, "warning: %s: the %s%s became %s at step %ld; stopping with the "
            "trajectory so far\n", r->a->bi->name, what, isfinite(loss) ? "gradient" : "loss",
            isnan(isfinite(loss) ? gn : loss) ? "NaN" : "infinite", t);
    r->t.diverged = true;
    return true;
}

/* Polls Ctrl-C: a script stops with an error; in the REPL the run ends at
 * this step, which is then recorded, so the result is consistent.
 * The script's error carries exit status 130, as Ctrl-C anywhere else. */
static bool interrupted(Run *r)
{
    if (!ovp_interrupted)
        return false;
    if (!r->I->repl) {
        interp_error(r->I, NULL, "interrupted");
        r->I->err.code = EXIT_INTERRUPT;
        return true;
    }
    ovp_interrupted = 0;
    fprintf(stderr, "\n%s: interrupted; returning the trajectory so far\n", r->a->bi->name);
    r->t.interrupted = true;
    return true;
}

/* A loss evaluation failed. In the REPL, Ctrl-C inside the loss (a call or
 * a loop noticed it first) still ends the run with its trajectory, not an
 * error; x goes back to the last recorded step, so that x, loss[end],
 * dist[end] and steps describe the same point. */
static int step_failed(Run *r)
{
    if (!r->I->repl || r->I->err.code != EXIT_INTERRUPT)
        return -1;
    interp_clear_error(r->I);
    ovp_interrupted = 0;
    fprintf(stderr, "\n%s: interrupted; returning the trajectory so far\n",
            r->a->bi->name);
    r->t.interrupted = true;
    if (r->x_rec.kind != VAL_NIL) {
        val_unref(r->x);
        r->x = val_ref(r->x_rec);
    }
    r->taken = r->t.n ? (long)r->t.step[r->t.n - 1] : 0;
    return 0;
}

/* sgd: the minibatch loss and gradient at x_t (*g: the step to take).
 * A non-finite minibatch loss or gradient sets *last: the step is still
 * measured on the full data and recorded, but no update follows. */
static bool batch_step(Run *r, long t, Value batch, StepStats *s, Value *g, bool *last)
{
    if (!loss_and_grad(r->I, r->o, r->x, batch, &s->batch_loss, g))
        return false;
    if (non_finite(r, t, s->batch_loss, sqrt(tree_dist2(*g, val_nil)), "minibatch "))
        *last = true;
    return true;
}

/* The full-data loss and gradient norm at x_t. For gd the gradient is the
 * step to take (*g); for sgd it is only measured.
 * converged is not claimed at a diverged step, whose norm may be NaN; a
 * negative tol (the default -1) turns the test off. */
static bool full_stats(Run *r, long t, StepStats *s, Value *g, bool *last)
{
    Value fg;
    if (!loss_and_grad(r->I, r->o, r->x, r->all, &s->loss, &fg))
        return false;
    s->gradnorm = sqrt(tree_dist2(fg, val_nil));
    s->have_full = true;
    if (r->all.kind == VAL_NIL)
        *g = fg;
    else
        val_unref(fg);
    if (non_finite(r, t, s->loss, s->gradnorm, ""))
        *last = true;
    if (!r->t.diverged && r->o->tol >= 0 && s->gradnorm <= r->o->tol) {
        r->t.converged = true;
        *last = true;
    }
    return true;
}

/* Step t at x_t: measures, records when due, asks stop(), then updates.
 * batch is the minibatch of an sgd step (VAL_NIL for gd, and for sgd's
 * final record). Returns 1 to continue, 0 to stop, -1 on an error.
 * The order is the contract: x_t is recorded (when due) before stop()
 * sees it, and stop() sees only full-data values (have_full), which sgd
 * measures at recorded steps alone. A stop at a step not due for
 * recording records it anyway, so the trajectory ends where the run did.
 * On a last step (t == total, interrupted, diverged or converged)
 * nothing is updated: it only measures and records the final point. */
static int train_step(Run *r, long t, long total, Value batch)
{
    const TrainOpts *o = r->o;
    bool stochastic = r->all.kind != VAL_NIL;
    bool last = t == total || interrupted(r);
    if (r->I->sig == SIG_ERROR)
        return -1;
    StepStats s = {NAN, NAN, NAN, false};
    Value g = val_nil;
    if (stochastic && !last && !batch_step(r, t, batch, &s, &g, &last))
        return step_failed(r);
    if ((!stochastic || last || t % o->every == 0) && !full_stats(r, t, &s, &g, &last)) {
        val_unref(g);
        return step_failed(r);
    }
    bool ok = true, stop = false;
    if (t % o->every == 0 || last)
        record(r, t, &s, &ok);
    if (ok && !last && s.have_full)
        ok = wants_stop(r->I, o, t, s.loss, s.gradnorm, r->x, &stop);
    if (ok && stop && t % o->every != 0)
        record(r, t, &s, &ok);
    if (ok && s.have_full)
        progress(r->I, r->a->bi->name, t, total, s.loss, r->start, &r->shown);
    double lr;
    if (ok && !last && !stop)
        ok = step_size(r->I, o, t + 1, &lr);
    if (!ok || last || stop) {
        val_unref(g);
        return ok ? 0 : -1;
    }
    Value nx = update(r->I, o, lr, &r->vel, r->x, g, &r->t);
    val_unref(r->x);
    r->x = nx;
    r->taken = t + 1;
    return 1;
}

/* The velocity starts at zeros of x0's structure; every track name gets
 * an empty list before the first record. */
static void run_init(Run *r, Interp *I, const Args *a, const TrainOpts *o, Value x0)
{
    memset(r, 0, sizeof *r);
    r->I = I, r->a = a, r->o = o;
    r->x = val_ref(x0);
    r->x0 = val_ref(x0);
    r->x_rec = val_nil;
    r->all = val_nil;
    r->vel = tree_scale(I, 0, x0);
    r->t.tracked = val_rec_new();
    for (size_t i = 0; o->track.kind == VAL_REC && i < o->track.as.rec->n; i++)
        rec_set(r->t.tracked.as.rec, o->track.as.rec->keys[i], val_list_new(0));
    r->start = now();
    r->shown = 0;
}

/* ok false: an error is pending and no record is built. Either way every
 * reference the run still holds is released here. */
static Value run_finish(Run *r, bool ok)
{
    Value out = ok ? traj_record(&r->t, r->x, r->x0, r->taken, now() - r->start,
                                 r->all.kind != VAL_NIL)
                   : val_error;
    val_unref(r->x), val_unref(r->x0), val_unref(r->vel);
    val_unref(r->x_rec), val_unref(r->all);
    traj_free(&r->t);
    return out;
}

/* Every leaf must be a number or a matrix: the kinds the tape tracks and
 * tree_dist2 reads. Checked up front so the message names argument 2,
 * x0, instead of coming from the first loss evaluation. The depth is
 * checked here too, so that this walk and every later one over the
 * parameters (all recursive) stay within AD_PARAM_DEPTH levels. */
static bool check_params_at(Interp *I, const Args *a, Value x, int depth)
{
    if ((x.kind == VAL_LIST || x.kind == VAL_REC) && depth >= AD_PARAM_DEPTH) {
        bi_error(I, a, "the parameters are nested more than %d lists or records deep",
                 AD_PARAM_DEPTH);
        return false;
    }
    if (x.kind == VAL_LIST) {
        for (size_t i = 0; i < x.as.list->n; i++)
            if (!check_params_at(I, a, x.as.list->items[i], depth + 1))
                return false;
        return true;
    }
    if (x.kind == VAL_REC) {
        for (size_t i = 0; i < x.as.rec->n; i++)
            if (!check_params_at(I, a, x.as.rec->vals[i], depth + 1))
                return false;
        return true;
    }
    if (x.kind == VAL_MAT || x.kind == VAL_NUM)
        return true;
    arg_type_error(I, a, 1, "a matrix, or a list or record of matrices");
    return false;
}

static bool check_params(Interp *I, const Args *a, Value x)
{
    return check_params_at(I, a, x, 0);
}

/* Slots: 0 loss, 1 x0, 2 lr, 3 steps, 4 momentum, 5 tol, 6 every,
 * 7 track, 8 stop. steps defaults to 100. Step t runs for t = 0..steps,
 * so there are steps updates and up to steps + 1 records; loss[1] is at
 * x0. */
static Value bi_gd(Interp *I, const Args *a)
{
    TrainOpts o = {0};
    o.who = a->bi->name;
    o.loss = a->v[0];
    if (!arg_callable(I, a, 0) || !check_params(I, a, a->v[1]) || !read_lr(I, a, 2, &o) ||
        !arg_int_or(I, a, 3, 100, &o.steps) || !read_common(I, a, 4, &o))
        return val_error;
    if (o.steps < 0)
        return bi_error(I, a, "steps must be non-negative, got %ld", o.steps);
    Run r;
    run_init(&r, I, a, &o, a->v[1]);
    int st = 1;
    for (long t = 0; st == 1; t++)
        st = train_step(&r, t, o.steps, val_nil);
    return run_finish(&r, st == 0);
}

/* ---- sgd ---------------------------------------------------------- */

/* Minibatch b of an epoch's permutation, as a column of 1-based indices.
 * The last one of an epoch is short when batch does not divide n. */
static Value minibatch(const size_t *perm, size_t n, size_t batch, size_t b)
{
    size_t lo = b * batch, hi = lo + batch < n ? lo + batch : n;
    Matrix *m = mat_new_uninit(hi - lo, 1);
    for (size_t i = lo; m && i < hi; i++)
        m->data[i - lo] = (double)(perm[i] + 1);
    return val_mat(m);
}

/* batch indices drawn uniformly and independently from 1..n. */
static Value draw_with_replacement(Rng *rng, size_t n, size_t batch)
{
    Matrix *m = mat_new_uninit(batch, 1);
    for (size_t i = 0; m && i < batch; i++)
        m->data[i] = (double)(rng_below(rng, n) + 1);
    return val_mat(m);
}

/* One epoch: ceil(n / batch) steps. Reshuffling visits every sample once
 * (the last minibatch may be smaller); sampling with replacement draws
 * each minibatch afresh, as the SGD theorems assume.
 * *t counts steps across epochs; the result is train_step's 1, 0 or -1. */
static int sgd_epoch(Run *r, size_t *perm, long *t, long total)
{
    const TrainOpts *o = r->o;
    if (!o->with_replacement)
        rng_permutation(&r->I->rng, perm, o->n);
    size_t nb = (o->n + o->batch - 1) / o->batch;
    for (size_t b = 0; b < nb; b++, (*t)++) {
        Value idx = o->with_replacement ? draw_with_replacement(&r->I->rng, o->n, o->batch)
                                        : minibatch(perm, o->n, o->batch, b);
        int st = train_step(r, *t, total, idx);
        val_unref(idx);
        if (st != 1)
            return st;
    }
    return 1;
}

/* "reshuffle", the default, sees every sample once per epoch, the usual
 * practice; "replace" is the i.i.d. sampling the SGD theorems analyse. */
static bool read_sample(Interp *I, const Args *a, int i, TrainOpts *o)
{
    o->with_replacement = false;
    if (!arg_given(a, i))
        return true;
    const char *s = arg_str(I, a, i);
    if (!s)
        return false;
    o->with_replacement = strcmp(s, "replace") == 0;
    if (!o->with_replacement && strcmp(s, "reshuffle") != 0) {
        bi_error(I, a, "sample must be \"reshuffle\" (each epoch a permutation, the "
                 "default) or \"replace\" (each index uniform and independent), got \"%s\"", s);
        return false;
    }
    return true;
}

/* Slots: 0 loss_i, 1 x0, 2 n, 3 batch, 4 lr, 5 epochs, 6 momentum, 7 tol,
 * 8 every, 9 track, 10 stop, 11 sample. batch defaults to 1 (classic SGD)
 * and epochs to 10. n and batch must fit a matrix because the index
 * columns handed to loss_i are matrices. */
static bool read_sgd(Interp *I, const Args *a, TrainOpts *o)
{
    o->batch = 1;
    if (!arg_count(I, a, 2, &o->n) || (arg_given(a, 3) && !arg_count(I, a, 3, &o->batch)) ||
        !read_lr(I, a, 4, o) || !arg_int_or(I, a, 5, 10, &o->epochs) ||
        !read_common(I, a, 6, o) || !read_sample(I, a, 11, o))
        return false;
    if (o->n == 0 || o->batch == 0 || o->epochs < 0) {
        bi_error(I, a, "n and batch must be at least 1 and epochs non-negative");
        return false;
    }
    if (!mat_size_ok(o->n, 1) || !mat_size_ok(o->batch, 1)) {
        bi_error(I, a, "n = %zu samples (batch %zu) is more than a matrix can index",
                 o->n, o->batch);
        return false;
    }
    if (!o->with_replacement && o->batch > o->n) {
        bi_error(I, a, "batch = %zu is larger than n = %zu; reshuffling draws each "
                 "sample once per epoch", o->batch, o->n);
        return false;
    }
    if (!arg_given(a, 8))   /* record once per epoch unless told otherwise */
        o->every = (long)((o->n + o->batch - 1) / o->batch);
    return true;
}

/* The column 1..n: loss_i's argument for the full data. Its presence in
 * Run.all is also what marks a run as stochastic. */
static Value all_indices(size_t n)
{
    Matrix *m = mat_new_uninit(n, 1);
    for (size_t i = 0; m && i < n; i++)
        m->data[i] = (double)(i + 1);
    return val_mat(m);
}

/* total = ceil(n / batch) * epochs steps. After them one more train_step
 * at t = total, with no minibatch, measures and records the final
 * parameters on the full data (batchloss is NaN there). perm is
 * allocated even with replacement, where it goes unused. */
static Value bi_sgd(Interp *I, const Args *a)
{
    TrainOpts o = {0};
    o.who = a->bi->name;
    o.loss = a->v[0];
    if (!arg_callable(I, a, 0) || !check_params(I, a, a->v[1]) || !read_sgd(I, a, &o))
        return val_error;
    size_t nb = (o.n + o.batch - 1) / o.batch;
    long total = (long)nb * o.epochs;
    size_t *perm = xmalloc(o.n * sizeof *perm);
    Run r;
    run_init(&r, I, a, &o, a->v[1]);
    r.all = all_indices(o.n);
    long t = 0;
    int st = 1;
    for (long e = 0; e < o.epochs && st == 1; e++)
        st = sgd_epoch(&r, perm, &t, total);
    if (st == 1)   /* the final parameters, on the full data */
        st = train_step(&r, total, total, val_nil);
    free(perm);
    return run_finish(&r, st == 0);
}

const Builtin builtins_train[] = {
    {"gd", 2, 9, "gd(loss, x0, lr, steps, momentum, tol, every, track, stop)",
     "gradient descent from x0 (a matrix, or a list or record of matrices) on the "
     "scalar loss(x): lr a number (default 0.01) or a function of the step, steps "
     "(default 100), momentum in [0, 1), stop when the gradient norm <= tol, record "
     "every k steps, track = {name: fn(x) ...} quantities, stop = fn(state) (state "
     "has step, loss, gradnorm, x). Returns {x, x0, loss, gradnorm, dist, path, "
     "step, <tracked>, steps, diverged, converged, interrupted, seconds}; loss[1] is "
     "at x0. NaN or Inf stops the run with a warning", bi_gd},
    {"sgd", 3, 12, "sgd(loss_i, x0, n, batch, lr, epochs, momentum, tol, every, track, "
     "stop, sample)",
     "minibatch SGD: loss_i(x, idx) is the loss on the samples idx, a column of "
     "1-based indices from the seeded generator: sample = \"reshuffle\" (default) "
     "takes each epoch's minibatches from a fresh permutation, \"replace\" draws "
     "every index uniformly and independently (the theorems' SGD). An epoch is "
     "ceil(n / batch) steps; batch defaults to 1, lr to 0.01, epochs to 10, every "
     "to one epoch. loss and gradnorm are on all n samples, loss_i(x, 1:n), at each "
     "recorded step (what the theorems bound); batchloss is the minibatch loss of "
     "the step taken there (NaN at the final record); tol and stop see the full-data "
     "values at recorded steps. Returns gd's record plus batchloss", bi_sgd},
    BUILTIN_END,
};
