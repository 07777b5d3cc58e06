/* parse.c: runs the generated scanner and parser over one source.
 *
 * The generated headers stay behind this file: the rest of the program
 * sees parse_source and a ParseError, never yyscan_t or Bison's types. */
#include "config.h"

#include "front/parse.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "base/strbuf.h"

/* From the generated scanner (prefix ovp_yy). */
typedef void *yyscan_t;
int ovp_yylex_init_extra(ParseCtx *extra, yyscan_t *scanner);
int ovp_yylex_destroy(yyscan_t scanner);
void *ovp_yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);

/* Only the first error is kept: later ones are mostly cascades of it.
 * incomplete marks an error caused by the input ending early, which the
 * REPL answers by reading another line instead of reporting it. */
void parse_fail(ParseCtx *ctx, int line, int col, int end_line, int end_col,
                bool incomplete, const char *fmt, ...)
{
    if (ctx->err->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    ctx->err->msg = xvasprintf(fmt, ap);
    va_end(ap);
    ctx->err->loc = (Loc){ctx->src, line, col, end_line, end_col};
    ctx->err->incomplete = incomplete;
}

/* Frees the message; err can be used for another parse. */
void parse_error_clear(ParseError *err)
{
    free(err->msg);
    err->msg = NULL;
    err->incomplete = false;
}

/* Borrows src: the tree's locations point at it, so it must outlive the
 * tree. The context is on the heap because its stack of open items is
 * large. The length limit is the scanner's: it takes an int. Some checks
 * (expression depth, repeated parameters, assignment targets) record an
 * error but let the parse finish, so yyparse may succeed with err->msg
 * set; the tree is then dropped all the same. */
AstNode *parse_source(const Source *src, ParseError *err)
{
    ParseCtx *ctx = xcalloc(1, sizeof *ctx);
    ctx->src = src;
    ctx->err = err;
    ctx->line = ctx->col = 1;
    ctx->after_line = ctx->after_col = 1;
    err->msg = NULL;
    err->incomplete = false;
    yyscan_t scanner;
    if (src->len > (size_t)0x7fffffff || ovp_yylex_init_extra(ctx, &scanner)) {
        parse_fail(ctx, 1, 1, 1, 1, false, "program text is too large");
        free(ctx);
        return NULL;
    }
    /* A UTF-8 byte-order mark (some editors write one) is not program text. */
    size_t skip = src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    ovp_yy_scan_bytes(src->text + skip, (int)(src->len - skip), scanner);
    int rc = ovp_yyparse(scanner, ctx);
    ovp_yylex_destroy(scanner);
    AstNode *tree = ctx->result;
    if (rc != 0 || err->msg) {
        if (!err->msg)
            parse_fail(ctx, 1, 1, 1, 1, false, "syntax error");
        ast_free(tree);
        tree = NULL;
    }
    free(ctx);
    return tree;
}
