/* test_values.c: Criterion tests for values (src/value/value.h), their printed
 * forms (src/value/format.h) and a few whole programs through the interpreter
 * (src/eval/interp.h): value semantics, closures, recovery after errors.
 *
 * Expectations follow the contracts: value.h's ownership rule (returned
 * values carry one reference, "takes" means the callee owns it), format.h
 * (numbers %.10g with inf/-inf/nan; matrices with a shape header, aligned
 * columns and head/tail truncation at FORMAT_MAX_ROWS x FORMAT_MAX_COLS)
 * and DESIGN.md §1 (value semantics, closures capture values, the REPL
 * keeps its session after an error).
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value/format.h"
#include "eval/interp.h"
#include "builtins/registry.h"
#include "base/matrix.h"
#include "base/strbuf.h"
#include "value/value.h"

/* ------------------------------------------------------------- helpers */

static char *display(Value v)
{
    StrBuf b;
    sb_init(&b);
    format_display(&b, v);
    char *s = sb_take(&b);
    sb_free(&b);   /* sb_take re-initialises the buffer */
    return s;
}

static char *compact(Value v)
{
    StrBuf b;
    sb_init(&b);
    format_compact(&b, v);
    char *s = sb_take(&b);
    sb_free(&b);   /* sb_take re-initialises the buffer */
    return s;
}

static void expect_display(Value v, const char *want)
{
    char *got = display(v);
    cr_expect_str_eq(got, want, "display: got [%s], want [%s]", got, want);
    free(got);
}

static void expect_compact(Value v, const char *want)
{
    char *got = compact(v);
    cr_expect_str_eq(got, want, "compact: got [%s], want [%s]", got, want);
    free(got);
}

/* Matrix from row-major values. */
static Matrix *mk(size_t r, size_t c, const double *rowmajor)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            MAT_AT(m, i, j) = rowmajor[i * c + j];
    return m;
}

/* Splits s into lines (array of malloc'd strings, NULL-terminated). */
static char **split_lines(const char *s, int *n)
{
    char **lines = NULL;
    int k = 0;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        lines = xrealloc(lines, (size_t)(k + 2) * sizeof *lines);
        lines[k++] = xstrndup(s, len);
        s += len + (e ? 1 : 0);
    }
    if (!lines)
        lines = xmalloc(sizeof *lines);
    lines[k] = NULL;
    *n = k;
    return lines;
}

static void free_lines(char **lines)
{
    for (char **p = lines; *p; p++)
        free(*p);
    free(lines);
}

/* Whitespace-separated tokens of a line with their end offsets. */
static int tokens(const char *line, char tok[][32], size_t *ends, int max)
{
    int n = 0;
    const char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        size_t len = (size_t)(p - s) < 31 ? (size_t)(p - s) : 31;
        memcpy(tok[n], s, len);
        tok[n][len] = '\0';
        ends[n] = (size_t)(p - line);
        n++;
    }
    return n;
}

/* ------------------------------------------------------- refcounting */

Test(refcount, strings)
{
    Value s = val_str("hello");
    cr_assert_eq(s.kind, VAL_STR);
    cr_expect_eq(s.as.str->rc, 1);
    cr_expect_eq(s.as.str->len, 5);
    cr_expect_str_eq(s.as.str->s, "hello");
    Value t = val_ref(s);
    cr_expect_eq(t.as.str, s.as.str);
    cr_expect_eq(s.as.str->rc, 2);
    val_unref(t);
    cr_expect_eq(s.as.str->rc, 1);
    val_unref(s);

    Value n = val_strn("a\0b", 3);
    cr_expect_eq(n.as.str->len, 3);
    cr_expect_eq(n.as.str->s[3], '\0');
    val_unref(n);
    Value k = val_str_take(xstrdup("taken"));
    cr_expect_str_eq(k.as.str->s, "taken");
    val_unref(k);
}

Test(refcount, matrices)
{
    Matrix *m = mat_new(2, 2);
    Value v = val_mat(m);                   /* takes m's reference */
    cr_assert_eq(v.kind, VAL_MAT);
    cr_expect_eq(v.as.mat, m);
    cr_expect_eq(m->rc, 1);
    Value w = val_ref(v);
    cr_expect_eq(m->rc, 2);
    val_unref(w);
    cr_expect_eq(m->rc, 1);
    val_unref(v);

    Value nil = val_mat(NULL);
    cr_expect_eq(nil.kind, VAL_NIL, "val_mat(NULL) is nil");
    val_unref(nil);
    /* unboxed values ignore ref/unref */
    Value x = val_ref(val_num(3));
    cr_expect_eq(x.as.num, 3);
    val_unref(x);
    val_unref(val_bool(true));
}

