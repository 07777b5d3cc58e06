#!/usr/bin/env python3
"""check-numpy.py: interoperability of src/numeric/dataio.c with numpy.

Drives tests/unit/npytool (a small C program around dataio.c) whose path is
given in the environment variable OVP_NPYTOOL:

  * every supported dtype (both byte orders where it matters), C and Fortran
    order, shapes (), (5,), (3, 4), (0,), (0, 3): numpy.save writes the
    array, `npytool roundtrip` loads it with dio_load_npy and writes it back
    with dio_save_npy, numpy.load reads the result, which must equal the
    original as float64, exactly, with the documented shape change
    (() -> (1, 1), (n,) -> (n, 1)) and as a float64 Fortran array;
  * format versions 2.0 and 3.0;
  * the file dataio.c writes: header layout and the raw data bytes;
  * arrays dataio.c must refuse (3-D, complex, structured, strings, object,
    truncated, .npz), with a message naming the problem;
  * CSV: a file with a header and awkward values through `npytool csv`;
  * IDX (MNIST layout), plain and gzipped, through `npytool idx`.

Prints one line per failure and "N passed, M failed"; exits 1 on failure,
77 (skip) when numpy is missing.

  gcc -std=c11 -D_GNU_SOURCE -O2 -Isrc tests/unit/npytool.c src/numeric/dataio.c \\
      src/base/matrix.c -lopenblas -lz -lm -o /tmp/npytool
  OVP_NPYTOOL=/tmp/npytool python3 tests/check-numpy.py
"""
import gzip
import os
import struct
import subprocess
import sys
import tempfile

from numpy_or_skip import numpy_or_skip

np = numpy_or_skip("check-numpy.py")

TOOL = os.environ.get("OVP_NPYTOOL")
RNG = np.random.default_rng(20240611)

passed = 0
failed = 0


