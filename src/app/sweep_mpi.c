/* sweep_mpi.c: ovp sweep's MPI backend, linked only into ovp-mpi (the
 * build made when configure finds OpenMPI); plain ovp hands --mpi over to
 * that binary (sweep.c), so its own start-up never loads libmpi.
 *
 * Rank 0 decides what is left to do (after --resume) and broadcasts it.
 * Rank r runs the points todo[i] with i % size == r, each in a fresh
 * interpreter in the rank's own process, and sends every result to rank 0
 * in point_result_write's text form, tagged RESULT; a DONE message ends a
 * rank's share. Rank 0 runs its share too, taking the others' results in
 * between its points, and alone writes the file, in grid order, as the
 * other backends do: the bytes do not depend on the number of ranks.
 *
 * A point that kills its rank's process takes the job down (mpirun ends
 * every rank); the local pool is the backend that isolates crashes.
 */
#include <mpi.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "app/sweep.h"
#include "base/alloc.h"

enum { TAG_RESULT = 1, TAG_DONE = 2 };

/* A whole message from any rank, NUL-terminated (malloc'd). */
static char *receive(int *source, int *tag)
{
    MPI_Status st;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    int n;
    MPI_Get_count(&st, MPI_CHAR, &n);
    char *buf = xmalloc((size_t)n + 1);
    MPI_Recv(buf, n, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    buf[n] = '\0';
    *source = st.MPI_SOURCE;
    *tag = st.MPI_TAG;
    return buf;
}

/* "POINT\n" then the result's text form. */
static void store(SweepTable *t, const char *msg, size_t npoints)
{
    char *end;
    unsigned long long point = strtoull(msg, &end, 10);
    PointResult r;
    if (*end != '\n' || point >= npoints || !point_result_read(end + 1, &r)) {
        fprintf(stderr, "ovp sweep: rank 0 received a result it cannot read\n");
        return;
    }
    table_set(t, (size_t)point, &r);
}

/* Rank 0 takes every message waiting; blocks for one when `wait`.
 * Returns the number of ranks that said they are done. */
static int take_messages(SweepTable *t, size_t npoints, bool wait)
{
    int done = 0, flag = 1;
    while (flag) {
        if (!wait)
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
        if (!flag)
            break;
        int source, tag;
        char *msg = receive(&source, &tag);
        if (tag == TAG_RESULT)
            store(t, msg, npoints);
        else
            done++;
        free(msg);
        wait = false;
    }
    return done;
}

static char *result_message(size_t point, const PointResult *r, int *len)
{
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "%zu\n", point);
    point_result_write(&b, r);
    *len = (int)b.len;
    char *taken = sb_take(&b);
    sb_free(&b);   /* sb_take leaves b a fresh, empty buffer */
    return taken;
}

/* What is left to do, as rank 0 sees it (after --resume). */
static size_t *todo_list(const Sweep *s, SweepTable *t, int rank, size_t *ntodo)
{
    size_t n = s->grid.npoints;
    unsigned char *have = xcalloc(n ? n : 1, 1);
    for (size_t i = 0; rank == 0 && i < n; i++)
        have[i] = t->have[i];
    for (size_t off = 0; off < n; off += 1u << 30) {
        size_t chunk = n - off < (1u << 30) ? n - off : (1u << 30);
        MPI_Bcast(have + off, (int)chunk, MPI_UNSIGNED_CHAR, 0, MPI_COMM_WORLD);
    }
    size_t *todo = xmalloc((n ? n : 1) * sizeof *todo);
    *ntodo = 0;
    for (size_t i = 0; i < n; i++)
        if (!have[i])
            todo[(*ntodo)++] = i;
    free(have);
    return todo;
}

int sweep_mpi_run(Sweep *s, SweepTable *t)
{
    MPI_Init(NULL, NULL);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double started = MPI_Wtime();
    size_t ntodo, n = s->grid.npoints;
    size_t *todo = todo_list(s, t, rank, &ntodo);
    int done = 0;   /* rank 0: the ranks that have sent all their results */
    for (size_t i = (size_t)rank; i < ntodo; i += (size_t)size) {
        PointResult r;
        sweep_run_point(s, todo[i], &r);
        if (rank == 0) {
            table_set(t, todo[i], &r);
            done += take_messages(t, n, false);
        } else {
            int len;
            char *msg = result_message(todo[i], &r, &len);
            MPI_Send(msg, len, MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD);
            free(msg);
            point_result_free(&r);
        }
    }
    int code = 0;
    if (rank == 0) {
        while (done < size - 1)
            done += take_messages(t, n, true);
        bool written = table_write(t, s->out);
        if (!written)
            fprintf(stderr, "ovp sweep: cannot write '%s'\n", s->out);
        fprintf(stderr, "sweep: %d MPI ranks\n", size);
        code = sweep_finish(s, t, MPI_Wtime() - started, true, written);
    } else {
        MPI_Send("", 0, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
    }
    free(todo);
    /* every rank leaves with rank 0's status */
    MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return code;
}