Test(refcount, lists_own_their_items)
{
    Value s = val_str("item");
    Value l = val_list_new(0);
    cr_assert_eq(l.kind, VAL_LIST);
    cr_expect_eq(l.as.list->rc, 1);
    cr_expect_eq(l.as.list->n, 0);
    list_push(l.as.list, val_ref(s));       /* takes the new reference */
    cr_expect_eq(s.as.str->rc, 2);
    for (int i = 0; i < 10; i++)            /* growth past the capacity */
        list_push(l.as.list, val_num(i));
    cr_expect_eq(l.as.list->n, 11);
    cr_expect_eq(l.as.list->items[10].as.num, 9);
    Value l2 = val_ref(l);
    cr_expect_eq(l.as.list->rc, 2);
    val_unref(l2);
    cr_expect_eq(s.as.str->rc, 2, "items live while the list does");
    val_unref(l);
    cr_expect_eq(s.as.str->rc, 1, "freeing the list drops its items");
    val_unref(s);
}

Test(refcount, records_own_their_values)
{
    Value s = val_str("v");
    Value r = val_rec_new();
    cr_assert_eq(r.kind, VAL_REC);
    cr_expect_eq(r.as.rec->rc, 1);
    rec_set(r.as.rec, "a", val_ref(s));
    cr_expect_eq(s.as.str->rc, 2);
    rec_set(r.as.rec, "a", val_num(1));     /* overwrite drops the old one */
    cr_expect_eq(s.as.str->rc, 1);
    cr_expect_eq(r.as.rec->n, 1);
    rec_set(r.as.rec, "b", val_ref(s));
    cr_expect_eq(s.as.str->rc, 2);
    Value r2 = val_ref(r);
    cr_expect_eq(r.as.rec->rc, 2);
    val_unref(r2);
    val_unref(r);
    cr_expect_eq(s.as.str->rc, 1);
    val_unref(s);
}

Test(records, set_and_get)
{
    Value r = val_rec_new();
    cr_expect_null(rec_get(r.as.rec, "lr"));
    rec_set(r.as.rec, "lr", val_num(0.1));
    rec_set(r.as.rec, "steps", val_num(100));
    rec_set(r.as.rec, "name", val_str("gd"));
    Value *lr = rec_get(r.as.rec, "lr");
    cr_assert_not_null(lr);
    cr_expect_eq(lr->kind, VAL_NUM);
    cr_expect_eq(lr->as.num, 0.1);
    Value *name = rec_get(r.as.rec, "name");
    cr_assert_not_null(name);
    cr_expect_str_eq(name->as.str->s, "gd");
    cr_expect_null(rec_get(r.as.rec, "l"), "no prefix matches");
    cr_expect_null(rec_get(r.as.rec, "LR"), "names are case-sensitive");
    rec_set(r.as.rec, "lr", val_num(0.5));
    cr_expect_eq(rec_get(r.as.rec, "lr")->as.num, 0.5);
    cr_expect_eq(r.as.rec->n, 3, "overwriting does not add a field");
    /* field order is insertion order */
    cr_expect_str_eq(r.as.rec->keys[0], "lr");
    cr_expect_str_eq(r.as.rec->keys[1], "steps");
    cr_expect_str_eq(r.as.rec->keys[2], "name");
    /* keys are copied */
    char key[8] = "tmp";
    rec_set(r.as.rec, key, val_num(1));
    strcpy(key, "xyz");
    cr_expect_not_null(rec_get(r.as.rec, "tmp"));
    cr_expect_null(rec_get(r.as.rec, "xyz"));
    val_unref(r);
}

/* -------------------------------------------------------- copy-on-write */

Test(cow, unique_list_copies_only_when_shared)
{
    Value l = val_list_new(2);
    list_push(l.as.list, val_num(1));
    list_push(l.as.list, val_str("x"));
    List *orig = l.as.list;
    val_unique_list(&l);
    cr_expect_eq(l.as.list, orig, "sole owner: no copy");

    Value other = val_ref(l);                /* L2 = L */
    Str *item = l.as.list->items[1].as.str;
    cr_expect_eq(item->rc, 1);
    val_unique_list(&l);
    cr_expect_neq(l.as.list, orig, "shared: copied");
    cr_expect_eq(other.as.list, orig);
    cr_expect_eq(l.as.list->rc, 1);
    cr_expect_eq(orig->rc, 1, "the copy released its share of the original");
    cr_expect_eq(l.as.list->n, 2);
    cr_expect_eq(item->rc, 2, "items are shared by both lists");

    /* writing the copy leaves the other holder's list alone */
    val_unref(l.as.list->items[0]);
    l.as.list->items[0] = val_num(99);
    list_push(l.as.list, val_num(3));
    cr_expect_eq(other.as.list->items[0].as.num, 1);
    cr_expect_eq(other.as.list->n, 2);
    val_unref(l);
    cr_expect_eq(item->rc, 1);
    val_unref(other);
}

