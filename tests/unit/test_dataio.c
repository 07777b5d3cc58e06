/* test_dataio.c: CSV, .npy and IDX reading and writing (src/numeric/dataio.c).
 *
 * Files are built byte by byte here (npy headers, IDX magic numbers, gzip
 * streams through zlib) so each format detail is checked independently of
 * the writer; error tests check that the message names the file and says
 * what is wrong. Scratch files live in /tmp, named by process id. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "numeric/dataio.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static char *tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "/tmp/ovp_dio_%ld_%s", (long)getpid(), name);
    return buf;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static void write_text(const char *path, const char *s)
{
    write_bytes(path, s, strlen(s));
}

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile gz = gzopen(path, "wb");
    cr_assert(gz);
    cr_assert_eq(gzwrite(gz, data, (unsigned)n), (int)n);
    cr_assert_eq(gzclose(gz), Z_OK);
}

/* Asserts that err contains want. */
static void expect_err(const char *err, const char *want)
{
    cr_assert(strstr(err, want), "error \"%s\" should contain \"%s\"", err, want);
}

/* Bitwise equality, except that any NaN equals any NaN. */
static bool same(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

static void put_le(unsigned char *p, uint64_t v, int size)
{
    for (int k = 0; k < size; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static void put_be(unsigned char *p, uint64_t v, int size)
{
    for (int k = 0; k < size; k++)
        p[size - 1 - k] = (unsigned char)(v >> (8 * k));
}

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static uint32_t bits_of_float(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Writes a .npy file: version major.0, header dictionary dict padded to 64
 * bytes, then n payload bytes. */
static void write_npy(const char *path, int major, const char *dict, const void *data,
                      size_t n)
{
    static unsigned char buf[8192];
    size_t pre = major == 1 ? 10 : 12, len = strlen(dict);
    size_t total = (pre + len + 1 + 63) / 64 * 64, hl = total - pre;
    cr_assert_leq(total + n, sizeof buf);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    put_le(buf + 8, hl, major == 1 ? 2 : 4);
    memcpy(buf + pre, dict, len);
    memset(buf + pre + len, ' ', total - pre - len - 1);
    buf[total - 1] = '\n';
    if (n)
        memcpy(buf + total, data, n);
    write_bytes(path, buf, total + n);
}

/* write_npy with a standard version 1.0 dictionary. */
static void write_npy1(const char *path, const char *descr, bool fortran, const char *shape,
                       const void *data, size_t n)
{
    char dict[256];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
             fortran ? "True" : "False", shape);
    write_npy(path, 1, dict, data, n);
}

/* Loads a .npy file expected to be good and of the given shape. */
static Matrix *load_npy_ok(const char *path, size_t rows, size_t cols)
{
    char err[256] = "";
    Matrix *m = dio_load_npy(path, err, sizeof err);
    cr_assert(m, "load failed: %s", err);
    cr_assert_eq(m->rows, rows, "rows %zu, expected %zu", m->rows, rows);
    cr_assert_eq(m->cols, cols, "cols %zu, expected %zu", m->cols, cols);
    return m;
}

/* Loads a .npy file expected to fail with an error containing want. */
static void load_npy_bad(const char *path, const char *want)
{
    char err[256] = "";
    Matrix *m = dio_load_npy(path, err, sizeof err);
    cr_assert_null(m, "load of %s should fail", path);
    expect_err(err, path);
    expect_err(err, want);
}

/* Loads a CSV expected to fail with an error containing want. */
static void load_csv_bad(const char *text, const char *want)
{
    char path[128], err[256] = "", **h = (char **)1;
    size_t nh = 99;
    write_text(tmp_path(path, sizeof path, "bad.csv"), text);
    Matrix *m = dio_load_csv(path, &h, &nh, err, sizeof err);
    cr_assert_null(m, "CSV \"%s\" should fail", text);
    cr_assert_null(h);
    cr_assert_eq(nh, 0);
    expect_err(err, path);
    expect_err(err, want);
    unlink(path);
}

/* Loads CSV text expected to be good and of the given shape. */
static Matrix *load_csv_ok(const char *text, size_t rows, size_t cols, char ***h, size_t *nh)
{
    char path[128], err[256] = "";
    write_text(tmp_path(path, sizeof path, "ok.csv"), text);
    Matrix *m = dio_load_csv(path, h, nh, err, sizeof err);
    cr_assert(m, "load failed: %s", err);
    cr_assert_eq(m->rows, rows, "rows %zu, expected %zu", m->rows, rows);
    cr_assert_eq(m->cols, cols, "cols %zu, expected %zu", m->cols, cols);
    unlink(path);
    return m;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A 40x5 matrix of random bit patterns plus awkward values. */
static Matrix *awkward_matrix(void)
{
    static const double special[] = {1e-300, -0.0, NAN, INFINITY, -INFINITY, 0.1, 1.0 / 3,
                                     DBL_MAX, -DBL_MIN, 4.9406564584124654e-324, 1e300, 0.0};
    Matrix *m = mat_new(40, 5);
    uint64_t s = 0x9E3779B97F4A7C15u;
    for (size_t k = 0; k < 200; k++) {
        uint64_t u = xorshift(&s);
        memcpy(&m->data[k], &u, sizeof u);
        if (isnan(m->data[k]))
            m->data[k] = (double)(u >> 11) * 0x1p-20;
    }
    memcpy(m->data, special, sizeof special);
    return m;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

Test(csv, round_trip_is_exact)
{
    char path[128], err[256] = "";
    Matrix *m = awkward_matrix();
    tmp_path(path, sizeof path, "rt.csv");
    cr_assert_eq(dio_save_csv(path, m, NULL, 0, err, sizeof err), 0, "%s", err);
    Matrix *b = dio_load_csv(path, NULL, NULL, err, sizeof err);
    cr_assert(b, "%s", err);
    cr_assert(b->rows == 40 && b->cols == 5);
    for (size_t k = 0; k < 200; k++)
        cr_assert(same(m->data[k], b->data[k]), "element %zu: %.17g became %.17g", k,
                  m->data[k], b->data[k]);
    mat_unref(m);
    mat_unref(b);
    unlink(path);
}

Test(csv, header_round_trip)
{
    char path[128], err[256] = "", **h;
    char *names[] = {"x", "2020", " padded ", "", "\"q\"", "nan"};
    size_t nh;
    Matrix *m = mat_new(2, 6);
    for (size_t k = 0; k < 12; k++)
        m->data[k] = (double)k - 5.5;
    tmp_path(path, sizeof path, "hdr.csv");
    cr_assert_eq(dio_save_csv(path, m, names, 6, err, sizeof err), 0, "%s", err);
    Matrix *b = dio_load_csv(path, &h, &nh, err, sizeof err);
    cr_assert(b, "%s", err);
    cr_assert(b->rows == 2 && b->cols == 6 && nh == 6);
    for (size_t j = 0; j < 6; j++)
        cr_assert_str_eq(h[j], names[j]);
    for (size_t k = 0; k < 12; k++)
        cr_assert_eq(b->data[k], m->data[k]);
    dio_free_header(h, nh);
    mat_unref(m);
    mat_unref(b);
    unlink(path);
}

Test(csv, header_detected_and_trimmed)
{
    char **h;
    size_t nh;
    Matrix *m = load_csv_ok("a, b ,\"c d\"\n1, 2 ,3\n 4,5,\t6 \n", 2, 3, &h, &nh);
    cr_assert_eq(nh, 3);
    cr_assert_str_eq(h[0], "a");
    cr_assert_str_eq(h[1], "b");
    cr_assert_str_eq(h[2], "c d");
    cr_assert_eq(MAT_AT(m, 0, 1), 2);
    cr_assert_eq(MAT_AT(m, 1, 0), 4);
    cr_assert_eq(MAT_AT(m, 1, 2), 6);
    dio_free_header(h, nh);
    mat_unref(m);
}

Test(csv, no_header_and_no_trailing_newline)
{
    char **h;
    size_t nh;
    Matrix *m = load_csv_ok("1.5,-2e3\n3,4", 2, 2, &h, &nh);
    cr_assert_null(h);
    cr_assert_eq(nh, 0);
    cr_assert_eq(MAT_AT(m, 0, 1), -2000);
    cr_assert_eq(MAT_AT(m, 1, 1), 4);
    mat_unref(m);
}

Test(csv, header_only_gives_zero_rows)
{
    char **h;
    size_t nh;
    Matrix *m = load_csv_ok("a,b,c\n\n", 0, 3, &h, &nh);
    cr_assert_eq(nh, 3);
    dio_free_header(h, nh);
    mat_unref(m);
}

Test(csv, crlf_and_trailing_blank_lines)
{
    Matrix *m = load_csv_ok("x,y\r\n1,2\r\n3,4\r\n\r\n  \n\n", 2, 2, NULL, NULL);
    cr_assert_eq(MAT_AT(m, 0, 0), 1);
    cr_assert_eq(MAT_AT(m, 1, 1), 4);
    mat_unref(m);
}

/* A UTF-8 byte-order mark before numbers or a header is skipped. */
Test(csv, byte_order_mark_is_skipped)
{
    Matrix *m = load_csv_ok("\xEF\xBB\xBF" "1,2\n3,4\n", 2, 2, NULL, NULL);
    cr_assert_eq(MAT_AT(m, 0, 0), 1);
    cr_assert_eq(MAT_AT(m, 1, 1), 4);
    mat_unref(m);
    char **h;
    size_t nh;
    m = load_csv_ok("\xEF\xBB\xBF" "a,b\n5,6\n", 1, 2, &h, &nh);
    cr_assert_eq(nh, 2);
    cr_expect_str_eq(h[0], "a");
    dio_free_header(h, nh);
    mat_unref(m);
    m = load_csv_ok("\xEF\xBB\xBF", 0, 0, NULL, NULL);
    mat_unref(m);
}

Test(csv, nan_and_inf_words)
{
    Matrix *m = load_csv_ok("nan, NaN ,inf\n-inf,Inf,-0\n", 2, 3, NULL, NULL);
    cr_assert(isnan(MAT_AT(m, 0, 0)) && isnan(MAT_AT(m, 0, 1)));
    cr_assert(isinf(MAT_AT(m, 0, 2)) && MAT_AT(m, 0, 2) > 0);
    cr_assert(isinf(MAT_AT(m, 1, 0)) && MAT_AT(m, 1, 0) < 0);
    cr_assert(isinf(MAT_AT(m, 1, 1)) && MAT_AT(m, 1, 1) > 0);
    cr_assert(MAT_AT(m, 1, 2) == 0 && signbit(MAT_AT(m, 1, 2)));
    mat_unref(m);
}

Test(csv, empty_file_is_0x0)
{
    char **h;
    size_t nh;
    Matrix *m = load_csv_ok("", 0, 0, &h, &nh);
    cr_assert_null(h);
    mat_unref(m);
    m = load_csv_ok("\n\r\n  \n", 0, 0, &h, &nh);
    cr_assert_null(h);
    mat_unref(m);
}

Test(csv, ragged_rows_name_the_line)
{
    load_csv_bad("1,2,3\n4,5,6\n7,8\n", ":3: row has 2 fields, expected 3");
    load_csv_bad("a,b\n1,2,3\n", ":2: row has 3 fields, expected 2");
    load_csv_bad("1\n2,3\n", ":2: row has 2 fields, expected 1");
}

Test(csv, non_numeric_fields_name_line_and_field)
{
    load_csv_bad("1,2\n3,x4\n", ":2: field 2 is not a number: \"x4\"");
    load_csv_bad("1,2\n3,4\n5 6,7\n", ":3: field 1 is \"5 6\": the values look separated by spaces");
    load_csv_bad("1,abc\n", ":1: field 2 is not a number"); /* mixed first line is data */
    load_csv_bad("1,2\n3,\n", ":2: field 2 is empty");
    load_csv_bad("1,2\n\n3,4\n", ":2: blank line");
    load_csv_bad("\n1,2\n", ":1: blank line");
}

/* Numbers joined by another separator are not a header: the file was
 * written with ';', tabs, spaces or '|' instead of commas. */
Test(csv, other_separators_are_named)
{
    load_csv_bad("1;2;3\n", ":1: field 1 is \"1;2;3\": the values look separated by ';'");
    load_csv_bad("1;2\n3;4\n", ":1: field 1 is \"1;2\": the values look separated by ';'");
    load_csv_bad("1\t2\n3\t4\n", "separated by tabs");
    load_csv_bad("1.5 -2e3\n", "separated by spaces");
    load_csv_bad("1|2\n", "separated by '|'");
    load_csv_bad("x,y\n1;2,3\n", ":2: field 1 is \"1;2\": the values look separated by ';'");
}

Test(csv, binary_file_is_rejected)
{
    char path[128], err[256] = "";
    write_bytes(tmp_path(path, sizeof path, "nul.csv"), "1,2\0,3\n", 7);
    cr_assert_null(dio_load_csv(path, NULL, NULL, err, sizeof err));
    expect_err(err, "not a text file (NUL byte at offset 3)");
    unlink(path);
}

Test(csv, save_errors)
{
    char path[128], err[256] = "";
    char *names[] = {"a", "b,c"};
    Matrix *m = mat_new(1, 2);
    tmp_path(path, sizeof path, "save.csv");
    cr_assert_eq(dio_save_csv(path, m, names, 1, err, sizeof err), -1);
    expect_err(err, "header has 1 name but the matrix has 2 columns");
    cr_assert_eq(dio_save_csv(path, m, names, 2, err, sizeof err), -1);
    expect_err(err, "header name 2 contains a comma");
    cr_assert_eq(dio_save_csv("/nonexistent-dir/x.csv", m, NULL, 0, err, sizeof err), -1);
    expect_err(err, "/nonexistent-dir/x.csv: No such file or directory");
    mat_unref(m);
}

Test(csv, write_error_on_full_device)
{
    char err[256] = "";
    struct stat st;
    if (stat("/dev/full", &st) != 0)
        cr_skip_test("no /dev/full");
    Matrix *m = mat_new(3, 3);
    cr_assert_eq(dio_save_csv("/dev/full", m, NULL, 0, err, sizeof err), -1);
    expect_err(err, "/dev/full: write error: No space left on device");
    cr_assert_eq(dio_save_npy("/dev/full", m, err, sizeof err), -1);
    expect_err(err, "/dev/full: write error");
    mat_unref(m);
}

/* ------------------------------------------------------------------ */
/* .npy                                                                */

Test(npy, save_then_load_is_exact_and_well_formed)
{
    char path[128], err[256] = "";
    unsigned char head[128];
    Matrix *m = awkward_matrix();
    tmp_path(path, sizeof path, "rt.npy");
    cr_assert_eq(dio_save_npy(path, m, err, sizeof err), 0, "%s", err);
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    cr_assert_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    cr_assert(memcmp(head, "\x93NUMPY\x01\x00", 8) == 0);
    size_t data_at = 10 + (head[8] | (size_t)head[9] << 8);
    cr_assert_eq(data_at % 64, 0);
    const char *dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (40, 5), }";
    cr_assert(memcmp(head + 10, dict, strlen(dict)) == 0);
    cr_assert_eq(head[data_at - 1], '\n');
    cr_assert_eq(head[data_at - 2], ' ');
    Matrix *b = load_npy_ok(path, 40, 5);
    for (size_t k = 0; k < 200; k++)
        cr_assert(same(m->data[k], b->data[k]), "element %zu", k);
    mat_unref(m);
    mat_unref(b);
    unlink(path);
}

Test(npy, float_dtypes)
{
    char path[128];
    unsigned char d[64];
    const double want[] = {1.5, -0.0, INFINITY, 4.9406564584124654e-324};
    tmp_path(path, sizeof path, "f.npy");
    for (int k = 0; k < 4; k++)
        put_le(d + 8 * k, bits_of(want[k]), 8);
    write_npy1(path, "<f8", false, "(4,)", d, 32);
    Matrix *m = load_npy_ok(path, 4, 1);
    for (int k = 0; k < 4; k++)
        cr_assert(same(m->data[k], want[k]));
    mat_unref(m);
    const float wf[] = {0.1f, -3.0f, -INFINITY, 1e-45f};
    for (int k = 0; k < 4; k++)
        put_le(d + 4 * k, bits_of_float(wf[k]), 4);
    write_npy1(path, "<f4", false, "(4,)", d, 16);
    m = load_npy_ok(path, 4, 1);
    for (int k = 0; k < 4; k++)
        cr_assert(same(m->data[k], (double)wf[k]));
    mat_unref(m);
    unlink(path);
}

Test(npy, float16_and_big_endian)
{
    char path[128];
    unsigned char d[64];
    const unsigned half[] = {0x3C00, 0xC000, 0x7C00, 0x0001, 0x8000, 0x7BFF};
    const double want[] = {1.0, -2.0, INFINITY, 0x1p-24, -0.0, 65504.0};
    tmp_path(path, sizeof path, "h.npy");
    for (int k = 0; k < 6; k++)
        put_le(d + 2 * k, half[k], 2);
    write_npy1(path, "<f2", false, "(6,)", d, 12);
    Matrix *m = load_npy_ok(path, 6, 1);
    for (int k = 0; k < 6; k++)
        cr_assert(same(m->data[k], want[k]), "half %d: %g", k, m->data[k]);
    mat_unref(m);
    put_be(d, bits_of(-1.25), 8);
    put_be(d + 8, (uint64_t)-7, 4);
    write_npy1(path, ">f8", false, "(1,)", d, 8);
    m = load_npy_ok(path, 1, 1);
    cr_assert_eq(m->data[0], -1.25);
    mat_unref(m);
    write_npy1(path, ">i4", false, "(1,)", d + 8, 4);
    m = load_npy_ok(path, 1, 1);
    cr_assert_eq(m->data[0], -7);
    mat_unref(m);
    unlink(path);
}

Test(npy, integer_dtypes)
{
    static const struct { const char *descr; int size; int64_t v[3]; } cases[] = {
        {"<i8", 8, {INT64_MIN, -1, 1LL << 53}},
        {"<i4", 4, {INT32_MIN, -5, INT32_MAX}},
        {"<i2", 2, {INT16_MIN, -300, INT16_MAX}},
        {"|i1", 1, {-128, -1, 127}},
        {"|u1", 1, {0, 200, 255}},
        {"<u2", 2, {0, 40000, 65535}},
        {"<u4", 4, {0, 3000000000LL, 4294967295LL}},
    };
    char path[128];
    unsigned char d[24];
    tmp_path(path, sizeof path, "i.npy");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int k = 0; k < 3; k++)
            put_le(d + k * cases[c].size, (uint64_t)cases[c].v[k], cases[c].size);
        write_npy1(path, cases[c].descr, false, "(3,)", d, 3 * (size_t)cases[c].size);
        Matrix *m = load_npy_ok(path, 3, 1);
        for (int k = 0; k < 3; k++)
            cr_assert_eq(m->data[k], (double)cases[c].v[k], "%s element %d: %.17g",
                         cases[c].descr, k, m->data[k]);
        mat_unref(m);
    }
    put_le(d, UINT64_MAX, 8);
    write_npy1(path, "<u8", false, "(1,)", d, 8);
    Matrix *m = load_npy_ok(path, 1, 1);
    cr_assert_eq(m->data[0], 18446744073709551616.0);
    mat_unref(m);
    unlink(path);
}

Test(npy, bool_gives_logical_01)
{
    char path[128];
    const unsigned char d[] = {0, 1, 2, 0};
    write_npy1(tmp_path(path, sizeof path, "b.npy"), "|b1", false, "(2, 2)", d, 4);
    Matrix *m = load_npy_ok(path, 2, 2);
    cr_assert(m->logical);
    cr_assert(MAT_AT(m, 0, 0) == 0 && MAT_AT(m, 0, 1) == 1);
    cr_assert(MAT_AT(m, 1, 0) == 1 && MAT_AT(m, 1, 1) == 0);
    mat_unref(m);
    unlink(path);
}

Test(npy, c_and_fortran_order)
{
    char path[128];
    unsigned char d[48];
    for (int k = 0; k < 6; k++)
        put_le(d + 8 * k, bits_of(k + 1), 8);
    tmp_path(path, sizeof path, "o.npy");
    write_npy1(path, "<f8", false, "(2, 3)", d, 48);
    Matrix *m = load_npy_ok(path, 2, 3);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++)
            cr_assert_eq(MAT_AT(m, i, j), (double)(i * 3 + j + 1), "C order (%zu,%zu)", i, j);
    mat_unref(m);
    write_npy1(path, "<f8", true, "(2, 3)", d, 48);
    m = load_npy_ok(path, 2, 3);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++)
            cr_assert_eq(MAT_AT(m, i, j), (double)(j * 2 + i + 1), "F order (%zu,%zu)", i, j);
    mat_unref(m);
    unlink(path);
}

