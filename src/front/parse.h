/* parse.h: the front end's facade. Source text in, syntax tree or one
 * located syntax error out. Hides the generated scanner and parser. */
#ifndef OVP_PARSE_H
#define OVP_PARSE_H

#include <stdbool.h>

#include "front/ast.h"
#include "base/diag.h"

typedef struct ParseError {
    char *msg;        /* malloc'd; NULL when there was no error */
    Loc loc;
    bool incomplete;  /* the input ended inside an open construct */
} ParseError;

/* Parses a whole source. On success returns the AST_BLOCK of the program;
 * on failure returns NULL and fills err (free with parse_error_clear). */
AstNode *parse_source(const Source *src, ParseError *err);
void parse_error_clear(ParseError *err);

/* ---- shared by grammar/parser.y and grammar/lexer.l only ---- */

/* Deepest bracket/block nesting the scanner accepts. */
#define PARSE_MAX_NEST 1000

/* What is open at a point of the scan: a bracket or a block keyword. */
typedef struct OpenItem {
    char kind;       /* '(', '[', '{' or 'B' for a block */
    const char *what; /* "(", "[", "{", "fn", "if", "for", "while" */
    int line, col;
} OpenItem;

typedef struct ParseCtx {
    const Source *src;
    AstNode *result;
    ParseError *err;
    OpenItem open[PARSE_MAX_NEST];
    int nopen;
    /* The bracket the last closer token closed, and where that token is: a
     * syntax error at the closer is reported inside it, not its parent. */
    OpenItem just_closed;
    int closer_line, closer_col;
    int line, col;       /* scanner position of the next byte */
    int comment_line, comment_col; /* where an open #{ began */
    int after_line, after_col;     /* just past the last token (for EOF) */
    int last_token;      /* the token returned before this one (0: none) */
    void *scanner;
} ParseCtx;

/* Records the first error only (later ones are cascades). */
void parse_fail(ParseCtx *ctx, int line, int col, int end_line, int end_col,
                bool incomplete, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

#endif