Test(cow, unique_rec_copies_only_when_shared)
{
    Value r = val_rec_new();
    rec_set(r.as.rec, "a", val_num(1));
    rec_set(r.as.rec, "b", val_str("s"));
    Record *orig = r.as.rec;
    val_unique_rec(&r);
    cr_expect_eq(r.as.rec, orig, "sole owner: no copy");

    Value other = val_ref(r);
    val_unique_rec(&r);
    cr_expect_neq(r.as.rec, orig);
    cr_expect_eq(orig->rc, 1);
    cr_expect_eq(r.as.rec->rc, 1);
    cr_expect_eq(r.as.rec->n, 2);
    cr_expect_str_eq(r.as.rec->keys[0], "a", "the copy keeps field order");
    cr_expect_str_eq(r.as.rec->keys[1], "b");
    cr_expect_eq(rec_get(orig, "b")->as.str->rc, 2);
    rec_set(r.as.rec, "a", val_num(2));
    rec_set(r.as.rec, "c", val_num(3));
    cr_expect_eq(rec_get(other.as.rec, "a")->as.num, 1);
    cr_expect_null(rec_get(other.as.rec, "c"));
    val_unref(r);
    val_unref(other);
}

/* ------------------------------------------------------------ equality */

Test(equality, scalars_strings_matrices)
{
    cr_expect(val_equal(val_num(2), val_num(2)));
    cr_expect(!val_equal(val_num(2), val_num(3)));
    cr_expect(!val_equal(val_num(1), val_bool(true)), "kinds differ");
    cr_expect(val_equal(val_bool(false), val_bool(false)));
    cr_expect(val_equal(val_nil, val_nil));

    Value a = val_str("abc"), b = val_str("abc"), c = val_str("abd");
    cr_expect(val_equal(a, b));
    cr_expect(!val_equal(a, c));
    val_unref(a);
    val_unref(b);
    val_unref(c);

    double d[4] = {1, 2, 3, 4};
    Value m1 = val_mat(mat_from(2, 2, d)), m2 = val_mat(mat_from(2, 2, d));
    Value row = val_mat(mat_from(1, 4, d)), col = val_mat(mat_from(4, 1, d));
    cr_expect(val_equal(m1, m2));
    cr_expect(!val_equal(row, col), "same data, different shape");
    cr_expect(!val_equal(m1, row));
    m2.as.mat->data[3] = 5;
    cr_expect(!val_equal(m1, m2));
    val_unref(m1);
    val_unref(m2);
    val_unref(row);
    val_unref(col);
}

Test(equality, lists_are_compared_deeply)
{
    Value a = val_list_new(0), b = val_list_new(0);
    list_push(a.as.list, val_num(1));
    list_push(b.as.list, val_num(1));
    list_push(a.as.list, val_str("x"));
    list_push(b.as.list, val_str("x"));
    cr_expect(val_equal(a, b));
    list_push(b.as.list, val_num(3));
    cr_expect(!val_equal(a, b), "lengths differ");
    Value e1 = val_list_new(0), e2 = val_list_new(4);
    cr_expect(val_equal(e1, e2));
    val_unref(a);
    val_unref(b);
    val_unref(e1);
    val_unref(e2);
}

Test(equality, records_are_compared_deeply)
{
    Value a = val_rec_new(), b = val_rec_new();
    rec_set(a.as.rec, "lr", val_num(0.1));
    rec_set(b.as.rec, "lr", val_num(0.1));
    rec_set(a.as.rec, "name", val_str("gd"));
    rec_set(b.as.rec, "name", val_str("gd"));
    cr_expect(val_equal(a, a), "a record equals itself");
    cr_expect(val_equal(a, b), "equal fields, equal records");
    rec_set(b.as.rec, "lr", val_num(0.2));
    cr_expect(!val_equal(a, b), "a field differs");
    Value c = val_rec_new();
    rec_set(c.as.rec, "lr", val_num(0.1));
    cr_expect(!val_equal(a, c), "a field is missing");
    cr_expect(!val_equal(c, a));
    val_unref(a);
    val_unref(b);
    val_unref(c);
}

/* ------------------------------------------------------------- numbers */