Test(npy, scalar_vector_and_empty_shapes)
{
    char path[128];
    unsigned char d[8];
    put_le(d, bits_of(42.0), 8);
    tmp_path(path, sizeof path, "s.npy");
    write_npy1(path, "<f8", false, "()", d, 8);
    Matrix *m = load_npy_ok(path, 1, 1);
    cr_assert_eq(m->data[0], 42.0);
    mat_unref(m);
    write_npy1(path, "<f8", false, "(0,)", d, 0);
    mat_unref(load_npy_ok(path, 0, 1));
    write_npy1(path, "<i4", true, "(0, 7)", d, 0);
    mat_unref(load_npy_ok(path, 0, 7));
    write_npy(path, 1, "{\"shape\": (1L,), \"fortran_order\": False, \"descr\": \"<f8\"}", d, 8);
    mat_unref(load_npy_ok(path, 1, 1));
    unlink(path);
}

Test(npy, versions_2_and_3)
{
    char path[128];
    unsigned char d[16];
    put_le(d, bits_of(3.5), 8);
    put_le(d + 8, bits_of(-1.0), 8);
    tmp_path(path, sizeof path, "v.npy");
    for (int major = 2; major <= 3; major++) {
        write_npy(path, major, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }",
                  d, 16);
        Matrix *m = load_npy_ok(path, 1, 2);
        cr_assert(MAT_AT(m, 0, 0) == 3.5 && MAT_AT(m, 0, 1) == -1.0);
        mat_unref(m);
    }
    write_npy(path, 4, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", d, 16);
    load_npy_bad(path, "unsupported .npy format version 4.0");
    unlink(path);
}

