/* test_dataio.c: CSV, .npy and IDX reading and writing (src/numeric/dataio.c).
 *
 * Files are built byte by byte here (npy headers, IDX magic numbers, gzip
 * streams through zlib) so each format detail is checked independently of
 * the writer; error tests check that the message names the file and says
 * what is wrong. Scratch files live in /tmp, named by process id. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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