Test(format, numbers)
{
    expect_display(val_num(3), "3\n");
    expect_display(val_num(-7), "-7\n");
    expect_display(val_num(1e6), "1000000\n");
    expect_display(val_num(0.1), "0.1\n");
    expect_display(val_num(0.1 + 0.2), "0.3\n");     /* 10 digits */
    expect_display(val_num(1.0 / 3), "0.3333333333\n");
    expect_display(val_num(1e-20), "1e-20\n");
    expect_display(val_num(2.5e300), "2.5e+300\n");
    expect_display(val_num(NAN), "nan\n");
    expect_display(val_num(INFINITY), "inf\n");
    expect_display(val_num(-INFINITY), "-inf\n");
    expect_display(val_num(-0.0), "0\n");
    expect_compact(val_num(0.1), "0.1");
    expect_compact(val_num(-0.0), "0");
    expect_compact(val_num(-NAN), "nan");
    expect_display(val_bool(true), "true\n");
    expect_compact(val_bool(false), "false");

    StrBuf b;
    sb_init(&b);
    format_number(&b, 123456789012.0);   /* whole: every digit */
    cr_expect_str_eq(b.s, "123456789012");
    sb_clear(&b);
    format_number(&b, 123456789012.5);   /* more than 10 digits */
    cr_expect_str_eq(b.s, "1.23456789e+11");
    sb_clear(&b);
    format_number(&b, 9007199254740992.0);   /* 2^53, the last whole shown whole */
    cr_expect_str_eq(b.s, "9007199254740992");
    sb_clear(&b);
    format_number(&b, 9007199254740994.0);
    cr_expect_str_eq(b.s, "9.007199255e+15");
    sb_free(&b);
}

Test(format, strings)
{
    Value s = val_str("say \"hi\"\n\tok\\");
    expect_display(s, "say \"hi\"\n\tok\\\n");               /* raw */
    expect_compact(s, "\"say \\\"hi\\\"\\n\\tok\\\\\"");   /* quoted */
    val_unref(s);
}

/* ------------------------------------------------------------ matrices */

Test(format, matrix_header_and_aligned_columns)
{
    const double d[4] = {1, -20, 300, 4.5};
    Value v = val_mat(mk(2, 2, d));
    char *out = display(v);
    int n;
    char **lines = split_lines(out, &n);
    cr_assert_eq(n, 3, "header + 2 rows:\n%s", out);
    cr_expect_str_eq(lines[0], "2x2 matrix");
    cr_expect_eq(out[strlen(out) - 1], '\n');
    char t1[4][32], t2[4][32];
    size_t e1[4], e2[4];
    cr_assert_eq(tokens(lines[1], t1, e1, 4), 2, "%s", out);
    cr_assert_eq(tokens(lines[2], t2, e2, 4), 2, "%s", out);
    cr_expect_str_eq(t1[0], "1");
    cr_expect_str_eq(t1[1], "-20");
    cr_expect_str_eq(t2[0], "300");
    cr_expect_str_eq(t2[1], "4.5");
    /* right-aligned: each column ends at the same offset on every row */
    cr_expect_eq(e1[0], e2[0], "column 1 misaligned:\n%s", out);
    cr_expect_eq(e1[1], e2[1], "column 2 misaligned:\n%s", out);
    free_lines(lines);
    free(out);
    expect_compact(v, "[1, -20; 300, 4.5]");
    val_unref(v);

    const double r[3] = {1, 2, 3};
    Value row = val_mat(mk(1, 3, r));
    out = display(row);
    cr_expect(strncmp(out, "1x3 matrix\n", 11) == 0, "%s", out);
    free(out);
    expect_compact(row, "[1, 2, 3]");
    Value col = val_mat(mk(3, 1, r));
    expect_compact(col, "[1; 2; 3]");
    val_unref(row);
    val_unref(col);
}

Test(format, matrix_special_elements)
{
    const double d[4] = {NAN, INFINITY, -INFINITY, -0.0};
    Value v = val_mat(mk(1, 4, d));
    char *out = display(v);
    int n;
    char **lines = split_lines(out, &n);
    cr_assert_eq(n, 2, "%s", out);
    char t[4][32];
    size_t e[4];
    cr_assert_eq(tokens(lines[1], t, e, 4), 4, "%s", out);
    cr_expect_str_eq(t[0], "nan");
    cr_expect_str_eq(t[1], "inf");
    cr_expect_str_eq(t[2], "-inf");
    cr_expect_str_eq(t[3], "0");
    free_lines(lines);
    free(out);
    val_unref(v);
}

Test(format, logical_matrix)
{
    const double d[3] = {1, 0, 1};
    Matrix *m = mk(1, 3, d);
    m->logical = true;
    Value v = val_mat(m);
    char *out = display(v);
    int n;
    char **lines = split_lines(out, &n);
    cr_assert_eq(n, 2, "%s", out);
    cr_expect_str_eq(lines[0], "1x3 logical");
    char t[4][32];
    size_t e[4];
    cr_assert_eq(tokens(lines[1], t, e, 4), 3, "%s", out);
    cr_expect_str_eq(t[0], "1");
    cr_expect_str_eq(t[1], "0");
    cr_expect_str_eq(t[2], "1");
    free_lines(lines);
    free(out);
    val_unref(v);
}