Test(npy, truncated_data_and_header)
{
    char path[128], want[200];
    unsigned char d[40] = {0};
    tmp_path(path, sizeof path, "t.npy");
    write_npy1(path, "<f8", false, "(3, 4)", d, 40);
    snprintf(want, sizeof want, "%s: truncated: header says 3x4 float64 (96 bytes) but only 40 follow", path);
    char err[256] = "";
    cr_assert_null(dio_load_npy(path, err, sizeof err));
    cr_assert_str_eq(err, want);
    write_bytes(path, "\x93NUMPY\x01\x00\x76\x00{'descr'", 17);
    load_npy_bad(path, "truncated: file ends inside the header");
    write_bytes(path, "\x93NUMPY\x01", 7);
    load_npy_bad(path, "truncated");
    unlink(path);
}

Test(npy, wrong_magic)
{
    char path[128];
    tmp_path(path, sizeof path, "m.npy");
    write_text(path, "hello, this is not numpy at all");
    load_npy_bad(path, "not a .npy file");
    write_text(path, "PK\x03\x04 zip archive");
    load_npy_bad(path, ".npz");
    write_text(path, "");
    load_npy_bad(path, "not a .npy file");
    unlink(path);
}

Test(npy, unsupported_dtypes)
{
    char path[128];
    unsigned char d[64] = {0};
    const char *bad[] = {"<c16", "|O", "<U3", "|S4", "<f16", "<M8[ns]", "<i3", "f8x"};
    tmp_path(path, sizeof path, "u.npy");
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        write_npy1(path, bad[k], false, "(1,)", d, 32);
        load_npy_bad(path, "unsupported dtype");
    }
    write_npy(path, 1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
              d, 8);
    load_npy_bad(path, "structured dtypes are not supported");
    unlink(path);
}

