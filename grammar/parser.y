/* parser.y: the ovp grammar. A pure, reentrant LALR parser with locations
 * whose actions only build the syntax tree; nothing is evaluated here.
 *
 * Settings: the messages are built by yyreport_syntax_error at the end
 * of this file (parse.error custom). IELR tables avoid the conflicts that
 * LALR's merging of states can invent, at LALR's size when none arise.
 * LAC (parse.lac) checks the lookahead before the default reductions, so
 * the list of expected tokens in a message is exact. %expect 0: every
 * conflict is settled by the grammar or by the precedences below. The
 * scanner and the context are parameters, so there are no globals. */
%require "3.8"
%define api.pure full
%define api.prefix {ovp_yy}
%define parse.error custom
%define lr.type ielr
%define parse.lac full
%locations
%expect 0
%parse-param {void *scanner} {ParseCtx *ctx}
%lex-param {void *scanner}

%code requires {
#include "front/ast.h"
#include "front/parse.h"
}

%code provides {
int ovp_yylex(OVP_YYSTYPE *lval, OVP_YYLTYPE *lloc, void *scanner);
}

%code {
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/names.h"

/* Bison grows its stacks with YYMALLOC: through ovp's checked allocator,
 * so running out of memory gets ovp's report rather than a misleading
 * "memory exhausted" syntax error. */
#define YYMALLOC xmalloc
#define YYFREE free

/* A Loc for the tree from a Bison span; it points at the source being
 * parsed, which outlives the tree. */
static Loc mkloc(const ParseCtx *ctx, OVP_YYLTYPE l)
{
    return (Loc){ctx->src, l.first_line, l.first_column, l.last_line,
                 l.last_column};
}

/* Replaces a node nested deeper than AST_MAX_DEPTH by a placeholder and
 * records the error, so no later pass recurses without bound. */
static AstNode *bounded(ParseCtx *ctx, AstNode *n, OVP_YYLTYPE l)
{
    if (n->depth <= AST_MAX_DEPTH)
        return n;
    parse_fail(ctx, l.first_line, l.first_column, l.last_line, l.last_column,
               false, "expression nested too deeply (more than %d levels)",
               AST_MAX_DEPTH);
    ast_free(n);
    return ast_num(0, mkloc(ctx, l));
}

/* The left-associative operators (the %left rows below, but && and ||,
 * which do not always evaluate their right side). */
static bool chains(OpKind op)
{
    return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV ||
           op == OP_LDIV || op == OP_EMUL || op == OP_EDIV;
}

/* Turns the left spine of chainable binops under top into an AST_CHAIN:
 * the innermost left operand first, then one AST_LINK per binop, bottom
 * up, which is the order of evaluation. The binop nodes are reused as the
 * links, keeping their operator and span. Runs once per chain, when it
 * reaches AST_CHAIN_FROM; later operators are appended in binop(). */
static AstNode *make_chain(AstNode *top)
{
    int n = 0;
    for (AstNode *p = top; p->kind == AST_BINOP && chains(p->op); p = p->kids[0])
        n++;
    AstNode **spine = xmalloc((size_t)n * sizeof *spine);
    AstNode *p = top;
    for (int i = n - 1; i >= 0; i--, p = p->kids[0])
        spine[i] = p;
    AstNode *chain = ast_new(AST_CHAIN, top->loc);
    ast_add(chain, p);
    for (int i = 0; i < n; i++) {
        AstNode *link = spine[i];
        link->kind = AST_LINK;
        link->kids[0] = link->kids[1];
        link->nkids = 1;
        link->depth = link->kids[0]->depth + 1;
        ast_add(chain, link);
    }
    free(spine);
    return chain;
}

static AstNode *binop(ParseCtx *ctx, OpKind op, OVP_YYLTYPE l, AstNode *a,
                      AstNode *b)
{
    if (chains(op) && a->kind == AST_BINOP && chains(a->op) &&
        a->depth >= AST_CHAIN_FROM)
        a = make_chain(a);
    if (chains(op) && a->kind == AST_CHAIN) {
        a->loc = mkloc(ctx, l);
        return bounded(ctx, ast_add(a, ast_op(AST_LINK, op, mkloc(ctx, l), b, NULL)), l);
    }
    return bounded(ctx, ast_op(AST_BINOP, op, mkloc(ctx, l), a, b), l);
}

static AstNode *unop(ParseCtx *ctx, OpKind op, OVP_YYLTYPE l, AstNode *a)
{
    return bounded(ctx, ast_op(AST_UNOP, op, mkloc(ctx, l), a, NULL), l);
}

/* Fills the placeholder kids[0] of an argument list with the callee and
 * turns the holder into the call or index node. The list is built before
 * the node it becomes, so slot 0 is reserved for the callee rather than
 * every argument shifted along afterwards. */
static AstNode *with_callee(ParseCtx *ctx, AstNode *args, AstKind kind,
                            AstNode *callee, OVP_YYLTYPE l)
{
    ast_free(args->kids[0]);
    args->kids[0] = callee;
    args->kind = kind;
    args->loc = mkloc(ctx, l);
    if (callee->depth + 1 > args->depth)
        args->depth = callee->depth + 1;
    return bounded(ctx, args, l);
}

/* Refuses a parameter name that appears twice, at its second place. The
 * check runs once the list is complete, through a name index, so that a
 * generated function with 100 000 parameters is not quadratic. The error
 * is recorded and the parse goes on (it is not a syntax error in the
 * grammar's sense); the list is returned as it is and freed with the tree. */
static AstNode *unique_params(ParseCtx *ctx, AstNode *params)
{
    NameIndex seen;
    names_init(&seen);
    for (int i = 0; i < params->nkids; i++) {
        const AstNode *p = params->kids[i];
        if (names_get(&seen, p->str) < 0) {
            names_put(&seen, p->str, i);
            continue;
        }
        parse_fail(ctx, p->loc.line, p->loc.col, p->loc.end_line, p->loc.end_col,
                   false, "parameter '%s' appears twice", p->str);
        break;
    }
    names_free(&seen);
    return params;
}

/* Only names, indexings and field accesses of those can be assigned.
 * Targets are parsed as expressions and checked here, because an LR(1)
 * parser cannot know that a[1] is a target until it meets the '='. */
static bool is_target(const AstNode *n)
{
    if (n->kind == AST_IDENT)
        return true;
    if (n->kind == AST_INDEX || n->kind == AST_FIELD)
        return is_target(n->kids[0]);
    return false;
}

/* Turns the holder of the targets into the AST_ASSIGN, the value last.
 * Every bad target is checked, but only the first error is kept. */
static AstNode *assignment(ParseCtx *ctx, AstNode *targets, OpKind op,
                           AstNode *value, OVP_YYLTYPE l)
{
    for (int i = 0; i < targets->nkids; i++) {
        const Loc *t = &targets->kids[i]->loc;
        if (!is_target(targets->kids[i]))
            parse_fail(ctx, t->line, t->col, t->end_line, t->end_col, false,
                       "cannot assign to this expression (expected a name, "
                       "an indexing or a field)");
    }
    targets->kind = AST_ASSIGN;
    targets->op = op;
    targets->loc = mkloc(ctx, l);
    return ast_add(targets, value);
}

/* Bison calls this only for its own failures; syntax errors go through
 * yyreport_syntax_error. "memory exhausted" means the parser stack passed
 * its limit, which only deep nesting does, so it is reported as such. */
static void ovp_yyerror(OVP_YYLTYPE *l, void *scanner, ParseCtx *ctx,
                        const char *msg)
{
    (void)scanner;
    if (strcmp(msg, "memory exhausted") == 0)
        parse_fail(ctx, l->first_line, l->first_column, l->last_line,
                   l->last_column, false, "expression nested too deeply "
                   "(more than %d levels)", AST_MAX_DEPTH);
    else
        parse_fail(ctx, l->first_line, l->first_column, l->last_line,
                   l->last_column, false, "%s", msg);
}
}