Test(format, one_by_one_prints_as_a_number)
{
    Value v = val_mat(mat_scalar(2.5));
    expect_display(v, "2.5\n");
    expect_compact(v, "2.5");
    val_unref(v);
    Value w = val_mat(mat_scalar(1.0 / 3));
    expect_display(w, "0.3333333333\n");
    val_unref(w);
}

Test(format, empty_matrix)
{
    Value v = val_mat(mat_new(0, 3));
    expect_display(v, "0x3 matrix\n");
    expect_compact(v, "[]");
    val_unref(v);
    Value z = val_mat(mat_new(0, 0));
    expect_display(z, "0x0 matrix\n");
    val_unref(z);
}

/* A(i, j) = 100 i + j (1-based), so every element names its position. */
static Value numbered(size_t r, size_t c)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t j = 0; j < c; j++)
        for (size_t i = 0; i < r; i++)
            MAT_AT(m, i, j) = (double)(100 * (i + 1) + (j + 1));
    return val_mat(m);
}

/* Parses the displayed rows of a numbered matrix: for each data line the
 * numbers shown and whether it has a "..." column marker. */
typedef struct Shown {
    int nrows, hidden_lines, hidden_count;
    int hidden_cols;              /* from "(N columns hidden)" */
    bool full_hint;               /* the "full = true" line is there */
    int first_row, last_row;      /* from the first column's values */
    int ncols_max;
    bool all_rows_dotted, any_row_dotted;
    bool first_col_1, last_col_c;
} Shown;

static Shown analyse(const char *out, size_t c)
{
    Shown s = {0};
    s.all_rows_dotted = true;
    s.first_col_1 = s.last_col_c = true;
    int n;
    char **lines = split_lines(out, &n);
    for (int k = 1; k < n; k++) {
        if (strstr(lines[k], "columns hidden")) {
            const char *p = lines[k];
            while (*p && (*p < '0' || *p > '9'))
                p++;
            s.hidden_cols = atoi(p);
            continue;
        }
        if (strstr(lines[k], "full = true")) {
            s.full_hint = true;
            continue;
        }
        if (strstr(lines[k], "rows hidden")) {
            s.hidden_lines++;
            const char *p = lines[k];
            while (*p && (*p < '0' || *p > '9'))
                p++;
            s.hidden_count = atoi(p);
            continue;
        }
        char t[32][32];
        size_t e[32];
        int nt = tokens(lines[k], t, e, 32);
        int nums = 0;
        bool dotted = false;
        int first = -1, last = -1;
        for (int i = 0; i < nt; i++) {
            if (strcmp(t[i], "...") == 0) {
                dotted = true;
                continue;
            }
            int v = atoi(t[i]);
            if (first < 0)
                first = v;
            last = v;
            nums++;
        }
        if (nums > s.ncols_max)
            s.ncols_max = nums;
        s.all_rows_dotted &= dotted;
        s.any_row_dotted |= dotted;
        if (first % 100 != 1)
            s.first_col_1 = false;
        if (last % 100 != (int)c)
            s.last_col_c = false;
        if (s.nrows == 0)
            s.first_row = first / 100;
        s.last_row = first / 100;
        s.nrows++;
    }
    free_lines(lines);
    return s;
}

Test(format, truncation_of_a_large_matrix)
{
    Value v = numbered(30, 30);
    char *out = display(v);
    int n;
    char **lines = split_lines(out, &n);
    cr_expect_str_eq(lines[0], "30x30 matrix");
    free_lines(lines);
    Shown s = analyse(out, 30);
    cr_expect_leq(s.nrows, FORMAT_MAX_ROWS, "at most %d rows shown:\n%s",
                  FORMAT_MAX_ROWS, out);
    cr_expect_geq(s.nrows, 2);
    cr_expect_eq(s.first_row, 1, "first row shown:\n%s", out);
    cr_expect_eq(s.last_row, 30, "last row shown:\n%s", out);
    cr_expect_eq(s.hidden_lines, 1, "one \"rows hidden\" line:\n%s", out);
    cr_expect_eq(s.hidden_count, 30 - s.nrows, "hidden count:\n%s", out);
    cr_expect_leq(s.ncols_max, FORMAT_MAX_COLS, "at most %d columns:\n%s",
                  FORMAT_MAX_COLS, out);
    cr_expect(s.all_rows_dotted, "every row has the \"...\" column:\n%s", out);
    cr_expect_eq(s.hidden_cols, 30 - s.ncols_max, "hidden columns counted:\n%s", out);
    cr_expect(s.full_hint, "the full form is named:\n%s", out);
    cr_expect(s.first_col_1 && s.last_col_c,
              "first and last columns shown:\n%s", out);
    free(out);
    val_unref(v);
}