Test(npy, more_than_two_dimensions)
{
    char path[128];
    unsigned char d[64] = {0};
    write_npy1(tmp_path(path, sizeof path, "3d.npy"), "<f8", false, "(2, 2, 2)", d, 64);
    load_npy_bad(path, "array has 3 dimensions; at most 2 are supported");
    unlink(path);
}

Test(npy, absurd_shapes)
{
    char path[128];
    unsigned char d[8] = {0};
    tmp_path(path, sizeof path, "big.npy");
    write_npy1(path, "<f8", false, "(1000000, 1000000)", d, 8);
    load_npy_bad(path, "shape 1000000x1000000 is too large");
    write_npy1(path, "<f8", false, "(99999999999999999999999,)", d, 8);
    load_npy_bad(path, "dimension too large");
    write_npy1(path, "<f8", false, "(100000000,)", d, 8); /* fits, but file too short */
    load_npy_bad(path, "truncated: header says 100000000 float64 (800000000 bytes) but only 8");
    unlink(path);
}

Test(npy, malformed_headers)
{
    char path[128];
    unsigned char d[8] = {0};
    tmp_path(path, sizeof path, "mh.npy");
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': False, }", d, 8);
    load_npy_bad(path, "'shape' is missing");
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }", d, 8);
    load_npy_bad(path, "expected True or False");
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", d, 8);
    load_npy_bad(path, "expected a non-negative integer");
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", d, 8);
    load_npy_bad(path, "unknown key 'x'");
    write_npy(path, 1, "['descr', '<f8']", d, 8);
    load_npy_bad(path, "malformed header");
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } x", d, 8);
    load_npy_bad(path, "expected the end of the header");
    unlink(path);
}

/* ------------------------------------------------------------------ */
/* IDX                                                                 */

/* Builds an IDX file image: type code, dims, then payload; returns its size. */
static size_t idx_image(unsigned char *buf, unsigned code, const uint32_t *dims,
                        unsigned ndim, const void *payload, size_t n)
{
    buf[0] = buf[1] = 0;
    buf[2] = (unsigned char)code;
    buf[3] = (unsigned char)ndim;
    for (unsigned k = 0; k < ndim; k++)
        put_be(buf + 4 + 4 * k, dims[k], 4);
    memcpy(buf + 4 + 4 * ndim, payload, n);
    return 4 + 4 * ndim + n;
}

static Matrix *load_idx_ok(const char *path, size_t limit, size_t rows, size_t cols)
{
    char err[256] = "";
    Matrix *m = (Matrix *)1;
    cr_assert_eq(dio_load_idx(path, limit, &m, err, sizeof err), 0, "%s", err);
    cr_assert(m->rows == rows && m->cols == cols, "got %zux%zu, expected %zux%zu", m->rows,
              m->cols, rows, cols);
    return m;
}

static void load_idx_bad(const char *path, const char *want)
{
    char err[256] = "";
    Matrix *m = (Matrix *)1;
    cr_assert_eq(dio_load_idx(path, 0, &m, err, sizeof err), -1);
    cr_assert_null(m);
    expect_err(err, path);
    expect_err(err, want);
}

Test(idx, labels_plain_and_gzipped)
{
    char path[128];
    unsigned char buf[64];
    const unsigned char labels[] = {5, 0, 4, 1, 9, 255};
    const uint32_t dims[] = {6};
    size_t n = idx_image(buf, 0x08, dims, 1, labels, 6);
    tmp_path(path, sizeof path, "labels");
    for (int gz = 0; gz < 2; gz++) {
        if (gz)
            write_gz(path, buf, n);
        else
            write_bytes(path, buf, n);
        Matrix *m = load_idx_ok(path, 0, 6, 1);
        for (int k = 0; k < 6; k++)
            cr_assert_eq(m->data[k], labels[k], "gz %d label %d", gz, k);
        mat_unref(m);
    }
    unlink(path);
}