%union {
    double num;
    char *str;
    AstNode *node;
    int op;
}

%token <num> NUM "number"
/* The quoted aliases are what messages show: "unexpected 'end'". FIELD is
 * `name:` inside braces: {a: b} could be a record or a list holding the
 * range a:b, and the scanner settles it as a field, so the grammar has no
 * conflict. INDEX_END is `end` inside brackets (the last index), also
 * decided by the scanner from its stack of open items. */
%token <str> STR "string" IDENT "identifier" FIELD "field name"
%token IF "'if'" ELSEIF "'elseif'" ELSE "'else'" END "'end'"
%token FOR "'for'" IN "'in'" WHILE "'while'" BREAK "'break'"
%token CONTINUE "'continue'" RETURN "'return'" FN "'fn'" IMPORT "'import'"
%token TRUE "'true'" FALSE "'false'" INDEX_END "'end' (index)"
%token NL "newline"
%token OROR "'||'" ANDAND "'&&'" EQ "'=='" NE "'!='" LE "'<='" GE "'>='"
%token EMUL "'.*'" EDIV "'./'" EPOW "'.^'"
%token PLUSEQ "'+='" MINUSEQ "'-='" TIMESEQ "'*='" DIVEQ "'/='"

%type <node> program block stmts stmt simple_stmt if_stmt elifs for_stmt
%type <node> while_stmt fn_stmt expr range arith postfix primary matrix rows
%type <node> row args arglist arg index_args index_arg list items record
%type <node> fields func params paramlist param targets
%type <op> compound_op