def report(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def run(*args):
    """Runs npytool; returns (exit status, stdout, stderr)."""
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def same(a, b):
    """Exact equality of two float64 arrays: NaN equals NaN, -0.0 differs from 0.0."""
    if a.shape != b.shape:
        return False
    a, b = a.ravel(), b.ravel()
    return bool(np.array_equal(a, b, equal_nan=True)
                and np.array_equal(np.signbit(a), np.signbit(b)))


def values(dtype, shape):
    """An array of dtype and shape holding random values and the type's extremes."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    if dt.kind == "b":
        flat = RNG.integers(0, 2, n).astype(dt)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        flat = RNG.integers(info.min, info.max, n, dtype=dt.newbyteorder("="), endpoint=True)
        extremes = [info.min, info.max, 0, 1]
        flat[:min(n, 4)] = extremes[:min(n, 4)]
        flat = flat.astype(dt)
    else:
        info = np.finfo(dt)
        flat = (RNG.standard_normal(n) * 1000).astype(dt)
        extremes = [np.nan, np.inf, -np.inf, -0.0, info.tiny, info.max, info.smallest_subnormal]
        flat[:min(n, 7)] = np.array(extremes[:min(n, 7)], dtype=dt)
    return flat.reshape(shape)


def expected_shape(shape):
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], 1)
    return tuple(shape)


def check_written_file(path):
    """The layout dataio.c promises: version 1.0, '<f8', Fortran order, 64-byte aligned."""
    with open(path, "rb") as f:
        raw = f.read()
    hlen = struct.unpack("<H", raw[8:10])[0]
    head = raw[10:10 + hlen].decode("latin1")
    return (raw[:8] == b"\x93NUMPY\x01\x00" and (10 + hlen) % 64 == 0 and head.endswith("\n")
            and "'descr': '<f8'" in head and "'fortran_order': True" in head)


def roundtrip_case(tmp, name, arr, write):
    src, dst = os.path.join(tmp, "in.npy"), os.path.join(tmp, "out.npy")
    write(src, arr)
    rc, out, errtext = run("roundtrip", src, dst)
    if rc != 0:
        report(name, False, f"npytool failed: {errtext}")
        return
    got = np.load(dst)
    want = arr.astype(np.float64).reshape(expected_shape(arr.shape))
    problems = []
    if got.dtype != np.float64:
        problems.append(f"dtype {got.dtype}")
    if got.shape != want.shape:
        problems.append(f"shape {got.shape}, expected {want.shape}")
    elif not same(got, want):
        problems.append("values differ")
    if got.ndim == 2 and got.size > 1 and got.shape[0] > 1 and not got.flags["F_CONTIGUOUS"]:
        problems.append("not read back as a Fortran array")
    if not check_written_file(dst):
        problems.append("written header is not the promised v1.0 '<f8' Fortran layout")
    if arr.dtype.kind == "b" and "logical" not in out:
        problems.append("bool array not marked logical")
    report(name, not problems, "; ".join(problems))


DTYPES = ["<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1",
          ">f8", ">f4", ">i4", ">u2"]
SHAPES = [(), (5,), (3, 4), (0,), (0, 3)]


def check_dtypes(tmp):
    for dt in DTYPES:
        for shape in SHAPES:
            for order in "CF":
                arr = values(dt, shape)
                arr = np.asfortranarray(arr) if order == "F" else np.ascontiguousarray(arr)
                roundtrip_case(tmp, f"roundtrip {dt} {shape} {order}", arr, np.save)


def check_versions(tmp):
    for version in [(1, 0), (2, 0), (3, 0)]:
        def write(path, a, version=version):
            with open(path, "wb") as f:
                np.lib.format.write_array(f, a, version=version)
        arr = np.asfortranarray(values("<f8", (3, 4)))
        roundtrip_case(tmp, f"format version {version}", arr, write)
        roundtrip_case(tmp, f"format version {version} C order", values("<i4", (2, 5)), write)


def check_ovp_written_bytes(tmp):
    """A float64 matrix of arbitrary bit patterns comes out byte for byte."""
    bits = RNG.integers(0, 2**63, (7, 6), dtype=np.uint64) * 2 + 1
    arr = bits.view(np.float64)
    arr[np.isnan(arr)] = 0.5
    src, dst = os.path.join(tmp, "bits.npy"), os.path.join(tmp, "bits_out.npy")
    np.save(src, arr)
    rc, _, errtext = run("roundtrip", src, dst)
    if rc != 0:
        report("ovp-written float64 bytes", False, errtext)
        return
    with open(dst, "rb") as f:
        raw = f.read()
    start = 10 + struct.unpack("<H", raw[8:10])[0]
    ok = raw[start:] == arr.astype("<f8").tobytes(order="F")
    got = np.load(dst)
    ok = ok and got.flags["F_CONTIGUOUS"] and same(got, arr)
    report("ovp-written float64 Fortran array is exact", ok, "bytes differ")


def expect_refusal(tmp, name, write, want):
    src, dst = os.path.join(tmp, "bad.npy"), os.path.join(tmp, "bad_out.npy")
    write(src)
    rc, _, errtext = run("roundtrip", src, dst)
    ok = rc == 1 and want in errtext and src in errtext
    report(name, ok, f"exit {rc}, message {errtext!r}, wanted {want!r}")


def truncate_after_save(path):
    np.save(path, np.arange(12.0).reshape(3, 4))
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 56)


def check_refusals(tmp):
    expect_refusal(tmp, "3-D array", lambda p: np.save(p, np.zeros((2, 3, 4))),
                   "array has 3 dimensions")
    expect_refusal(tmp, "complex", lambda p: np.save(p, np.zeros(3, complex)), "unsupported dtype")
    expect_refusal(tmp, "structured", lambda p: np.save(p, np.zeros(3, "f8,i4")),
                   "structured dtypes are not supported")
    expect_refusal(tmp, "strings", lambda p: np.save(p, np.array(["ab", "c"])), "unsupported dtype")
    expect_refusal(tmp, "object", lambda p: np.save(p, np.array([1, "x"], dtype=object)),
                   "unsupported dtype")
    expect_refusal(tmp, "float128", lambda p: np.save(p, np.zeros(2, np.longdouble)),
                   "unsupported dtype")
    expect_refusal(tmp, "truncated", truncate_after_save,
                   "truncated: header says 3x4 float64 (96 bytes) but only 40 follow")
    expect_refusal(tmp, "npz archive",
                   lambda p: np.savez(open(p, "wb"), a=np.zeros(2)), ".npz")


def check_csv(tmp):
    arr = values("<f8", (6, 4))
    arr[5] = [1e-300, -0.0, 5e-324, 0.1]
    names = ["x", "y value", "2020", "z"]
    src, dst = os.path.join(tmp, "in.csv"), os.path.join(tmp, "out.csv")
    with open(src, "w", newline="") as f:
        f.write("x, y value ,\"2020\",z\r\n")
        for row in arr:
            f.write(",".join(repr(float(v)) for v in row) + "\r\n")
        f.write("\n\n")
    rc, out, errtext = run("csv", src, dst)
    if rc != 0:
        report("CSV round trip", False, errtext)
        return
    with open(dst) as f:
        lines = f.read().split("\n")
    header = [h.strip('"') for h in lines[0].split(",")]
    got = np.array([[float(v) for v in ln.split(",")] for ln in lines[1:] if ln], dtype=np.float64)
    ok = header == names and out == "6x4" and same(got, arr)
    report("CSV round trip (header, CRLF, nan/inf/-0, subnormals)", ok,
           f"header {header}, shape line {out!r}")
    loaded = np.loadtxt(dst, delimiter=",", skiprows=1)
    report("CSV written by dataio reads in numpy.loadtxt", same(loaded, arr), "values differ")


def check_savetxt(tmp):
    """numpy.savetxt's default file (values '%.18e' separated by one space)
    and a tab-separated one load exactly with load(path, sep = " "), run
    through the ovp binary itself ($OVP), and save back as .npy."""
    ovp = os.environ.get("OVP")
    if not ovp:
        return
    arr = values("<f8", (5, 3))
    arr = arr[np.isfinite(arr).all(axis=1)]
    for name, kwargs, sep in (("savetxt", {}, " "), ("savetxt tab", {"delimiter": "\t"}, "\\t")):
        src, dst = os.path.join(tmp, "st.txt"), os.path.join(tmp, "st.npy")
        np.savetxt(src, arr, **kwargs)
        code = f'save("{dst}", load("{src}", sep = "{sep}"))'
        p = subprocess.run([ovp, "-e", code], capture_output=True, text=True, timeout=60)
        ok = p.returncode == 0 and same(np.load(dst), arr)
        report(f"numpy.{name} file loads with sep", ok, p.stderr.strip())


def idx_bytes(arr, code):
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def check_idx(tmp):
    images = RNG.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    labels = RNG.integers(0, 10, 7, dtype=np.uint8)
    cases = [("images", idx_bytes(images, 0x08), images.reshape(7, -1) / 255.0),
             ("labels", idx_bytes(labels, 0x08), labels.reshape(7, 1).astype(np.float64))]
    for name, data, want in cases:
        for packed in ["plain", "gzip"]:
            src, dst = os.path.join(tmp, "in.idx"), os.path.join(tmp, "out.npy")
            with open(src, "wb") as f:
                f.write(gzip.compress(data) if packed == "gzip" else data)
            for limit in [None, 3]:
                rc, _, errtext = run("idx", src, dst, *([str(limit)] if limit else []))
                w = want if limit is None else want[:limit]
                ok = rc == 0 and same(np.load(dst), w)
                report(f"IDX {name} {packed} limit={limit}", ok, errtext or "values differ")


def main():
    if not TOOL or not os.access(TOOL, os.X_OK):
        print("check-numpy.py: set OVP_NPYTOOL to the npytool binary (see the docstring)")
        return 2
    with tempfile.TemporaryDirectory(prefix="ovp-check-numpy-") as tmp:
        check_dtypes(tmp)
        check_versions(tmp)
        check_ovp_written_bytes(tmp)
        check_refusals(tmp)
        check_csv(tmp)
        check_savetxt(tmp)
        check_idx(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