Test(idx, images_are_rows_scaled_to_unit)
{
    char path[128];
    unsigned char buf[64], px[18];
    const uint32_t dims[] = {3, 2, 3};
    for (int k = 0; k < 18; k++)
        px[k] = (unsigned char)(k * 15);
    size_t n = idx_image(buf, 0x08, dims, 3, px, 18);
    tmp_path(path, sizeof path, "images.gz");
    for (int gz = 0; gz < 2; gz++) {
        if (gz)
            write_gz(path, buf, n);
        else
            write_bytes(path, buf, n);
        Matrix *m = load_idx_ok(path, 0, 3, 6);
        for (size_t i = 0; i < 3; i++)
            for (size_t p = 0; p < 6; p++)
                cr_assert_eq(MAT_AT(m, i, p), px[i * 6 + p] / 255.0, "image %zu pixel %zu", i, p);
        cr_assert_eq(MAT_AT(m, 2, 5), 1.0);
        mat_unref(m);
    }
    unlink(path);
}

Test(idx, limit_reads_first_items)
{
    char path[128];
    unsigned char buf[64], px[18];
    const uint32_t dims[] = {3, 2, 3};
    for (int k = 0; k < 18; k++)
        px[k] = (unsigned char)k;
    tmp_path(path, sizeof path, "limit.gz");
    write_gz(path, buf, idx_image(buf, 0x08, dims, 3, px, 18));
    Matrix *m = load_idx_ok(path, 2, 2, 6);
    cr_assert_eq(MAT_AT(m, 1, 0), 6 / 255.0);
    mat_unref(m);
    mat_unref(load_idx_ok(path, 100, 3, 6));
    unlink(path);
}

Test(idx, other_element_types_unscaled)
{
    char path[128];
    unsigned char buf[64], d[16];
    const uint32_t dims[] = {2, 1};
    tmp_path(path, sizeof path, "types");
    put_be(d, (uint16_t)-300, 2);
    put_be(d + 2, 7, 2);
    write_bytes(path, buf, idx_image(buf, 0x0B, dims, 2, d, 4));
    Matrix *m = load_idx_ok(path, 0, 2, 1);
    cr_assert(m->data[0] == -300 && m->data[1] == 7);
    mat_unref(m);
    put_be(d, bits_of_float(0.5f), 4);
    put_be(d + 4, (uint32_t)-2, 4);
    write_bytes(path, buf, idx_image(buf, 0x0D, dims, 2, d, 8));
    m = load_idx_ok(path, 0, 2, 1);
    cr_assert(m->data[0] == 0.5);
    mat_unref(m);
    write_bytes(path, buf, idx_image(buf, 0x0C, dims, 2, d + 4, 4));
    m = load_idx_ok(path, 1, 1, 1);
    cr_assert(m->data[0] == -2);
    mat_unref(m);
    put_be(d, bits_of(-0.1), 8);
    put_be(d + 8, bits_of(2.5), 8);
    write_bytes(path, buf, idx_image(buf, 0x0E, dims, 2, d, 16));
    m = load_idx_ok(path, 0, 2, 1);
    cr_assert(m->data[0] == -0.1 && m->data[1] == 2.5);
    mat_unref(m);
    unlink(path);
}

Test(idx, truncated_files)
{
    char path[128];
    unsigned char buf[128], px[50] = {0};
    const uint32_t dims[] = {10, 2, 3};
    tmp_path(path, sizeof path, "trunc.gz");
    size_t n = idx_image(buf, 0x08, dims, 3, px, 50);
    write_bytes(path, buf, n);
    load_idx_bad(path, "truncated: header says 10 items of 2x3 uint8 (60 bytes) but only 50 follow");
    write_gz(path, buf, n);
    load_idx_bad(path, "truncated: header says 10 items of 2x3 uint8 (60 bytes) but only 50 follow");
    write_bytes(path, buf, 9);
    load_idx_bad(path, "truncated: file ends inside the IDX header");
    write_bytes(path, buf, 0);
    load_idx_bad(path, "truncated");
    /* a gzip stream cut in half */
    static unsigned char big[4096 + 16], noise[4096];
    const uint32_t bd[] = {4096};
    for (int k = 0; k < 4096; k++)
        noise[k] = (unsigned char)(k * 7919 >> 3);
    write_gz(path, big, idx_image(big, 0x08, bd, 1, noise, 4096));
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size / 2), 0);
    load_idx_bad(path, "truncated");
    /* a corrupt deflate stream: zlib's message, without its "<fd:N>" prefix */
    write_bytes(path, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-not-deflate", 28);
    char err[256] = "";
    Matrix *m = (Matrix *)1;
    cr_assert_eq(dio_load_idx(path, 0, &m, err, sizeof err), -1);
    expect_err(err, "gzip error: ");
    cr_expect(strstr(err, "<fd:") == NULL, "zlib's stream name leaked: %s", err);
    unlink(path);
}

Test(idx, bad_magic_type_and_dims)
{
    char path[128];
    unsigned char buf[64] = {0}, px[8] = {0};
    const uint32_t dims[] = {1, 1, 1, 1};
    tmp_path(path, sizeof path, "magic");
    write_gz(path, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8); /* gzipped twice */
    load_idx_bad(path, "not an IDX file (magic 0x1f8b0800)");
    write_bytes(path, buf, idx_image(buf, 0x0A, dims, 1, px, 1));
    load_idx_bad(path, "unknown IDX element type 0x0a");
    write_bytes(path, buf, idx_image(buf, 0x08, dims, 4, px, 1));
    load_idx_bad(path, "IDX file has 4 dimensions");
    write_bytes(path, buf, idx_image(buf, 0x08, dims, 0, px, 1));
    load_idx_bad(path, "IDX file has 0 dimensions");
    const uint32_t huge[] = {65536, 65536, 65536};
    write_bytes(path, buf, idx_image(buf, 0x08, huge, 3, px, 1));
    load_idx_bad(path, "too large");
    unlink(path);
}

/* ------------------------------------------------------------------ */
/* Files that cannot be read                                           */

Test(files, missing_file_and_directory)
{
    char err[256] = "";
    Matrix *m = (Matrix *)1;
    cr_assert_null(dio_load_csv("/nonexistent/missing.csv", NULL, NULL, err, sizeof err));
    cr_assert_str_eq(err, "/nonexistent/missing.csv: No such file or directory");
    cr_assert_null(dio_load_npy("/nonexistent/x.npy", err, sizeof err));
    cr_assert_str_eq(err, "/nonexistent/x.npy: No such file or directory");
    cr_assert_eq(dio_load_idx("/nonexistent/x.idx", 0, &m, err, sizeof err), -1);
    cr_assert_str_eq(err, "/nonexistent/x.idx: No such file or directory");
    cr_assert_null(m);
    cr_assert_null(dio_load_csv("/tmp", NULL, NULL, err, sizeof err));
    cr_assert_str_eq(err, "/tmp: Is a directory");
    cr_assert_null(dio_load_npy("/tmp", err, sizeof err));
    cr_assert_str_eq(err, "/tmp: Is a directory");
    cr_assert_eq(dio_load_idx("/tmp", 0, &m, err, sizeof err), -1);
    cr_assert_str_eq(err, "/tmp: Is a directory");
    m = mat_new(1, 1);
    cr_assert_eq(dio_save_npy("/tmp", m, err, sizeof err), -1);
    cr_assert_str_eq(err, "/tmp: Is a directory");
    mat_unref(m);
}