/* On a syntax error Bison frees each value it pops, so no node or string
 * leaks. Numbers and operators own nothing; they get an empty one so that
 * every semantic type states its destructor. */
%destructor { ast_free($$); } <node>
%destructor { free($$); } <str>
%destructor { } <num> <op>

/* A condition of if/while/for may be followed by a statement on the same
 * line (`if x y = 1 end`). When the next token could continue the condition
 * (+ - ( [) it does, as in Octave: the reductions that would close the
 * end of the condition has the lowest precedence, so the parser shifts. */
%precedence BLOCK_START
/* Then from loosest to tightest, as in the manual's table. Comparisons do
 * not chain (a < b < c is a syntax error, not (a < b) < c). Unary minus
 * sits below ^, so -2^2 is -4, and ^ groups to the right: 2^3^2 is 2^9. */
%left OROR
%left ANDAND
%nonassoc EQ NE '<' LE '>' GE
%left '+' '-'
%left '*' '/' '\\' EMUL EDIV
%precedence UNARY
%right '^' EPOW
%precedence '(' '['

%%

/* The tree goes to ctx->result: yyparse itself returns only a status. */
program: block                      { ctx->result = $1; $$ = NULL; }
    ;

/* Statements are separated by newlines or ';', blank lines allowed
 * anywhere. Inside brackets the scanner drops newlines, so an expression
 * may run over several lines there. */
block: opt_seps                     { $$ = ast_new(AST_BLOCK, mkloc(ctx, @$)); }
    | opt_seps stmts opt_seps       { $$ = $2; }
    ;

stmts: stmt                         { $$ = ast_add(ast_new(AST_BLOCK, mkloc(ctx, @1)), $1); }
    | stmts seps stmt               { $$ = ast_add($1, $3); }
    ;

seps: sep | seps sep ;
sep: NL | ';' ;
opt_seps: %empty | seps ;

stmt: simple_stmt
    | for_stmt
    | while_stmt
    | fn_stmt
    ;

/* An expression statement is wrapped in AST_EXPR, so the REPL can tell
 * what to echo; an if, which is an expression too (it has the value of
 * the branch that ran), stays a statement of its own when written as one,
 * so it is not echoed and nested ifs cost no extra level. A compound
 * assignment (x += 1) has a single target, put in the same holder as a
 * list of targets. */
