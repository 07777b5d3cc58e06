/* fuzz_parse.c: libFuzzer harness for the front end (RELIABILITY.md R4).
 * Bytes -> NUL-terminated source -> lex + parse -> free the tree. Nothing is
 * evaluated. Build and run: `make fuzz`, `make fuzz-smoke`, doc/fuzzing.md. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "front/ast.h"
#include "base/diag.h"
#include "front/parse.h"
#include "base/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    Source *src = source_new("<fuzz>", text, size);   /* takes text */
    ParseError err = {0};
    AstNode *tree = parse_source(src, &err);
    if (!tree) {
        /* Render the diagnostic too: it reads the source line at err.loc. */
        StrBuf b;
        sb_init(&b);
        diag_render(&b, "error", &err.loc, err.msg ? err.msg : "?");
        sb_free(&b);
    }
    ast_free(tree);
    parse_error_clear(&err);
    source_free_all(src);
    return 0;
}