Test(files, tiny_error_buffers_are_safe)
{
    char err[8];
    memset(err, 'x', sizeof err);
    cr_assert_null(dio_load_npy("/nonexistent/a-rather-long-name.npy", err, sizeof err));
    cr_assert_eq(strlen(err), 7);
    cr_assert_null(dio_load_npy("/nonexistent/x.npy", NULL, 0));
    cr_assert_null(dio_load_npy("/nonexistent/x.npy", err, 0));
}

/* ------------------------------------------------------------------ */
/* Audit issue 10: what the numbers may be (R14), which files are read,  */
/* how much text                                                       */

static const DioLoadOpts refuse_nan = {DIO_NAN_ERROR, 0}, allow_nan = {DIO_NAN_ALLOW, 0};

/* CSV text loaded with opts, expected to fail with an error containing
 * path and want. */
static void csv_opts_bad(const char *text, const DioLoadOpts *opts, const char *want)
{
    char path[128], err[512] = "", **h = (char **)1;
    size_t nh = 99;
    write_text(tmp_path(path, sizeof path, "opts_bad.csv"), text);
    Matrix *m = dio_load_csv_opts(path, opts, &h, &nh, err, sizeof err);
    cr_assert_null(m, "CSV \"%s\" should fail", text);
    cr_assert_null(h);
    cr_assert_eq(nh, 0);
    expect_err(err, path);
    expect_err(err, want);
    unlink(path);
}

/* CSV text of one cell loaded with opts, expected to give the value want
 * (bitwise, any NaN matching any NaN of the same sign). */
static void csv_opts_cell(const char *text, const DioLoadOpts *opts, double want)
{
    char path[128], err[512] = "";
    write_text(tmp_path(path, sizeof path, "opts_ok.csv"), text);
    Matrix *m = dio_load_csv_opts(path, opts, NULL, NULL, err, sizeof err);
    cr_assert(m, "CSV \"%s\" failed: %s", text, err);
    cr_assert(m->rows == 1 && m->cols == 1, "CSV \"%s\" gave %zux%zu", text, m->rows, m->cols);
    cr_assert(same(m->data[0], want) && !signbit(m->data[0]) == !signbit(want),
              "CSV \"%s\" gave %.17g, expected %.17g", text, m->data[0], want);
    mat_unref(m);
    unlink(path);
}

/* numpy's words for NaN and the infinities: refused by default, naming
 * line and field, read under nan = "allow"; NULL options are the default. */
Test(csv_policy, nonfinite_words_need_allow)
{
    static const struct { const char *text; double value; const char *kind; } words[] = {
        {"nan", NAN, "NaN"},          {"NaN", NAN, "NaN"},          {"NAN", NAN, "NaN"},
        {"-nan", -NAN, "NaN"},        {"+nan", NAN, "NaN"},         {"inf", INFINITY, "infinite"},
        {"-inf", -INFINITY, "infinite"}, {"+Inf", INFINITY, "infinite"},
        {"INFINITY", INFINITY, "infinite"}, {"-infinity", -INFINITY, "infinite"},
    };
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        char text[64], want[160];
        snprintf(text, sizeof text, "x,y\n1,2\n3, %s \n", words[k].text);
        snprintf(want, sizeof want, ":3: field 2 is %s: \"%s\" (NaN and infinities are "
                 "refused unless nan = \"allow\")", words[k].kind, words[k].text);
        csv_opts_bad(text, &refuse_nan, want);
        csv_opts_bad(text, NULL, want);
        snprintf(text, sizeof text, "%s\n", words[k].text);
        csv_opts_cell(text, &allow_nan, words[k].value);
    }
}

/* The finding: "0x10" read as 16. Refused whatever nan says. */
Test(csv_policy, hexadecimal_is_refused)
{
    static const char *const hex[] = {"0x10", "-0X1p3", "0x1.8p1", "+0xff"};
    for (size_t k = 0; k < sizeof hex / sizeof hex[0]; k++) {
        char text[64], want[160];
        snprintf(text, sizeof text, "1,2\n3,%s\n", hex[k]);
        snprintf(want, sizeof want, ":2: field 2 is a hexadecimal number: \"%s\" (only "
                 "decimal numbers are read)", hex[k]);
        csv_opts_bad(text, &refuse_nan, want);
        csv_opts_bad(text, &allow_nan, want);
    }
    csv_opts_bad("1,0x\n", &allow_nan, ":1: field 2 is not a number: \"0x\"");
    /* the first line is data, not a header, when a field is hexadecimal */
    csv_opts_bad("0x10,a\n", &allow_nan, ":1: field 1 is a hexadecimal number");
}

/* "1e999" read as inf: refused whatever nan says, on both sides of the
 * largest double. */
Test(csv_policy, overflow_is_refused)
{
    static const char *const big[] = {"1e999", "-1e999", "1.7976931348623159e308",
                                      "1e400000000000000000000"};
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++) {
        char text[64], want[200];
        snprintf(text, sizeof text, "%s\n", big[k]);
        snprintf(want, sizeof want, ":1: field 1 is out of range: \"%s\" (larger in magnitude "
                 "than 1.8e308, the largest double)", big[k]);
        csv_opts_bad(text, &refuse_nan, want);
        csv_opts_bad(text, &allow_nan, want);
    }
    csv_opts_cell("1.7976931348623157e308\n", NULL, DBL_MAX);
    csv_opts_cell("-1.7976931348623157e308\n", NULL, -DBL_MAX);
}

/* Gradual underflow (a subnormal) is accepted; a nonzero number that
 * would read as 0 is refused; an exact zero with a huge exponent is 0. */
Test(csv_policy, underflow_to_zero_is_refused_subnormals_kept)
{
    csv_opts_cell("1e-310\n", NULL, 1e-310);
    csv_opts_cell("4.9406564584124654e-324\n", NULL, 4.9406564584124654e-324);
    csv_opts_cell("3e-324\n", NULL, 4.9406564584124654e-324);
    csv_opts_cell("-2.2250738585072011e-308\n", NULL, -2.2250738585072009e-308);
    csv_opts_cell("0e-999\n", NULL, 0.0);
    csv_opts_cell("-0.000e-400\n", NULL, -0.0);
    static const char *const tiny[] = {"1e-400", "-2e-324", "2.4e-324"};
    for (size_t k = 0; k < sizeof tiny / sizeof tiny[0]; k++) {
        char text[64], want[200];
        snprintf(text, sizeof text, "7,%s\n", tiny[k]);
        snprintf(want, sizeof want, ":1: field 2 is out of range: \"%s\" (nonzero but smaller "
                 "in magnitude than 4.9e-324, the smallest double above 0)", tiny[k]);
        csv_opts_bad(text, &refuse_nan, want);
        csv_opts_bad(text, &allow_nan, want);
    }
}

/* The decimal forms that are numbers, and strtod's extras that are not. */
Test(csv_policy, decimal_forms)
{
    csv_opts_cell(".5\n", NULL, 0.5);
    csv_opts_cell("5.\n", NULL, 5.0);
    csv_opts_cell("+1E+05\n", NULL, 1e5);
    csv_opts_cell("-0\n", NULL, -0.0);
    static const char *const no[] = {"1e", "e5", ".", "+", "1.2.3", "nan(1)", "infin",
                                     "1e+", "--1", "1_000"};
    for (size_t k = 0; k < sizeof no / sizeof no[0]; k++) {
        char text[64], want[100];
        snprintf(text, sizeof text, "1,%s\n", no[k]);
        snprintf(want, sizeof want, ":1: field 2 is not a number: \"%s\"", no[k]);
        csv_opts_bad(text, &allow_nan, want);
    }
}