simple_stmt: expr                   { $$ = $1->kind == AST_IF ? $1
                                           : ast_add(ast_new(AST_EXPR, mkloc(ctx, @$)), $1); }
    | targets '=' expr              { $$ = assignment(ctx, $1, OP_NONE, $3, @$); }
    | postfix compound_op expr      { $$ = assignment(ctx, ast_add(ast_new(AST_BLOCK, mkloc(ctx, @1)), $1),
                                                      (OpKind)$2, $3, @$); }
    | BREAK                         { $$ = ast_new(AST_BREAK, mkloc(ctx, @$)); }
    | CONTINUE                      { $$ = ast_new(AST_CONTINUE, mkloc(ctx, @$)); }
    | RETURN                        { $$ = ast_new(AST_RETURN, mkloc(ctx, @$)); }
    | RETURN expr                   { $$ = ast_add(ast_new(AST_RETURN, mkloc(ctx, @$)), $2); }
    | IMPORT STR                    { $$ = ast_str(AST_IMPORT, $2, mkloc(ctx, @$)); }
    ;

/* The targets are collected in an AST_BLOCK that assignment() retypes. */
targets: postfix                    { $$ = ast_add(ast_new(AST_BLOCK, mkloc(ctx, @1)), $1); }
    | targets ',' postfix           { $$ = ast_add($1, $3); }
    ;

compound_op: PLUSEQ { $$ = OP_ADD; } | MINUSEQ { $$ = OP_SUB; }
    | TIMESEQ { $$ = OP_MUL; } | DIVEQ { $$ = OP_DIV; }
    ;

/* The elseif pairs are collected in a holder whose children then move
 * into the if node; nkids is zeroed first so ast_free frees only the
 * holder. An if is a primary expression: `x = if c 1 else 2 end` takes
 * the value of the branch that ran (the last statement of its block),
 * and no value when no branch ran. */
if_stmt: IF expr block elifs END    { $$ = ast_add(ast_add(ast_new(AST_IF, mkloc(ctx, @1)), $2), $3);
                                      for (int i = 0; i < $4->nkids; i++) ast_add($$, $4->kids[i]);
                                      $4->nkids = 0; ast_free($4); }
    | IF expr block elifs ELSE block END
                                    { $$ = ast_add(ast_add(ast_new(AST_IF, mkloc(ctx, @1)), $2), $3);
                                      for (int i = 0; i < $4->nkids; i++) ast_add($$, $4->kids[i]);
                                      $4->nkids = 0; ast_free($4); ast_add($$, $6); }
    ;

elifs: %empty                       { $$ = ast_new(AST_BLOCK, mkloc(ctx, @$)); }
    | elifs ELSEIF expr block       { $$ = ast_add(ast_add($1, $3), $4); }
    ;

for_stmt: FOR IDENT IN expr block END
                                    { $$ = ast_new(AST_FOR, mkloc(ctx, @1));
                                      ast_add($$, ast_str(AST_IDENT, $2, mkloc(ctx, @2)));
                                      ast_add(ast_add($$, $4), $5); }
    ;

while_stmt: WHILE expr block END    { $$ = ast_add(ast_add(ast_new(AST_WHILE, mkloc(ctx, @1)), $2), $3); }
    ;

/* A named function is an assignment target plus an AST_FUNC carrying its
 * own copy of the name: the closure prints it, and the resolver reads it
 * as the function itself inside its body (RES_SELF). */
fn_stmt: FN IDENT '(' params ')' block END
                                    { AstNode *f = ast_str(AST_FUNC, xstrdup($2), mkloc(ctx, @$));
                                      ast_add(ast_add(f, $4), $6);
                                      $$ = ast_new(AST_FNDEF, mkloc(ctx, @1));
                                      ast_add(ast_add($$, ast_str(AST_IDENT, $2, mkloc(ctx, @2))), f); }
    ;

/* An anonymous fn has no name (str NULL). */
func: FN '(' params ')' block END   { $$ = ast_add(ast_add(ast_new(AST_FUNC, mkloc(ctx, @$)), $3), $5); }
    ;