Test(format, full_display_hides_nothing)
{
    Value v = numbered(30, 30);
    StrBuf b;
    sb_init(&b);
    format_display_opts(&b, v, (PrintOpts){SIZE_MAX, SIZE_MAX, FORMAT_DIGITS});
    Shown s = analyse(b.s, 30);
    cr_expect_eq(s.nrows, 30, "every row:\n%s", b.s);
    cr_expect_eq(s.ncols_max, 30, "every column:\n%s", b.s);
    cr_expect(!s.any_row_dotted && s.hidden_lines == 0 && !s.full_hint,
              "nothing hidden, no hint:\n%s", b.s);
    cr_expect(s.first_row == 1 && s.last_row == 30 && s.first_col_1 && s.last_col_c);
    sb_free(&b);
    val_unref(v);
}

/* printopts' limits, odd ones included: the head gets the smaller half. */
Test(format, limits_and_digits_from_the_options)
{
    Value v = numbered(30, 30);
    StrBuf b;
    sb_init(&b);
    format_display_opts(&b, v, (PrintOpts){5, 3, FORMAT_DIGITS});
    Shown s = analyse(b.s, 30);
    cr_expect_eq(s.nrows, 5, "five rows:\n%s", b.s);
    cr_expect_eq(s.hidden_count, 25, "25 rows counted as hidden:\n%s", b.s);
    cr_expect_eq(s.ncols_max, 3, "three columns:\n%s", b.s);
    cr_expect_eq(s.hidden_cols, 27, "27 columns counted as hidden:\n%s", b.s);
    cr_expect(s.first_row == 1 && s.last_row == 30 && s.first_col_1 && s.last_col_c,
              "both ends shown:\n%s", b.s);
    sb_free(&b);
    val_unref(v);

    Matrix *m = mat_new(1, 2);
    m->data[0] = 1.0 / 3;
    m->data[1] = 0.1;
    Value third = val_mat(m);
    sb_init(&b);
    format_display_opts(&b, third, (PrintOpts){SIZE_MAX, SIZE_MAX, 17});
    cr_expect_str_eq(b.s, "1x2 matrix\n  0.33333333333333331  0.10000000000000001\n");
    sb_free(&b);
    val_unref(third);
}

Test(format, truncation_of_wide_and_tall_matrices)
{
    Value wide = numbered(3, 30);
    char *out = display(wide);
    Shown s = analyse(out, 30);
    cr_expect_eq(s.nrows, 3, "%s", out);
    cr_expect_eq(s.hidden_lines, 0, "no rows hidden:\n%s", out);
    cr_expect(s.all_rows_dotted, "%s", out);
    cr_expect(s.first_col_1 && s.last_col_c, "%s", out);
    free(out);
    val_unref(wide);

    Value tall = numbered(30, 3);
    out = display(tall);
    s = analyse(out, 3);
    cr_expect(!s.any_row_dotted, "no columns hidden:\n%s", out);
    cr_expect_eq(s.ncols_max, 3, "%s", out);
    cr_expect_eq(s.hidden_lines, 1, "%s", out);
    cr_expect_eq(s.first_row, 1);
    cr_expect_eq(s.last_row, 30);
    free(out);
    val_unref(tall);

    /* exactly at the limit: nothing is hidden */
    Value edge = numbered(FORMAT_MAX_ROWS, FORMAT_MAX_COLS);
    out = display(edge);
    s = analyse(out, FORMAT_MAX_COLS);
    cr_expect_eq(s.nrows, FORMAT_MAX_ROWS, "%s", out);
    cr_expect_eq(s.hidden_lines, 0, "%s", out);
    cr_expect(!s.any_row_dotted, "%s", out);
    free(out);
    val_unref(edge);

    /* one past the limit on each side: something is hidden */
    Value over = numbered(FORMAT_MAX_ROWS + 1, FORMAT_MAX_COLS + 1);
    out = display(over);
    s = analyse(out, FORMAT_MAX_COLS + 1);
    cr_expect_eq(s.hidden_lines, 1, "%s", out);
    cr_expect_eq(s.hidden_count, FORMAT_MAX_ROWS + 1 - s.nrows, "%s", out);
    cr_expect(s.all_rows_dotted, "%s", out);
    cr_expect_eq(s.last_row, FORMAT_MAX_ROWS + 1);
    cr_expect(s.last_col_c);
    free(out);
    val_unref(over);
}

/* ------------------------------------------------------ lists, records */

Test(format, lists)
{
    Value l = val_list_new(0);
    list_push(l.as.list, val_num(1));
    list_push(l.as.list, val_str("a"));
    const double d[2] = {1, 2};
    list_push(l.as.list, val_mat(mk(1, 2, d)));
    Value inner = val_list_new(0);
    list_push(inner.as.list, val_bool(true));
    list_push(l.as.list, inner);
    list_push(l.as.list, val_list_new(0));
    expect_compact(l, "{1, \"a\", [1, 2], {true}, {}}");
    expect_display(l, "{1, \"a\", [1, 2], {true}, {}}\n");
    val_unref(l);

    /* a big matrix inside a list is summarised, not dumped */
    Value big = val_list_new(0);
    list_push(big.as.list, numbered(30, 30));
    char *out = compact(big);
    cr_expect(strstr(out, "30x30") != NULL, "%s", out);
    cr_expect(strchr(out, '\n') == NULL, "compact form is one line: %s", out);
    cr_expect_lt(strlen(out), 40, "%s", out);
    free(out);
    val_unref(big);
}