/* A first line of NaN words is data (refused), not a header. */
Test(csv_policy, nan_line_is_not_a_header)
{
    csv_opts_bad("nan,inf\n1,2\n", NULL, ":1: field 1 is NaN: \"nan\"");
}

/* What save writes for NaN (glibc prints a NaN with its sign bit set,
 * as 0/0 gives on x86, as "-nan") reads back under nan = "allow", sign
 * included, and is refused by default. */
Test(csv_policy, saved_nan_round_trips_with_allow)
{
    char path[128], err[512] = "";
    Matrix *m = mat_new(1, 3);
    m->data[0] = copysign(NAN, -1.0);
    m->data[1] = NAN;
    m->data[2] = -INFINITY;
    tmp_path(path, sizeof path, "nan_rt.csv");
    cr_assert_eq(dio_save_csv(path, m, NULL, 0, err, sizeof err), 0, "%s", err);
    Matrix *b = dio_load_csv_opts(path, &allow_nan, NULL, NULL, err, sizeof err);
    cr_assert(b, "%s", err);
    cr_assert(isnan(b->data[0]) && signbit(b->data[0]));
    cr_assert(isnan(b->data[1]) && !signbit(b->data[1]));
    cr_assert(b->data[2] == -INFINITY);
    mat_unref(b);
    cr_assert_null(dio_load_csv_opts(path, NULL, NULL, NULL, err, sizeof err));
    expect_err(err, ":1: field 1 is NaN: \"-nan\"");
    mat_unref(m);
    unlink(path);
}

/* The cap on CSV text, on both sides: exactly max_text bytes load, one
 * more does not, whether the size is known before reading or not. */
Test(csv_policy, text_cap_both_sides)
{
    char path[128], err[512] = "", text[1100];
    DioLoadOpts o = {DIO_NAN_ERROR, 1000};
    tmp_path(path, sizeof path, "cap.csv");
    for (int extra = -1; extra <= 1; extra++) {
        size_t n = (size_t)(1000 + extra);
        /* lines of "1\n", the last line without its newline when n is odd */
        for (size_t k = 0; k < n; k++)
            text[k] = k % 2 ? '\n' : '1';
        text[n] = '\0';
        write_text(path, text);
        Matrix *m = dio_load_csv_opts(path, &o, NULL, NULL, err, sizeof err);
        if (extra <= 0) {
            cr_assert(m, "%zu bytes: %s", n, err);
            mat_unref(m);
        } else {
            cr_assert_null(m);
            char want[200];
            snprintf(want, sizeof want, "%s: more than 1000 bytes of text, the limit for a "
                     "CSV file", path);
            cr_assert_str_eq(err, want);
        }
    }
    o.max_text = 1024;
    memset(text, '1', 1025);
    text[1025] = '\0';
    write_text(path, text);
    cr_assert_null(dio_load_csv_opts(path, &o, NULL, NULL, err, sizeof err));
    expect_err(err, "more than 1 KiB of text");
    unlink(path);
}

/* The default cap, 32 bytes for each element a matrix may hold, is
 * checked on a regular file's size before anything is read: a sparse
 * file just over it fails at once. */
Test(csv_policy, default_cap_on_a_sparse_file)
{
    char path[128], err[512] = "", want[300];
    cr_assert_eq(dio_max_text(), 32 * (size_t)MAT_MAX_ELEMS);
    tmp_path(path, sizeof path, "sparse.csv");
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    int rc = ftruncate(fileno(f), (off_t)dio_max_text() + 1);
    fclose(f);
    if (rc != 0) {
        unlink(path);
        cr_skip_test("no sparse file of %zu bytes here", dio_max_text() + 1);
    }
    cr_assert_null(dio_load_csv_opts(path, NULL, NULL, NULL, err, sizeof err));
    snprintf(want, sizeof want, "%s: more than 64 GiB of text, the limit for a CSV file (32 "
             "bytes for each of the %zu elements a matrix may hold)", path,
             (size_t)MAT_MAX_ELEMS);
    cr_assert_str_eq(err, want);
    unlink(path);
}

/* ---- named pipes: read when named, capped, NUL streams stopped ---- */

/* Makes a FIFO at path and starts a child that writes text into it
 * (repeat times; forever when repeat is 0), then exits. */
static pid_t fifo_writer(const char *path, const char *text, size_t len, int repeat)
{
    unlink(path);
    cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo %s", path);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        FILE *f = fopen(path, "wb");
        if (!f)
            _exit(2);
        for (int k = 0; repeat == 0 || k < repeat; k++)
            if (fwrite(text, 1, len, f) != len)
                _exit(0); /* the reader stopped */
        fclose(f);
        _exit(0);
    }
    return pid;
}

static void reap(pid_t pid)
{
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
}

Test(files, named_pipe_is_read)
{
    char path[128], err[512] = "";
    tmp_path(path, sizeof path, "fifo.csv");
    pid_t pid = fifo_writer(path, "1,2\n3,4\n", 8, 1);
    Matrix *m = dio_load_csv_opts(path, NULL, NULL, NULL, err, sizeof err);
    reap(pid);
    cr_assert(m, "%s", err);
    cr_assert(m->rows == 2 && m->cols == 2 && MAT_AT(m, 1, 0) == 3);
    mat_unref(m);
    unlink(path);
}

/* A pipe that never ends (yes 1, | ...) stops at the cap. */
Test(files, endless_pipe_stops_at_the_cap)
{
    char path[128], err[512] = "";
    DioLoadOpts o = {DIO_NAN_ERROR, 64 * 1024};
    tmp_path(path, sizeof path, "endless.csv");
    pid_t pid = fifo_writer(path, "1,2\n", 4, 0);
    cr_assert_null(dio_load_csv_opts(path, &o, NULL, NULL, err, sizeof err));
    reap(pid);
    char want[200];
    snprintf(want, sizeof want, "%s: more than 64 KiB of text, the limit for a CSV file", path);
    cr_assert_str_eq(err, want);
    unlink(path);
}

/* /dev/zero through a pipe: refused at the first chunk, not after the
 * whole stream (the default cap would be 64 GiB). */
Test(files, endless_nul_pipe_stops_at_once)
{
    char path[128], err[512] = "";
    static const char zeros[4096];
    tmp_path(path, sizeof path, "zeros.csv");
    pid_t pid = fifo_writer(path, zeros, sizeof zeros, 0);
    cr_assert_null(dio_load_csv_opts(path, NULL, NULL, NULL, err, sizeof err));
    reap(pid);
    expect_err(err, "not a text file (NUL byte at offset 0)");
    unlink(path);
}

/* Devices are refused before they are opened, by every loader, also
 * through a symlink whose name has the right extension (how the audit's
 * load of /dev/zero got past the extension check). */