params: %empty                      { $$ = ast_new(AST_PARAMS, mkloc(ctx, @$)); }
    | paramlist                     { $$ = unique_params(ctx, $1); }
    ;

paramlist: param                    { $$ = ast_add(ast_new(AST_PARAMS, mkloc(ctx, @$)), $1); }
    | paramlist ',' param           { $$ = ast_add($1, $3); }
    ;

param: IDENT                        { $$ = ast_str(AST_PARAM, $1, mkloc(ctx, @$)); }
    | IDENT '=' expr                { $$ = ast_add(ast_str(AST_PARAM, $1, mkloc(ctx, @1)), $3); }
    ;

expr: expr OROR expr                { $$ = binop(ctx, OP_OR, @2, $1, $3); }
    | expr ANDAND expr              { $$ = binop(ctx, OP_AND, @2, $1, $3); }
    | expr EQ expr                  { $$ = binop(ctx, OP_EQ, @2, $1, $3); }
    | expr NE expr                  { $$ = binop(ctx, OP_NE, @2, $1, $3); }
    | expr '<' expr                 { $$ = binop(ctx, OP_LT, @2, $1, $3); }
    | expr LE expr                  { $$ = binop(ctx, OP_LE, @2, $1, $3); }
    | expr '>' expr                 { $$ = binop(ctx, OP_GT, @2, $1, $3); }
    | expr GE expr                  { $$ = binop(ctx, OP_GE, @2, $1, $3); }
    | range
    ;

/* A condition ends with one of the rules marked BLOCK_START; their low
 * precedence makes the parser shift a following ( [ + - rather than end
 * the condition there (see the comment above the precedences). A range
 * binds looser than arithmetic (1:n+1 is 1:(n+1)) and does not nest. */
range: arith %prec BLOCK_START
    | arith ':' arith %prec BLOCK_START { $$ = bounded(ctx, ast_add(ast_add(ast_new(AST_RANGE, mkloc(ctx, @2)), $1), $3), @$); }
    | arith ':' arith ':' arith %prec BLOCK_START { $$ = bounded(ctx, ast_add(ast_add(ast_add(ast_new(AST_RANGE, mkloc(ctx, @2)), $1), $3), $5), @$); }
    ;

arith: arith '+' arith              { $$ = binop(ctx, OP_ADD, @2, $1, $3); }
    | arith '-' arith               { $$ = binop(ctx, OP_SUB, @2, $1, $3); }
    | arith '*' arith               { $$ = binop(ctx, OP_MUL, @2, $1, $3); }
    | arith '/' arith               { $$ = binop(ctx, OP_DIV, @2, $1, $3); }
    | arith '\\' arith              { $$ = binop(ctx, OP_LDIV, @2, $1, $3); }
    | arith EMUL arith              { $$ = binop(ctx, OP_EMUL, @2, $1, $3); }
    | arith EDIV arith              { $$ = binop(ctx, OP_EDIV, @2, $1, $3); }
    | arith '^' arith               { $$ = binop(ctx, OP_POW, @2, $1, $3); }
    | arith EPOW arith              { $$ = binop(ctx, OP_EPOW, @2, $1, $3); }
    | '-' arith %prec UNARY         { $$ = unop(ctx, OP_NEG, @1, $2); }
    | '+' arith %prec UNARY         { $$ = unop(ctx, OP_PLUS, @1, $2); }
    | '!' arith %prec UNARY         { $$ = unop(ctx, OP_NOT, @1, $2); }
    | postfix %prec BLOCK_START
    ;

/* Calls, subscripts, fields and the transpose bind tightest and chain
 * left to right: f(x)[2].w'. */
postfix: primary
    | postfix '(' args ')'          { $$ = with_callee(ctx, $3, AST_CALL, $1, @$); }
    | postfix '[' index_args ']'    { $$ = with_callee(ctx, $3, AST_INDEX, $1, @$); }
    | postfix '.' IDENT             { $$ = bounded(ctx, ast_add(ast_str(AST_FIELD, $3, mkloc(ctx, @3)), $1), @$); }
    | postfix '\''                  { $$ = unop(ctx, OP_TRANSPOSE, @2, $1); }
    ;