Test(format, records)
{
    Value r = val_rec_new();
    rec_set(r.as.rec, "lr", val_num(0.1));
    rec_set(r.as.rec, "steps", val_num(100));
    rec_set(r.as.rec, "name", val_str("gd"));
    expect_compact(r, "{lr: 0.1, steps: 100, name: \"gd\"}");
    expect_display(r, "{lr: 0.1, steps: 100, name: \"gd\"}\n");
    Value l = val_list_new(0);
    list_push(l.as.list, r);
    expect_compact(l, "{{lr: 0.1, steps: 100, name: \"gd\"}}");
    val_unref(l);
}

/* ------------------------------------------------------ whole programs */

typedef struct Run {
    Interp *I;
    char *buf;
    size_t size;
    FILE *out;
    StrBuf diag;
} Run;

static void run_open(Run *r)
{
    r->I = interp_new(builtin_families);
    cr_assert_not_null(r->I);
    r->buf = NULL;
    r->size = 0;
    r->out = open_memstream(&r->buf, &r->size);
    cr_assert_not_null(r->out);
    r->I->out = r->out;
    sb_init(&r->diag);
}

/* Runs text; returns the exit code. Output so far is in r->buf. */
static int run(Run *r, const char *text)
{
    sb_clear(&r->diag);
    int code = interp_run_source(r->I, "t", text, strlen(text), &r->diag);
    fflush(r->out);
    return code;
}

/* Output since the last call (resets the stream). */
static char *take_output(Run *r)
{
    fflush(r->out);
    char *s = xstrndup(r->buf ? r->buf : "", r->size);
    rewind(r->out);
    fflush(r->out);
    r->size = 0;
    if (r->buf)
        r->buf[0] = '\0';
    return s;
}

static void run_close(Run *r)
{
    r->I->out = stdout;
    interp_free(r->I);
    fclose(r->out);
    free(r->buf);
    sb_free(&r->diag);
}

static void expect_run(Run *r, const char *text, const char *want_out)
{
    int code = run(r, text);
    cr_expect_eq(code, EXIT_OK, "[%s] failed:\n%s", text, r->diag.s);
    char *got = take_output(r);
    cr_expect_str_eq(got, want_out, "[%s]: output [%s], want [%s]", text, got,
                     want_out);
    free(got);
}

Test(program, matrices_have_value_semantics)
{
    Run r;
    run_open(&r);
    expect_run(&r, "A = [1, 2, 3]\nB = A\nB[1] = 9\nprintf(\"%g %g\\n\", A[1], B[1])\n",
               "1 9\n");
    expect_run(&r, "C = A\nC += 1\nprintf(\"%g %g\\n\", A[3], C[3])\n", "3 4\n");
    /* passing never aliases: a function writing its parameter */
    expect_run(&r, "fn poke(M) M[2] = -1; M end\nD = poke(A)\n"
                   "printf(\"%g %g\\n\", A[2], D[2])\n", "2 -1\n");
    /* growing a copy leaves the original's shape */
    expect_run(&r, "E = A\nE[5] = 7\nprintf(\"%d %d\\n\", numel(A), numel(E))\n",
               "3 5\n");
    run_close(&r);
}

Test(program, lists_and_records_have_value_semantics)
{
    Run r;
    run_open(&r);
    expect_run(&r, "L = {1, 2}\nK = L\nK[1] = 7\nprintf(\"%g %g\\n\", L[1], K[1])\n",
               "1 7\n");
    expect_run(&r, "c = {lr: 0.1}\nd = c\nd.lr = 0.5\n"
                   "printf(\"%g %g\\n\", c.lr, d.lr)\n", "0.1 0.5\n");
    /* a matrix inside a record copied with it */
    expect_run(&r, "s = {W: [1, 2]}\nt = s\nt.W[1] = 5\n"
                   "printf(\"%g %g\\n\", s.W[1], t.W[1])\n", "1 5\n");
    run_close(&r);
}