Test(files, devices_are_refused)
{
    char err[512] = "", link[128], want[200];
    Matrix *m = (Matrix *)1;
    static const char *const dev[] = {"/dev/zero", "/dev/null", "/dev/urandom"};
    for (size_t k = 0; k < sizeof dev / sizeof dev[0]; k++) {
        struct stat st;
        if (stat(dev[k], &st) != 0)
            continue;
        snprintf(want, sizeof want, "%s: is a character device, not a regular file or a "
                 "named pipe", dev[k]);
        cr_assert_null(dio_load_csv_opts(dev[k], NULL, NULL, NULL, err, sizeof err));
        cr_assert_str_eq(err, want);
        cr_assert_null(dio_load_npy_opts(dev[k], NULL, err, sizeof err));
        cr_assert_str_eq(err, want);
        cr_assert_eq(dio_load_idx_opts(dev[k], 0, NULL, &m, err, sizeof err), -1);
        cr_assert_str_eq(err, want);
        cr_assert_null(m);
        cr_assert_null(dio_load_csv(dev[k], NULL, NULL, err, sizeof err));
        cr_assert_str_eq(err, want);
    }
    tmp_path(link, sizeof link, "zero.csv");
    unlink(link);
    cr_assert_eq(symlink("/dev/zero", link), 0);
    cr_assert_null(dio_load_csv_opts(link, NULL, NULL, NULL, err, sizeof err));
    snprintf(want, sizeof want, "%s: is a character device, not a regular file or a named "
             "pipe", link);
    cr_assert_str_eq(err, want);
    unlink(link);
}

Test(files, sockets_are_refused)
{
    char path[108], err[512] = "";
    tmp_path(path, sizeof path, "sock.csv");
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_un addr = {0};
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    cr_assert_null(dio_load_csv_opts(path, NULL, NULL, NULL, err, sizeof err));
    expect_err(err, ": is a socket, not a regular file or a named pipe");
    close(fd);
    unlink(path);
}

/* ---- .npy and IDX: NaN and infinities in float data ---- */

/* A .npy of float64 values, loaded with opts: expected to fail with want
 * (NULL: to succeed). */
static void npy_nonfinite(const char *descr, bool fortran, const char *shape,
                          const void *data, size_t n, const char *want)
{
    char path[128], err[512] = "";
    write_npy1(tmp_path(path, sizeof path, "nf.npy"), descr, fortran, shape, data, n);
    Matrix *m = dio_load_npy_opts(path, &refuse_nan, err, sizeof err);
    cr_assert_null(m, "%s %s should fail", descr, shape);
    expect_err(err, path);
    expect_err(err, want);
    m = dio_load_npy_opts(path, &allow_nan, err, sizeof err);
    cr_assert(m, "%s", err);
    mat_unref(m);
    unlink(path);
}

Test(npy_policy, nonfinite_named_by_position)
{
    unsigned char d[64];
    /* 2x3 in C order: [[1, 2, 3], [4, 5, NaN]] plus an inf at [0, 1] */
    const double c[] = {1, INFINITY, 3, 4, 5, NAN};
    for (int k = 0; k < 6; k++)
        put_le(d + 8 * k, bits_of(c[k]), 8);
    npy_nonfinite("<f8", false, "(2, 3)", d, 48,
                  ": row 1, column 2 (numpy index [0, 1]) is infinite (inf), the first of 2 "
                  "non-finite values; NaN and infinities are refused unless nan = \"allow\"");
    /* the same bytes in Fortran order: column-major, so the inf is at [1, 0]
     * and the NaN at [1, 2]; the first in row-major order is [1, 0] */
    npy_nonfinite("<f8", true, "(2, 3)", d, 48,
                  ": row 2, column 1 (numpy index [1, 0]) is infinite (inf), the first of 2");
    const double one[] = {1, 2, 3, -INFINITY};
    for (int k = 0; k < 4; k++)
        put_be(d + 8 * k, bits_of(one[k]), 8);
    npy_nonfinite(">f8", false, "(4,)", d, 32,
                  ": element 4 (numpy index [3]) is infinite (-inf); NaN and infinities");
    put_le(d, bits_of(NAN), 8);
    npy_nonfinite("<f8", false, "()", d, 8, ": the value is NaN; NaN and infinities");
    put_le(d, bits_of_float(1.5f), 4);
    put_le(d + 4, bits_of_float(NAN), 4);
    npy_nonfinite("<f4", false, "(1, 2)", d, 8,
                  ": row 1, column 2 (numpy index [0, 1]) is NaN; NaN and");
    put_le(d, 0x7C00, 2); /* half-precision inf */
    npy_nonfinite("<f2", false, "(1,)", d, 2, ": element 1 (numpy index [0]) is infinite (inf)");
}

/* Integer and bool data cannot hold NaN: never checked, the finite float
 * data of the other tests loads under the default. */
Test(npy_policy, finite_and_integer_data_load_by_default)
{
    char path[128], err[512] = "";
    unsigned char d[16];
    put_le(d, bits_of(-0.0), 8);
    put_le(d + 8, bits_of(DBL_MAX), 8);
    write_npy1(tmp_path(path, sizeof path, "fin.npy"), "<f8", false, "(2,)", d, 16);
    Matrix *m = dio_load_npy_opts(path, NULL, err, sizeof err);
    cr_assert(m, "%s", err);
    mat_unref(m);
    write_npy1(path, "<i8", false, "(2,)", d, 16);
    m = dio_load_npy_opts(path, NULL, err, sizeof err);
    cr_assert(m, "%s", err);
    mat_unref(m);
    unlink(path);
}

Test(idx_policy, nonfinite_float_data)
{
    char path[128], err[512] = "";
    unsigned char buf[128], d[32];
    const uint32_t dims[] = {2, 2};
    Matrix *m = (Matrix *)1;
    tmp_path(path, sizeof path, "nf.idx");
    const double v[] = {1, 2, 3, -INFINITY};
    for (int k = 0; k < 4; k++)
        put_be(d + 8 * k, bits_of(v[k]), 8);
    write_gz(path, buf, idx_image(buf, 0x0E, dims, 2, d, 32));
    cr_assert_eq(dio_load_idx_opts(path, 0, NULL, &m, err, sizeof err), -1);
    cr_assert_null(m);
    char want[300];
    snprintf(want, sizeof want, "%s: row 2, column 2 is infinite (-inf); NaN and infinities "
             "are refused unless nan = \"allow\"", path);
    cr_assert_str_eq(err, want);
    cr_assert_eq(dio_load_idx_opts(path, 0, &allow_nan, &m, err, sizeof err), 0, "%s", err);
    cr_assert(MAT_AT(m, 1, 1) == -INFINITY);
    mat_unref(m);
    /* a limit reading only the finite first item passes */
    cr_assert_eq(dio_load_idx_opts(path, 1, NULL, &m, err, sizeof err), 0, "%s", err);
    mat_unref(m);
    for (int k = 0; k < 4; k++)
        put_be(d + 4 * k, bits_of_float(k == 1 ? NAN : (float)k), 4);
    write_bytes(path, buf, idx_image(buf, 0x0D, dims, 2, d, 16));
    cr_assert_eq(dio_load_idx_opts(path, 0, NULL, &m, err, sizeof err), -1);
    expect_err(err, ": row 1, column 2 is NaN;");
    unlink(path);
}