/* Parentheses leave no node: ( expr ) is the inner expression, with its
 * own location. */
primary: NUM                        { $$ = ast_num($1, mkloc(ctx, @$)); }
    | STR                           { $$ = ast_str(AST_STR, $1, mkloc(ctx, @$)); }
    | TRUE                          { $$ = ast_num(1, mkloc(ctx, @$)); $$->kind = AST_BOOL; }
    | FALSE                         { $$ = ast_num(0, mkloc(ctx, @$)); $$->kind = AST_BOOL; }
    | IDENT                         { $$ = ast_str(AST_IDENT, $1, mkloc(ctx, @$)); }
    | INDEX_END                     { $$ = ast_new(AST_END, mkloc(ctx, @$)); }
    | '(' expr ')'                  { $$ = $2; }
    | matrix
    | list
    | record
    | func
    | if_stmt
    ;

/* Calls and indexings keep a placeholder in kids[0] for the callee. */
args: %empty                        { $$ = ast_add(ast_new(AST_BLOCK, mkloc(ctx, @$)), ast_new(AST_BLOCK, mkloc(ctx, @$))); }
    | arglist
    ;

arglist: arg                        { $$ = ast_add(ast_add(ast_new(AST_BLOCK, mkloc(ctx, @$)), ast_new(AST_BLOCK, mkloc(ctx, @$))), $1); }
    | arglist ',' arg               { $$ = ast_add($1, $3); }
    ;

/* name = value is a named argument; '=' after a name cannot start
 * anything else, so one token of lookahead decides. */
arg: expr
    | IDENT '=' expr                { $$ = ast_add(ast_str(AST_NAMEDARG, $1, mkloc(ctx, @1)), $3); }
    ;

index_args: index_arg               { $$ = ast_add(ast_add(ast_new(AST_BLOCK, mkloc(ctx, @$)), ast_new(AST_BLOCK, mkloc(ctx, @$))), $1); }
    | index_args ',' index_arg      { $$ = ast_add($1, $3); }
    ;

index_arg: expr
    | ':'                           { $$ = ast_new(AST_COLON, mkloc(ctx, @$)); }
    ;

/* Elements are separated by commas and rows by ';' (a trailing one is
 * allowed); whitespace never separates, so [1 -2] is the one-element
 * [1 - 2]. [] is the empty 0x0 matrix. */
matrix: '[' ']'                     { $$ = ast_new(AST_MATRIX, mkloc(ctx, @$)); }
    | '[' rows ']'                  { $$ = $2; $$->loc = mkloc(ctx, @$); }
    | '[' rows ';' ']'              { $$ = $2; $$->loc = mkloc(ctx, @$); }
    ;

rows: row                           { $$ = ast_add(ast_new(AST_MATRIX, mkloc(ctx, @$)), $1); }
    | rows ';' row                  { $$ = ast_add($1, $3); }
    ;

row: expr                           { $$ = ast_add(ast_new(AST_ROW, mkloc(ctx, @$)), $1); }
    | row ',' expr                  { $$ = ast_add($1, $3); }
    ;

/* {} is the empty list; a trailing comma is allowed in lists and
 * records. */
list: '{' '}'                       { $$ = ast_new(AST_LIST, mkloc(ctx, @$)); }
    | '{' items opt_comma '}'       { $$ = $2; $$->loc = mkloc(ctx, @$); }
    ;

items: expr                         { $$ = ast_add(ast_new(AST_LIST, mkloc(ctx, @$)), $1); }
    | items ',' expr                { $$ = ast_add($1, $3); }
    ;

record: '{' fields opt_comma '}'    { $$ = $2; $$->loc = mkloc(ctx, @$); }
    ;

fields: FIELD expr                  { $$ = ast_add(ast_new(AST_RECORD, mkloc(ctx, @$)),
                                                   ast_add(ast_str(AST_FIELDINIT, $1, mkloc(ctx, @1)), $2)); }
    | fields ',' FIELD expr         { $$ = ast_add($1, ast_add(ast_str(AST_FIELDINIT, $3, mkloc(ctx, @3)), $4)); }
    ;