Test(program, closures_capture_values)
{
    Run r;
    run_open(&r);
    expect_run(&r,
               "fn make(k)\n"
               "  g = fn(x) x * k end\n"
               "  k = 100\n"
               "  g\n"
               "end\n"
               "h = make(3)\n"
               "printf(\"%g\\n\", h(2))\n",
               "6\n");
    expect_run(&r,
               "fn adder(n) fn(x) x + n end end\n"
               "a2 = adder(2); a5 = adder(5)\n"
               "printf(\"%g %g\\n\", a2(1), a5(1))\n",
               "3 6\n");
    /* a captured matrix is a value too */
    expect_run(&r,
               "fn keeper(M)\n"
               "  get = fn() M[1] end\n"
               "  M[1] = 42\n"
               "  get\n"
               "end\n"
               "k = keeper([1, 2])\n"
               "printf(\"%g\\n\", k())\n",
               "1\n");
    run_close(&r);
}

Test(program, runtime_error_keeps_the_session)
{
    Run r;
    run_open(&r);
    expect_run(&r, "x = 5\ny = [1, 2]\nfn twice(v) 2 * v end\n", "");

    int code = run(&r, "x = x + 1\nz = nope + 1\nx = 100\n");
    cr_expect_eq(code, EXIT_RUNTIME);
    cr_expect(strstr(r.diag.s, "t:2:5: error:") != NULL,
              "located diagnostic:\n%s", r.diag.s);
    cr_expect(strstr(r.diag.s, "nope") != NULL, "names the variable:\n%s",
              r.diag.s);
    free(take_output(&r));

    /* statements before the error ran, the ones after did not */
    expect_run(&r, "printf(\"%g %g %g\\n\", x, y[2], twice(4))\n", "6 2 8\n");

    /* an error inside a call leaves the global being assigned untouched */
    code = run(&r, "fn bad(v) v[10] end\ny = bad(y)\n");
    cr_expect_eq(code, EXIT_RUNTIME);
    free(take_output(&r));
    expect_run(&r, "printf(\"%d %g\\n\", numel(y), y[1])\n", "2 1\n");

    /* a failing indexed assignment leaves the matrix as it was */
    code = run(&r, "y[2] = nope\n");
    cr_expect_eq(code, EXIT_RUNTIME);
    free(take_output(&r));
    expect_run(&r, "printf(\"%g %g\\n\", y[1], y[2])\n", "1 2\n");

    /* a destructuring that fails assigns none of its targets */
    code = run(&r, "x, y = {10}\n");
    cr_expect_eq(code, EXIT_RUNTIME);
    free(take_output(&r));
    expect_run(&r, "printf(\"%g %d\\n\", x, numel(y))\n", "6 2\n");

    /* unbounded recursion is an error; the call depth is reset after it */
    code = run(&r, "fn down(n) down(n + 1) end\ndown(0)\n");
    cr_expect_eq(code, EXIT_RUNTIME);
    cr_expect(strstr(r.diag.s, "error:") != NULL, "%s", r.diag.s);
    free(take_output(&r));
    cr_expect_eq(r.I->depth, 0);
    cr_expect_null(r.I->frame);
    expect_run(&r, "printf(\"%g\\n\", twice(x))\n", "12\n");

    /* a syntax error runs nothing */
    code = run(&r, "x = 1000\ny = (\n");
    cr_expect_eq(code, EXIT_SYNTAX);
    cr_expect(strstr(r.diag.s, "error:") != NULL, "%s", r.diag.s);
    free(take_output(&r));
    expect_run(&r, "printf(\"%g\\n\", x)\n", "6\n");

    /* the next run starts without a pending error or signal */
    cr_expect_null(r.I->err.msg);
    cr_expect_eq(r.I->sig, SIG_NONE);
    run_close(&r);
}

Test(program, script_mode_does_not_echo)
{
    Run r;
    run_open(&r);
    expect_run(&r, "1 + 2\nx = 3\nx\n", "");
    r.I->repl = true;
    int code = run(&r, "1 + 2\n");
    cr_expect_eq(code, EXIT_OK);
    char *out = take_output(&r);
    cr_expect(strstr(out, "3") != NULL, "the REPL echoes: [%s]", out);
    free(out);
    code = run(&r, "y = 4\n");
    out = take_output(&r);
    cr_expect(strstr(out, "4") == NULL, "assignments are not echoed: [%s]", out);
    free(out);
    run_close(&r);
}

Test(program, print_uses_the_display_form)
{
    Run r;
    run_open(&r);
    expect_run(&r, "print(0.1)\nprint(1e-20)\nprint(-0)\n", "0.1\n1e-20\n0\n");
    expect_run(&r, "print({lr: 0.1, steps: 100})\n", "{lr: 0.1, steps: 100}\n");
    expect_run(&r, "print({1, \"a\"})\n", "{1, \"a\"}\n");
    int code = run(&r, "print([1, 2; 3, 4])\n");
    cr_expect_eq(code, EXIT_OK, "%s", r.diag.s);
    char *out = take_output(&r);
    cr_expect(strncmp(out, "2x2 matrix\n", 11) == 0, "[%s]", out);
    free(out);
    run_close(&r);
}