opt_comma: %empty | ',' ;

%%

/* Whether sym is among the n expected tokens. */
static bool expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t sym)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == sym)
            return true;
    return false;
}

/* The same by the name in messages, for tokens written as a character
 * literal (','), whose symbol constant has a generated name. */
static bool expects_name(const yysymbol_kind_t *exp, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(yysymbol_name(exp[i]), name) == 0)
            return true;
    return false;
}

/* Up to five expected tokens are listed; a longer list is summed up by
 * what it means. A number among them means an expression could start,
 * which is the most useful thing to say. */
static void list_expected(StrBuf *b, const yysymbol_kind_t *exp, int n)
{
    if (n > 5) {
        if (expects(exp, n, YYSYMBOL_NUM))
            sb_puts(b, ", expected an expression");
        else if (expects_name(exp, n, "','"))
            sb_puts(b, ", expected an operator or ','");
        else if (expects(exp, n, YYSYMBOL_NL))
            sb_puts(b, ", expected an operator, a newline or ';'");
        return;
    }
    for (int i = 0; i < n; i++)
        sb_printf(b, "%s%s", i == 0 ? ", expected " : i == n - 1 ? " or " : ", ",
                  yysymbol_name(exp[i]));
}

/* What closes the innermost open construct: "'end'" or "']'". */
static const char *closer(const OpenItem *o)
{
    switch (o->kind) {
    case '(': case 'P': return "')'";
    case '[': case 'I': return "']'";
    case '{': return "'}'";
    default: return "'end'";
    }
}

/* Adds where the innermost open construct began; an error at a closing
 * bracket is inside the bracket that token closed. */
static void describe_open(const ParseCtx *ctx, StrBuf *b, bool at_eof, const OVP_YYLTYPE *at)
{
    bool at_closer = !at_eof && ctx->closer_line == at->first_line &&
                     ctx->closer_col == at->first_column;
    if (ctx->nopen == 0 && !at_closer)
        return;
    const OpenItem *o = at_closer ? &ctx->just_closed : &ctx->open[ctx->nopen - 1];
    if (at_eof)
        sb_printf(b, " ('%s' at %d:%d is not closed)", o->what, o->line, o->col);
    else
        sb_printf(b, " (inside '%s' opened at %d:%d)", o->what, o->line, o->col);
}

/* At the end of the input the open construct's closer, when it could come
 * next, is the useful expectation; otherwise the parser's own list. */
static void expected_at_eof(const ParseCtx *ctx, StrBuf *b,
                            const yysymbol_kind_t *exp, int n)
{
    const char *c = ctx->nopen ? closer(&ctx->open[ctx->nopen - 1]) : NULL;
    if (c && expects_name(exp, n, c))
        sb_printf(b, ", expected %s", c);
    else
        list_expected(b, exp, n);
}

/* "unexpected X, expected Y (inside '[' opened at 3:5)". An error at the
 * end of the input is marked incomplete, which tells the REPL to read
 * another line. Returns 0 (reported); with no error rules in the grammar
 * the parse then fails. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, void *scanner,
                                 ParseCtx *ctx)
{
    (void)scanner;
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
    yysymbol_kind_t tok = yypcontext_token(yyctx);
    const OVP_YYLTYPE *l = yypcontext_location(yyctx);
    StrBuf b;
    sb_init(&b);
    bool at_eof = tok == YYSYMBOL_YYEOF;
    sb_printf(&b, "unexpected %s", at_eof ? "end of input" : yysymbol_name(tok));
    if (at_eof)
        expected_at_eof(ctx, &b, exp, n);
    else
        list_expected(&b, exp, n);
    describe_open(ctx, &b, at_eof, l);
    parse_fail(ctx, l->first_line, l->first_column, l->last_line,
               l->last_column, at_eof, "%s", b.s);
    sb_free(&b);
    return 0;
}
