/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison implementation for Yacc-like parsers in C

   Copyright (C) 1984, 1989-1990, 2000-2015, 2018-2021 Free Software Foundation,
   Inc.

   This program is free software: you can redistribute it and/or modify
   it under the terms of the GNU General Public License as published by
   the Free Software Foundation, either version 3 of the License, or
   (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* As a special exception, you may create a larger work that contains
   part or all of the Bison parser skeleton and distribute that work
   under terms of your choice, so long as that work isn't itself a
   parser generator using the skeleton or a modified version thereof
   as a parser skeleton.  Alternatively, if you modify or redistribute
   the parser skeleton itself, you may (at your option) remove this
   special exception, which will cause the skeleton and the resulting
   Bison output files to be licensed under the GNU General Public
   License without this special exception.

   This special exception was added by the Free Software Foundation in
   version 2.2 of Bison.  */

/* C LALR(1) parser skeleton written by Richard Stallman, by
   simplifying the original so-called "semantic" parser.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

/* All symbols defined below should begin with yy or YY, to avoid
   infringing on user name space.  This should be done even for local
   variables, as they might otherwise be expanded by user macros.
   There are some unavoidable exceptions within include files to
   define necessary library symbols; they are noted "INFRINGES ON
   USER NAME SPACE" below.  */

/* Identify Bison output, and Bison version.  */
#define YYBISON 30802

/* Bison version string.  */
#define YYBISON_VERSION "3.8.2"

/* Skeleton name.  */
#define YYSKELETON_NAME "yacc.c"

/* Pure parsers.  */
#define YYPURE 2

/* Push parsers.  */
#define YYPUSH 0

/* Pull parsers.  */
#define YYPULL 1

/* Substitute the type names.  */
#define YYSTYPE         OVP_YYSTYPE
#define YYLTYPE         OVP_YYLTYPE
/* Substitute the variable and function names.  */
#define yyparse         ovp_yyparse
#define yylex           ovp_yylex
#define yyerror         ovp_yyerror
#define yydebug         ovp_yydebug
#define yynerrs         ovp_yynerrs


# ifndef YY_CAST
#  ifdef __cplusplus
#   define YY_CAST(Type, Val) static_cast<Type> (Val)
#   define YY_REINTERPRET_CAST(Type, Val) reinterpret_cast<Type> (Val)
#  else
#   define YY_CAST(Type, Val) ((Type) (Val))
#   define YY_REINTERPRET_CAST(Type, Val) ((Type) (Val))
#  endif
# endif
# ifndef YY_NULLPTR
#  if defined __cplusplus
#   if 201103L <= __cplusplus
#    define YY_NULLPTR nullptr
#   else
#    define YY_NULLPTR 0
#   endif
#  else
#   define YY_NULLPTR ((void*)0)
#  endif
# endif

/* Use api.header.include to #include this header
   instead of duplicating it here.  */
#ifndef YY_OVP_YY_GRAMMAR_PARSER_H_INCLUDED
# define YY_OVP_YY_GRAMMAR_PARSER_H_INCLUDED
/* Debug traces.  */
#ifndef OVP_YYDEBUG
# if defined YYDEBUG
#if YYDEBUG
#   define OVP_YYDEBUG 1
#  else
#   define OVP_YYDEBUG 0
#  endif
# else /* ! defined YYDEBUG */
#  define OVP_YYDEBUG 0
# endif /* ! defined YYDEBUG */
#endif  /* ! defined OVP_YYDEBUG */
#if OVP_YYDEBUG
extern int ovp_yydebug;
#endif
/* "%code requires" blocks.  */
#line 14 "grammar/parser.y"

#include "ast.h"
#include "parse.h"

#line 124 "grammar/parser.c"

/* Token kinds.  */
#ifndef OVP_YYTOKENTYPE
# define OVP_YYTOKENTYPE
  enum ovp_yytokentype
  {
    OVP_YYEMPTY = -2,
    OVP_YYEOF = 0,                 /* "end of file"  */
    OVP_YYerror = 256,             /* error  */
    OVP_YYUNDEF = 257,             /* "invalid token"  */
    NUM = 258,                     /* "number"  */
    STR = 259,                     /* "string"  */
    IDENT = 260,                   /* "identifier"  */
    FIELD = 261,                   /* "field name"  */
    IF = 262,                      /* "'if'"  */
    ELSEIF = 263,                  /* "'elseif'"  */
    ELSE = 264,                    /* "'else'"  */
    END = 265,                     /* "'end'"  */
    FOR = 266,                     /* "'for'"  */
    IN = 267,                      /* "'in'"  */
    WHILE = 268,                   /* "'while'"  */
    BREAK = 269,                   /* "'break'"  */
    CONTINUE = 270,                /* "'continue'"  */
    RETURN = 271,                  /* "'return'"  */
    FN = 272,                      /* "'fn'"  */
    IMPORT = 273,                  /* "'import'"  */
    TRUE = 274,                    /* "'true'"  */
    FALSE = 275,                   /* "'false'"  */
    INDEX_END = 276,               /* "'end' (index)"  */
    NL = 277,                      /* "newline"  */
    OROR = 278,                    /* "'||'"  */
    ANDAND = 279,                  /* "'&&'"  */
    EQ = 280,                      /* "'=='"  */
    NE = 281,                      /* "'!='"  */
    LE = 282,                      /* "'<='"  */
    GE = 283,                      /* "'>='"  */
    EMUL = 284,                    /* "'.*'"  */
    EDIV = 285,                    /* "'./'"  */
    EPOW = 286,                    /* "'.^'"  */
    PLUSEQ = 287,                  /* "'+='"  */
    MINUSEQ = 288,                 /* "'-='"  */
    TIMESEQ = 289,                 /* "'*='"  */
    DIVEQ = 290,                   /* "'/='"  */
    BLOCK_START = 291,             /* BLOCK_START  */
    UNARY = 292                    /* UNARY  */
  };
  typedef enum ovp_yytokentype ovp_yytoken_kind_t;
#endif
/* Token kinds.  */
#define OVP_YYEMPTY -2
#define OVP_YYEOF 0
#define OVP_YYerror 256
#define OVP_YYUNDEF 257
#define NUM 258
#define STR 259
#define IDENT 260
#define FIELD 261
#define IF 262
#define ELSEIF 263
#define ELSE 264
#define END 265
#define FOR 266
#define IN 267
#define WHILE 268
#define BREAK 269
#define CONTINUE 270
#define RETURN 271
#define FN 272
#define IMPORT 273
#define TRUE 274
#define FALSE 275
#define INDEX_END 276
#define NL 277
#define OROR 278
#define ANDAND 279
#define EQ 280
#define NE 281
#define LE 282
#define GE 283
#define EMUL 284
#define EDIV 285
#define EPOW 286
#define PLUSEQ 287
#define MINUSEQ 288
#define TIMESEQ 289
#define DIVEQ 290
#define BLOCK_START 291
#define UNARY 292

/* Value type.  */
#if ! defined OVP_YYSTYPE && ! defined OVP_YYSTYPE_IS_DECLARED
union OVP_YYSTYPE
{
#line 111 "grammar/parser.y"

    double num;
    char *str;
    AstNode *node;
    int op;

#line 225 "grammar/parser.c"

};
typedef union OVP_YYSTYPE OVP_YYSTYPE;
# define OVP_YYSTYPE_IS_TRIVIAL 1
# define OVP_YYSTYPE_IS_DECLARED 1
#endif

/* Location type.  */
#if ! defined OVP_YYLTYPE && ! defined OVP_YYLTYPE_IS_DECLARED
typedef struct OVP_YYLTYPE OVP_YYLTYPE;
struct OVP_YYLTYPE
{
  int first_line;
  int first_column;
  int last_line;
  int last_column;
};
# define OVP_YYLTYPE_IS_DECLARED 1
# define OVP_YYLTYPE_IS_TRIVIAL 1
#endif




int ovp_yyparse (void *scanner, ParseCtx *ctx);

/* "%code provides" blocks.  */
#line 19 "grammar/parser.y"

int ovp_yylex(OVP_YYSTYPE *lval, OVP_YYLTYPE *lloc, void *scanner);

#line 257 "grammar/parser.c"

#endif /* !YY_OVP_YY_GRAMMAR_PARSER_H_INCLUDED  */
/* Symbol kind.  */
enum yysymbol_kind_t
{
  YYSYMBOL_YYEMPTY = -2,
  YYSYMBOL_YYEOF = 0,                      /* "end of file"  */
  YYSYMBOL_YYerror = 1,                    /* error  */
  YYSYMBOL_YYUNDEF = 2,                    /* "invalid token"  */
  YYSYMBOL_NUM = 3,                        /* "number"  */
  YYSYMBOL_STR = 4,                        /* "string"  */
  YYSYMBOL_IDENT = 5,                      /* "identifier"  */
  YYSYMBOL_FIELD = 6,                      /* "field name"  */
  YYSYMBOL_IF = 7,                         /* "'if'"  */
  YYSYMBOL_ELSEIF = 8,                     /* "'elseif'"  */
  YYSYMBOL_ELSE = 9,                       /* "'else'"  */
  YYSYMBOL_END = 10,                       /* "'end'"  */
  YYSYMBOL_FOR = 11,                       /* "'for'"  */
  YYSYMBOL_IN = 12,                        /* "'in'"  */
  YYSYMBOL_WHILE = 13,                     /* "'while'"  */
  YYSYMBOL_BREAK = 14,                     /* "'break'"  */
  YYSYMBOL_CONTINUE = 15,                  /* "'continue'"  */
  YYSYMBOL_RETURN = 16,                    /* "'return'"  */
  YYSYMBOL_FN = 17,                        /* "'fn'"  */
  YYSYMBOL_IMPORT = 18,                    /* "'import'"  */
  YYSYMBOL_TRUE = 19,                      /* "'true'"  */
  YYSYMBOL_FALSE = 20,                     /* "'false'"  */
  YYSYMBOL_INDEX_END = 21,                 /* "'end' (index)"  */
  YYSYMBOL_NL = 22,                        /* "newline"  */
  YYSYMBOL_OROR = 23,                      /* "'||'"  */
  YYSYMBOL_ANDAND = 24,                    /* "'&&'"  */
  YYSYMBOL_EQ = 25,                        /* "'=='"  */
  YYSYMBOL_NE = 26,                        /* "'!='"  */
  YYSYMBOL_LE = 27,                        /* "'<='"  */
  YYSYMBOL_GE = 28,                        /* "'>='"  */
  YYSYMBOL_EMUL = 29,                      /* "'.*'"  */
  YYSYMBOL_EDIV = 30,                      /* "'./'"  */
  YYSYMBOL_EPOW = 31,                      /* "'.^'"  */
  YYSYMBOL_PLUSEQ = 32,                    /* "'+='"  */
  YYSYMBOL_MINUSEQ = 33,                   /* "'-='"  */
  YYSYMBOL_TIMESEQ = 34,                   /* "'*='"  */
  YYSYMBOL_DIVEQ = 35,                     /* "'/='"  */
  YYSYMBOL_BLOCK_START = 36,               /* BLOCK_START  */
  YYSYMBOL_37_ = 37,                       /* '<'  */
  YYSYMBOL_38_ = 38,                       /* '>'  */
  YYSYMBOL_39_ = 39,                       /* '+'  */
  YYSYMBOL_40_ = 40,                       /* '-'  */
  YYSYMBOL_41_ = 41,                       /* '*'  */
  YYSYMBOL_42_ = 42,                       /* '/'  */
  YYSYMBOL_43_ = 43,                       /* '\\'  */
  YYSYMBOL_UNARY = 44,                     /* UNARY  */
  YYSYMBOL_45_ = 45,                       /* '^'  */
  YYSYMBOL_46_ = 46,                       /* '('  */
  YYSYMBOL_47_ = 47,                       /* '['  */
  YYSYMBOL_48_ = 48,                       /* ';'  */
  YYSYMBOL_49_ = 49,                       /* '='  */
  YYSYMBOL_50_ = 50,                       /* ','  */
  YYSYMBOL_51_ = 51,                       /* ')'  */
  YYSYMBOL_52_ = 52,                       /* ':'  */
  YYSYMBOL_53_ = 53,                       /* '!'  */
  YYSYMBOL_54_ = 54,                       /* ']'  */
  YYSYMBOL_55_ = 55,                       /* '.'  */
  YYSYMBOL_56_ = 56,                       /* '\''  */
  YYSYMBOL_57_ = 57,                       /* '{'  */
  YYSYMBOL_58_ = 58,                       /* '}'  */
  YYSYMBOL_YYACCEPT = 59,                  /* $accept  */
  YYSYMBOL_program = 60,                   /* program  */
  YYSYMBOL_block = 61,                     /* block  */
  YYSYMBOL_stmts = 62,                     /* stmts  */
  YYSYMBOL_seps = 63,                      /* seps  */
  YYSYMBOL_sep = 64,                       /* sep  */
  YYSYMBOL_opt_seps = 65,                  /* opt_seps  */
  YYSYMBOL_stmt = 66,                      /* stmt  */
  YYSYMBOL_simple_stmt = 67,               /* simple_stmt  */
  YYSYMBOL_targets = 68,                   /* targets  */
  YYSYMBOL_compound_op = 69,               /* compound_op  */
  YYSYMBOL_if_stmt = 70,                   /* if_stmt  */
  YYSYMBOL_elifs = 71,                     /* elifs  */
  YYSYMBOL_for_stmt = 72,                  /* for_stmt  */
  YYSYMBOL_while_stmt = 73,                /* while_stmt  */
  YYSYMBOL_fn_stmt = 74,                   /* fn_stmt  */
  YYSYMBOL_func = 75,                      /* func  */
  YYSYMBOL_params = 76,                    /* params  */
  YYSYMBOL_paramlist = 77,                 /* paramlist  */
  YYSYMBOL_param = 78,                     /* param  */
  YYSYMBOL_expr = 79,                      /* expr  */
  YYSYMBOL_range = 80,                     /* range  */
  YYSYMBOL_arith = 81,                     /* arith  */
  YYSYMBOL_postfix = 82,                   /* postfix  */
  YYSYMBOL_primary = 83,                   /* primary  */
  YYSYMBOL_args = 84,                      /* args  */
  YYSYMBOL_arglist = 85,                   /* arglist  */
  YYSYMBOL_arg = 86,                       /* arg  */
  YYSYMBOL_index_args = 87,                /* index_args  */
  YYSYMBOL_index_arg = 88,                 /* index_arg  */
  YYSYMBOL_matrix = 89,                    /* matrix  */
  YYSYMBOL_rows = 90,                      /* rows  */
  YYSYMBOL_row = 91,                       /* row  */
  YYSYMBOL_list = 92,                      /* list  */
  YYSYMBOL_items = 93,                     /* items  */
  YYSYMBOL_record = 94,                    /* record  */
  YYSYMBOL_fields = 95,                    /* fields  */
  YYSYMBOL_opt_comma = 96                  /* opt_comma  */
};
typedef enum yysymbol_kind_t yysymbol_kind_t;



/* Unqualified %code blocks.  */
#line 23 "grammar/parser.y"

#include <stdlib.h>
#include <string.h>

/* A Loc for the tree from a Bison span. */
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

static AstNode *binop(ParseCtx *ctx, AstOp op, OVP_YYLTYPE l, AstNode *a,
                      AstNode *b)
{
    return bounded(ctx, ast_op(AST_BINOP, op, mkloc(ctx, l), a, b), l);
}

static AstNode *unop(ParseCtx *ctx, AstOp op, OVP_YYLTYPE l, AstNode *a)
{
    return bounded(ctx, ast_op(AST_UNOP, op, mkloc(ctx, l), a, NULL), l);
}

/* Fills the placeholder kids[0] of an argument list with the callee. */
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

/* Only names, indexings and field accesses of those can be assigned. */
static bool is_target(const AstNode *n)
{
    if (n->kind == AST_IDENT)
        return true;
    if (n->kind == AST_INDEX || n->kind == AST_FIELD)
        return is_target(n->kids[0]);
    return false;
}

static AstNode *assignment(ParseCtx *ctx, AstNode *targets, AstOp op,
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

#line 455 "grammar/parser.c"

#ifdef short
# undef short
#endif

/* On compilers that do not define __PTRDIFF_MAX__ etc., make sure
   <limits.h> and (if available) <stdint.h> are included
   so that the code can choose integer types of a good width.  */

#ifndef __PTRDIFF_MAX__
# include <limits.h> /* INFRINGES ON USER NAME SPACE */
# if defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stdint.h> /* INFRINGES ON USER NAME SPACE */
#  define YY_STDINT_H
# endif
#endif

/* Narrow types that promote to a signed type and that can represent a
   signed or unsigned integer of at least N bits.  In tables they can
   save space and decrease cache pressure.  Promoting to a signed type
   helps avoid bugs in integer arithmetic.  */

#ifdef __INT_LEAST8_MAX__
typedef __INT_LEAST8_TYPE__ yytype_int8;
#elif defined YY_STDINT_H
typedef int_least8_t yytype_int8;
#else
typedef signed char yytype_int8;
#endif

#ifdef __INT_LEAST16_MAX__
typedef __INT_LEAST16_TYPE__ yytype_int16;
#elif defined YY_STDINT_H
typedef int_least16_t yytype_int16;
#else
typedef short yytype_int16;
#endif

/* Work around bug in HP-UX 11.23, which defines these macros
   incorrectly for preprocessor constants.  This workaround can likely
   be removed in 2023, as HPE has promised support for HP-UX 11.23
   (aka HP-UX 11i v2) only through the end of 2022; see Table 2 of
   <https://h20195.www2.hpe.com/V2/getpdf.aspx/4AA4-7673ENW.pdf>.  */
#ifdef __hpux
# undef UINT_LEAST8_MAX
# undef UINT_LEAST16_MAX
# define UINT_LEAST8_MAX 255
# define UINT_LEAST16_MAX 65535
#endif

#if defined __UINT_LEAST8_MAX__ && __UINT_LEAST8_MAX__ <= __INT_MAX__
typedef __UINT_LEAST8_TYPE__ yytype_uint8;
#elif (!defined __UINT_LEAST8_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST8_MAX <= INT_MAX)
typedef uint_least8_t yytype_uint8;
#elif !defined __UINT_LEAST8_MAX__ && UCHAR_MAX <= INT_MAX
typedef unsigned char yytype_uint8;
#else
typedef short yytype_uint8;
#endif

#if defined __UINT_LEAST16_MAX__ && __UINT_LEAST16_MAX__ <= __INT_MAX__
typedef __UINT_LEAST16_TYPE__ yytype_uint16;
#elif (!defined __UINT_LEAST16_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST16_MAX <= INT_MAX)
typedef uint_least16_t yytype_uint16;
#elif !defined __UINT_LEAST16_MAX__ && USHRT_MAX <= INT_MAX
typedef unsigned short yytype_uint16;
#else
typedef int yytype_uint16;
#endif

#ifndef YYPTRDIFF_T
# if defined __PTRDIFF_TYPE__ && defined __PTRDIFF_MAX__
#  define YYPTRDIFF_T __PTRDIFF_TYPE__
#  define YYPTRDIFF_MAXIMUM __PTRDIFF_MAX__
# elif defined PTRDIFF_MAX
#  ifndef ptrdiff_t
#   include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  endif
#  define YYPTRDIFF_T ptrdiff_t
#  define YYPTRDIFF_MAXIMUM PTRDIFF_MAX
# else
#  define YYPTRDIFF_T long
#  define YYPTRDIFF_MAXIMUM LONG_MAX
# endif
#endif

#ifndef YYSIZE_T
# ifdef __SIZE_TYPE__
#  define YYSIZE_T __SIZE_TYPE__
# elif defined size_t
#  define YYSIZE_T size_t
# elif defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  define YYSIZE_T size_t
# else
#  define YYSIZE_T unsigned
# endif
#endif

#define YYSIZE_MAXIMUM                                  \
  YY_CAST (YYPTRDIFF_T,                                 \
           (YYPTRDIFF_MAXIMUM < YY_CAST (YYSIZE_T, -1)  \
            ? YYPTRDIFF_MAXIMUM                         \
            : YY_CAST (YYSIZE_T, -1)))

#define YYSIZEOF(X) YY_CAST (YYPTRDIFF_T, sizeof (X))


/* Stored state numbers (used for stacks). */
typedef yytype_uint8 yy_state_t;

/* State numbers in computations.  */
typedef int yy_state_fast_t;

#ifndef YY_
# if defined YYENABLE_NLS && YYENABLE_NLS
#  if ENABLE_NLS
#   include <libintl.h> /* INFRINGES ON USER NAME SPACE */
#   define YY_(Msgid) dgettext ("bison-runtime", Msgid)
#  endif
# endif
# ifndef YY_
#  define YY_(Msgid) Msgid
# endif
#endif


#ifndef YY_ATTRIBUTE_PURE
# if defined __GNUC__ && 2 < __GNUC__ + (96 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_PURE __attribute__ ((__pure__))
# else
#  define YY_ATTRIBUTE_PURE
# endif
#endif

#ifndef YY_ATTRIBUTE_UNUSED
# if defined __GNUC__ && 2 < __GNUC__ + (7 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_UNUSED __attribute__ ((__unused__))
# else
#  define YY_ATTRIBUTE_UNUSED
# endif
#endif

/* Suppress unused-variable warnings by "using" E.  */
#if ! defined lint || defined __GNUC__
# define YY_USE(E) ((void) (E))
#else
# define YY_USE(E) /* empty */
#endif

/* Suppress an incorrect diagnostic about yylval being uninitialized.  */
#if defined __GNUC__ && ! defined __ICC && 406 <= __GNUC__ * 100 + __GNUC_MINOR__
# if __GNUC__ * 100 + __GNUC_MINOR__ < 407
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")
# else
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")              \
    _Pragma ("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
# endif
# define YY_IGNORE_MAYBE_UNINITIALIZED_END      \
    _Pragma ("GCC diagnostic pop")
#else
# define YY_INITIAL_VALUE(Value) Value
#endif
#ifndef YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_END
#endif
#ifndef YY_INITIAL_VALUE
# define YY_INITIAL_VALUE(Value) /* Nothing. */
#endif

#if defined __cplusplus && defined __GNUC__ && ! defined __ICC && 6 <= __GNUC__
# define YY_IGNORE_USELESS_CAST_BEGIN                          \
    _Pragma ("GCC diagnostic push")                            \
    _Pragma ("GCC diagnostic ignored \"-Wuseless-cast\"")
# define YY_IGNORE_USELESS_CAST_END            \
    _Pragma ("GCC diagnostic pop")
#endif
#ifndef YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_END
#endif


#define YY_ASSERT(E) ((void) (0 && (E)))

#if 1

/* The parser invokes alloca or malloc; define the necessary symbols.  */

# ifdef YYSTACK_ALLOC
   /* Pacify GCC's 'empty if-body' warning.  */
#  define YYSTACK_FREE(Ptr) do { /* empty */; } while (0)
#  ifndef YYSTACK_ALLOC_MAXIMUM
    /* The OS might guarantee only one guard page at the bottom of the stack,
       and a page size can be as small as 4096 bytes.  So we cannot safely
       invoke alloca (N) if N exceeds 4096.  Use a slightly smaller number
       to allow for a few compiler-allocated temporary stack slots.  */
#   define YYSTACK_ALLOC_MAXIMUM 4032 /* reasonable circa 2006 */
#  endif
# else
#  define YYSTACK_ALLOC YYMALLOC
#  define YYSTACK_FREE YYFREE
#  ifndef YYSTACK_ALLOC_MAXIMUM
#   define YYSTACK_ALLOC_MAXIMUM YYSIZE_MAXIMUM
#  endif
#  if (defined __cplusplus && ! defined EXIT_SUCCESS \
       && ! ((defined YYMALLOC || defined malloc) \
             && (defined YYFREE || defined free)))
#   include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
#   ifndef EXIT_SUCCESS
#    define EXIT_SUCCESS 0
#   endif
#  endif
#  ifndef YYMALLOC
#   define YYMALLOC malloc
#   if ! defined malloc && ! defined EXIT_SUCCESS
void *malloc (YYSIZE_T); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
#  ifndef YYFREE
#   define YYFREE free
#   if ! defined free && ! defined EXIT_SUCCESS
void free (void *); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
# endif
# define YYCOPY_NEEDED 1
#endif /* 1 */

#if (! defined yyoverflow \
     && (! defined __cplusplus \
         || (defined OVP_YYLTYPE_IS_TRIVIAL && OVP_YYLTYPE_IS_TRIVIAL \
             && defined OVP_YYSTYPE_IS_TRIVIAL && OVP_YYSTYPE_IS_TRIVIAL)))

/* A type that is properly aligned for any stack member.  */
union yyalloc
{
  yy_state_t yyss_alloc;
  YYSTYPE yyvs_alloc;
  YYLTYPE yyls_alloc;
};

/* The size of the maximum gap between one aligned stack and the next.  */
# define YYSTACK_GAP_MAXIMUM (YYSIZEOF (union yyalloc) - 1)

/* The size of an array large to enough to hold all stacks, each with
   N elements.  */
# define YYSTACK_BYTES(N) \
     ((N) * (YYSIZEOF (yy_state_t) + YYSIZEOF (YYSTYPE) \
             + YYSIZEOF (YYLTYPE)) \
      + 2 * YYSTACK_GAP_MAXIMUM)

# define YYCOPY_NEEDED 1

/* Relocate STACK from its old location to the new one.  The
   local variables YYSIZE and YYSTACKSIZE give the old and new number of
   elements in the stack, and YYPTR gives the new location of the
   stack.  Advance YYPTR to a properly aligned location for the next
   stack.  */
# define YYSTACK_RELOCATE(Stack_alloc, Stack)                           \
    do                                                                  \
      {                                                                 \
        YYPTRDIFF_T yynewbytes;                                         \
        YYCOPY (&yyptr->Stack_alloc, Stack, yysize);                    \
        Stack = &yyptr->Stack_alloc;                                    \
        yynewbytes = yystacksize * YYSIZEOF (*Stack) + YYSTACK_GAP_MAXIMUM; \
        yyptr += yynewbytes / YYSIZEOF (*yyptr);                        \
      }                                                                 \
    while (0)

#endif

#if defined YYCOPY_NEEDED && YYCOPY_NEEDED
/* Copy COUNT objects from SRC to DST.  The source and destination do
   not overlap.  */
# ifndef YYCOPY
#  if defined __GNUC__ && 1 < __GNUC__
#   define YYCOPY(Dst, Src, Count) \
      __builtin_memcpy (Dst, Src, YY_CAST (YYSIZE_T, (Count)) * sizeof (*(Src)))
#  else
#   define YYCOPY(Dst, Src, Count)              \
      do                                        \
        {                                       \
          YYPTRDIFF_T yyi;                      \
          for (yyi = 0; yyi < (Count); yyi++)   \
            (Dst)[yyi] = (Src)[yyi];            \
        }                                       \
      while (0)
#  endif
# endif
#endif /* !YYCOPY_NEEDED */

/* YYFINAL -- State number of the termination state.  */
#define YYFINAL  8
/* YYLAST -- Last index in YYTABLE.  */
#define YYLAST   436

/* YYNTOKENS -- Number of terminals.  */
#define YYNTOKENS  59
/* YYNNTS -- Number of nonterminals.  */
#define YYNNTS  38
/* YYNRULES -- Number of rules.  */
#define YYNRULES  112
/* YYNSTATES -- Number of states.  */
#define YYNSTATES  190

/* YYMAXUTOK -- Last valid token kind.  */
#define YYMAXUTOK   292


/* YYTRANSLATE(TOKEN-NUM) -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex, with out-of-bounds checking.  */
#define YYTRANSLATE(YYX)                                \
  (0 <= (YYX) && (YYX) <= YYMAXUTOK                     \
   ? YY_CAST (yysymbol_kind_t, yytranslate[YYX])        \
   : YYSYMBOL_YYUNDEF)

/* YYTRANSLATE[TOKEN-NUM] -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex.  */
static const yytype_int8 yytranslate[] =
{
       0,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    53,     2,     2,     2,     2,     2,    56,
      46,    51,    41,    39,    50,    40,    55,    42,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,    52,    48,
      37,    49,    38,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,    47,    43,    54,    45,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    57,     2,    58,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     1,     2,     3,     4,
       5,     6,     7,     8,     9,    10,    11,    12,    13,    14,
      15,    16,    17,    18,    19,    20,    21,    22,    23,    24,
      25,    26,    27,    28,    29,    30,    31,    32,    33,    34,
      35,    36,    44
};

#if OVP_YYDEBUG
/* YYRLINE[YYN] -- Source line where rule number YYN was defined.  */
static const yytype_int16 yyrline[] =
{
       0,   155,   155,   158,   159,   162,   163,   166,   166,   167,
     167,   168,   168,   170,   171,   172,   173,   174,   177,   178,
     179,   181,   182,   183,   184,   185,   188,   189,   192,   192,
     193,   193,   196,   199,   205,   206,   209,   215,   218,   225,
     228,   229,   232,   233,   236,   237,   240,   241,   242,   243,
     244,   245,   246,   247,   248,   251,   252,   253,   256,   257,
     258,   259,   260,   261,   262,   263,   264,   265,   266,   267,
     268,   271,   272,   273,   274,   275,   278,   279,   280,   281,
     282,   283,   284,   285,   286,   287,   288,   292,   293,   296,
     297,   300,   301,   304,   305,   308,   309,   312,   313,   314,
     317,   318,   321,   322,   325,   326,   329,   330,   333,   336,
     338,   341,   341
};
#endif

/** Accessing symbol of state STATE.  */
#define YY_ACCESSING_SYMBOL(State) YY_CAST (yysymbol_kind_t, yystos[State])

#if 1
/* The user-facing name of the symbol whose (internal) number is
   YYSYMBOL.  No bounds checking.  */
static const char *yysymbol_name (yysymbol_kind_t yysymbol) YY_ATTRIBUTE_UNUSED;

static const char *
yysymbol_name (yysymbol_kind_t yysymbol)
{
  static const char *const yy_sname[] =
  {
  "end of file", "error", "invalid token", "number", "string",
  "identifier", "field name", "'if'", "'elseif'", "'else'", "'end'",
  "'for'", "'in'", "'while'", "'break'", "'continue'", "'return'", "'fn'",
  "'import'", "'true'", "'false'", "'end' (index)", "newline", "'||'",
  "'&&'", "'=='", "'!='", "'<='", "'>='", "'.*'", "'./'", "'.^'", "'+='",
  "'-='", "'*='", "'/='", "BLOCK_START", "'<'", "'>'", "'+'", "'-'", "'*'",
  "'/'", "'\\\\'", "UNARY", "'^'", "'('", "'['", "';'", "'='", "','",
  "')'", "':'", "'!'", "']'", "'.'", "'\\''", "'{'", "'}'", "$accept",
  "program", "block", "stmts", "seps", "sep", "opt_seps", "stmt",
  "simple_stmt", "targets", "compound_op", "if_stmt", "elifs", "for_stmt",
  "while_stmt", "fn_stmt", "func", "params", "paramlist", "param", "expr",
  "range", "arith", "postfix", "primary", "args", "arglist", "arg",
  "index_args", "index_arg", "matrix", "rows", "row", "list", "items",
  "record", "fields", "opt_comma", YY_NULLPTR
  };
  return yy_sname[yysymbol];
}
#endif

#define YYPACT_NINF (-44)

#define yypact_value_is_default(Yyn) \
  ((Yyn) == YYPACT_NINF)

#define YYTABLE_NINF (-27)

#define yytable_value_is_error(Yyn) \
  ((Yyn) == YYTABLE_NINF)

/* YYPACT[STATE-NUM] -- Index in YYTABLE of the portion describing
   STATE-NUM.  */
static const yytype_int16 yypact[] =
{
     -12,   -44,   -44,     4,   -44,   -12,   -44,   221,   -44,   -44,
     -44,   -44,   -44,   308,    10,   308,   -44,   -44,   308,    -4,
      34,   -44,   -44,   -44,   308,   308,   308,    73,   308,   118,
     -12,   -44,   -44,   -15,   -44,   -44,   -44,   -44,   -44,   398,
     -44,   358,   317,   -44,   -44,   -44,   -44,    -3,     2,    86,
      29,     2,   398,     1,    50,   -44,   -28,   -28,    -5,   -44,
     398,   -17,     6,   -28,   308,   -44,   398,     7,     9,   174,
     -44,   308,   198,   308,   308,   308,   308,   308,   308,   308,
     308,   308,   308,   308,   308,   308,   308,   308,   308,   308,
     308,   -44,   -44,   -44,   -44,   339,   245,    64,   -44,   308,
     -44,   308,    39,    50,    21,    22,    24,   -44,   -44,   284,
     -44,   308,   398,   308,    17,    74,    23,   -44,   398,    86,
     135,   172,   343,   343,   343,   343,   343,   343,   -28,   -28,
     -28,   228,   228,   -28,   -28,   -28,   -28,   375,    30,   398,
      33,    35,   -44,   -44,   398,   -43,   -44,   -44,   398,    44,
       2,   -44,    36,   308,   -12,    50,   -44,     6,   398,   398,
     -44,   308,   -44,   308,   308,   -44,   339,   245,   -44,   308,
     -12,   -44,    79,   -12,   398,    81,   -44,   398,   277,   398,
     -44,   -44,     2,    85,   -44,    87,   -44,   -44,   -44,   -44
};

/* YYDEFACT[STATE-NUM] -- Default reduction number in state STATE-NUM.
   Performed when YYTABLE does not specify something else to do.  Zero
   means the default is an error.  */
static const yytype_int8 yydefact[] =
{
      11,     9,    10,     0,     2,    12,     7,     3,     1,     8,
      76,    77,    80,     0,     0,     0,    21,    22,    23,     0,
       0,    78,    79,    81,     0,     0,     0,     0,     0,     0,
      11,     5,    13,     0,    14,    15,    16,    17,    86,    18,
      54,    55,    70,    71,    83,    84,    85,     0,    11,    70,
       0,    11,    24,     0,    40,    25,    68,    67,     0,    97,
     102,     0,   100,    69,     0,   104,   106,   111,   111,    12,
       4,     0,     0,     0,     0,     0,     0,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
       0,    28,    29,    30,    31,    87,     0,     0,    75,     0,
      34,     0,     0,    40,    44,     0,    41,    42,    82,     0,
      98,     0,   109,   112,     0,   112,     0,     6,    19,    27,
      46,    47,    48,    49,    51,    53,    50,    52,    63,    64,
      66,    58,    59,    60,    61,    62,    65,    56,    80,    91,
       0,    88,    89,    96,    95,     0,    93,    74,    20,     0,
      11,    37,     0,     0,    11,     0,    99,   101,   103,   107,
     105,     0,   108,     0,     0,    72,     0,     0,    73,     0,
      11,    32,     0,    11,    45,     0,    43,   110,    57,    92,
      90,    94,    11,     0,    36,     0,    39,    35,    33,    38
};

/* YYPGOTO[NTERM-NUM].  */
static const yytype_int8 yypgoto[] =
{
     -44,   -44,   -39,   -44,    69,     3,    84,    47,   -44,   -44,
     -44,   -44,   -44,   -44,   -44,   -44,   -44,    14,   -44,   -37,
     -13,   -44,    20,    -1,   -44,   -44,   -44,   -41,   -44,   -38,
     -44,   -44,    19,   -44,   -44,   -44,   -44,    68
};

/* YYDEFGOTO[NTERM-NUM].  */
static const yytype_uint8 yydefgoto[] =
{
       0,     3,     4,    30,     5,     6,     7,    31,    32,    33,
      99,    34,   149,    35,    36,    37,    38,   105,   106,   107,
      39,    40,    41,    49,    43,   140,   141,   142,   145,   146,
      44,    61,    62,    45,    67,    46,    68,   114
};

/* YYTABLE[YYPACT[STATE-NUM]] -- What to do in state STATE-NUM.  If
   positive, shift that token.  If negative, reduce the rule whose
   number is the opposite.  If YYTABLE_NINF, syntax error.  */
static const yytype_int16 yytable[] =
{
      48,    53,    51,    83,     8,    52,    42,   167,     9,   100,
       1,   168,   102,    58,    60,    50,    66,    89,    73,    74,
      75,    76,    77,    78,     1,    73,    74,    75,    76,    77,
      78,   109,    79,    80,    71,    72,     2,   110,    55,    79,
      80,   101,    54,    54,    56,    57,   108,   103,    63,   151,
       2,   112,   169,   170,   171,   104,   111,   113,   118,   115,
     120,   121,   122,   123,   124,   125,   126,   127,    42,   147,
     153,   119,     9,   154,   155,   160,    10,    11,    12,   164,
     161,   162,   139,   144,   165,   166,   148,   173,   150,   184,
      47,   186,    21,    22,    23,   188,    60,   189,   158,    69,
     159,   128,   129,   130,   131,   132,   133,   134,   135,   136,
     137,   172,    24,    25,    70,   175,   117,   152,   176,    26,
      27,    10,    11,    12,    64,   180,    28,    59,   157,   181,
      29,   183,    95,    96,   185,    47,   116,    21,    22,    23,
     174,    97,    98,   187,     0,     0,     0,     0,   177,     0,
       0,   179,     0,   139,   144,     0,   182,    24,    25,    74,
      75,    76,    77,    78,    26,    27,     0,     0,     0,     0,
       0,    28,    79,    80,     0,    29,    65,    10,    11,    12,
       0,    13,     0,   178,     0,    14,     0,    15,    16,    17,
      18,    19,    20,    21,    22,    23,     1,    75,    76,    77,
      78,    10,    11,    12,     0,     0,     0,     0,     0,    79,
      80,     0,     0,    24,    25,    47,     0,    21,    22,    23,
      26,    27,     2,     0,    10,    11,    12,    28,    13,     0,
       0,    29,    14,     0,    15,    16,    17,    18,    19,    20,
      21,    22,    23,     0,    26,    27,     0,     0,    10,    11,
      12,     0,     0,     0,     0,    29,     0,    81,    82,    83,
      24,    25,    47,     0,    21,    22,    23,    26,    27,    86,
      87,    88,     0,    89,    28,     0,     0,     0,    29,     0,
       0,     0,     0,     0,    24,    25,     0,    10,    11,    12,
       0,    26,    27,     0,     0,     0,     0,   143,    28,     0,
       0,    47,    29,    21,    22,    23,    81,    82,    83,     0,
       0,    10,    11,    12,     0,     0,    84,    85,    86,    87,
      88,     0,    89,    24,    25,    47,     0,    21,    22,    23,
      26,    27,     0,     0,     0,     0,     0,    28,   156,     0,
       0,    29,    10,    11,   138,     0,     0,    24,    25,    91,
      92,    93,    94,     0,    26,    27,    47,     0,    21,    22,
      23,    28,     0,    95,    96,    29,   -26,   -26,   -27,   -27,
     -27,   -27,    97,    98,     0,     0,     0,     0,    24,    25,
     -27,   -27,     0,     0,     0,    26,    27,    81,    82,    83,
       0,     0,    28,     0,     0,     0,    29,    84,    85,    86,
      87,    88,     0,    89,    81,    82,    83,     0,     0,     0,
      90,     0,     0,     0,    84,    85,    86,    87,    88,     0,
      89,    73,    74,    75,    76,    77,    78,   163,     0,     0,
       0,     0,     0,     0,     0,    79,    80
};

static const yytype_int16 yycheck[] =
{
      13,     5,    15,    31,     0,    18,     7,    50,     5,    48,
      22,    54,    51,    26,    27,     5,    29,    45,    23,    24,
      25,    26,    27,    28,    22,    23,    24,    25,    26,    27,
      28,    48,    37,    38,    49,    50,    48,    54,     4,    37,
      38,    12,    46,    46,    24,    25,    51,    46,    28,    10,
      48,    64,     8,     9,    10,     5,    50,    50,    71,    50,
      73,    74,    75,    76,    77,    78,    79,    80,    69,     5,
      49,    72,    69,    51,    50,    58,     3,     4,     5,    49,
       6,    58,    95,    96,    51,    50,    99,    51,   101,    10,
      17,    10,    19,    20,    21,    10,   109,    10,   111,    30,
     113,    81,    82,    83,    84,    85,    86,    87,    88,    89,
      90,   150,    39,    40,    30,   154,    69,   103,   155,    46,
      47,     3,     4,     5,     6,   166,    53,    54,   109,   167,
      57,   170,    46,    47,   173,    17,    68,    19,    20,    21,
     153,    55,    56,   182,    -1,    -1,    -1,    -1,   161,    -1,
      -1,   164,    -1,   166,   167,    -1,   169,    39,    40,    24,
      25,    26,    27,    28,    46,    47,    -1,    -1,    -1,    -1,
      -1,    53,    37,    38,    -1,    57,    58,     3,     4,     5,
      -1,     7,    -1,   163,    -1,    11,    -1,    13,    14,    15,
      16,    17,    18,    19,    20,    21,    22,    25,    26,    27,
      28,     3,     4,     5,    -1,    -1,    -1,    -1,    -1,    37,
      38,    -1,    -1,    39,    40,    17,    -1,    19,    20,    21,
      46,    47,    48,    -1,     3,     4,     5,    53,     7,    -1,
      -1,    57,    11,    -1,    13,    14,    15,    16,    17,    18,
      19,    20,    21,    -1,    46,    47,    -1,    -1,     3,     4,
       5,    -1,    -1,    -1,    -1,    57,    -1,    29,    30,    31,
      39,    40,    17,    -1,    19,    20,    21,    46,    47,    41,
      42,    43,    -1,    45,    53,    -1,    -1,    -1,    57,    -1,
      -1,    -1,    -1,    -1,    39,    40,    -1,     3,     4,     5,
      -1,    46,    47,    -1,    -1,    -1,    -1,    52,    53,    -1,
      -1,    17,    57,    19,    20,    21,    29,    30,    31,    -1,
      -1,     3,     4,     5,    -1,    -1,    39,    40,    41,    42,
      43,    -1,    45,    39,    40,    17,    -1,    19,    20,    21,
      46,    47,    -1,    -1,    -1,    -1,    -1,    53,    54,    -1,
      -1,    57,     3,     4,     5,    -1,    -1,    39,    40,    32,
      33,    34,    35,    -1,    46,    47,    17,    -1,    19,    20,
      21,    53,    -1,    46,    47,    57,    49,    50,    25,    26,
      27,    28,    55,    56,    -1,    -1,    -1,    -1,    39,    40,
      37,    38,    -1,    -1,    -1,    46,    47,    29,    30,    31,
      -1,    -1,    53,    -1,    -1,    -1,    57,    39,    40,    41,
      42,    43,    -1,    45,    29,    30,    31,    -1,    -1,    -1,
      52,    -1,    -1,    -1,    39,    40,    41,    42,    43,    -1,
      45,    23,    24,    25,    26,    27,    28,    52,    -1,    -1,
      -1,    -1,    -1,    -1,    -1,    37,    38
};

/* YYSTOS[STATE-NUM] -- The symbol kind of the accessing symbol of
   state STATE-NUM.  */
static const yytype_int8 yystos[] =
{
       0,    22,    48,    60,    61,    63,    64,    65,     0,    64,
       3,     4,     5,     7,    11,    13,    14,    15,    16,    17,
      18,    19,    20,    21,    39,    40,    46,    47,    53,    57,
      62,    66,    67,    68,    70,    72,    73,    74,    75,    79,
      80,    81,    82,    83,    89,    92,    94,    17,    79,    82,
       5,    79,    79,     5,    46,     4,    81,    81,    79,    54,
      79,    90,    91,    81,     6,    58,    79,    93,    95,    63,
      65,    49,    50,    23,    24,    25,    26,    27,    28,    37,
      38,    29,    30,    31,    39,    40,    41,    42,    43,    45,
      52,    32,    33,    34,    35,    46,    47,    55,    56,    69,
      61,    12,    61,    46,     5,    76,    77,    78,    51,    48,
      54,    50,    79,    50,    96,    50,    96,    66,    79,    82,
      79,    79,    79,    79,    79,    79,    79,    79,    81,    81,
      81,    81,    81,    81,    81,    81,    81,    81,     5,    79,
      84,    85,    86,    52,    79,    87,    88,     5,    79,    71,
      79,    10,    76,    49,    51,    50,    54,    91,    79,    79,
      58,     6,    58,    52,    49,    51,    50,    50,    54,     8,
       9,    10,    61,    51,    79,    61,    78,    79,    81,    79,
      86,    88,    79,    61,    10,    61,    10,    61,    10,    10
};

/* YYR1[RULE-NUM] -- Symbol kind of the left-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr1[] =
{
       0,    59,    60,    61,    61,    62,    62,    63,    63,    64,
      64,    65,    65,    66,    66,    66,    66,    66,    67,    67,
      67,    67,    67,    67,    67,    67,    68,    68,    69,    69,
      69,    69,    70,    70,    71,    71,    72,    73,    74,    75,
      76,    76,    77,    77,    78,    78,    79,    79,    79,    79,
      79,    79,    79,    79,    79,    80,    80,    80,    81,    81,
      81,    81,    81,    81,    81,    81,    81,    81,    81,    81,
      81,    82,    82,    82,    82,    82,    83,    83,    83,    83,
      83,    83,    83,    83,    83,    83,    83,    84,    84,    85,
      85,    86,    86,    87,    87,    88,    88,    89,    89,    89,
      90,    90,    91,    91,    92,    92,    93,    93,    94,    95,
      95,    96,    96
};

/* YYR2[RULE-NUM] -- Number of symbols on the right-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr2[] =
{
       0,     2,     1,     1,     3,     1,     3,     1,     2,     1,
       1,     0,     1,     1,     1,     1,     1,     1,     1,     3,
       3,     1,     1,     1,     2,     2,     1,     3,     1,     1,
       1,     1,     5,     7,     0,     4,     6,     4,     7,     6,
       0,     1,     1,     3,     1,     3,     3,     3,     3,     3,
       3,     3,     3,     3,     1,     1,     3,     5,     3,     3,
       3,     3,     3,     3,     3,     3,     3,     2,     2,     2,
       1,     1,     4,     4,     3,     2,     1,     1,     1,     1,
       1,     1,     3,     1,     1,     1,     1,     0,     1,     1,
       3,     1,     3,     1,     3,     1,     1,     2,     3,     4,
       1,     3,     1,     3,     2,     4,     1,     3,     4,     2,
       4,     0,     1
};


enum { YYENOMEM = -2 };

#define yyerrok         (yyerrstatus = 0)
#define yyclearin       (yychar = OVP_YYEMPTY)

#define YYACCEPT        goto yyacceptlab
#define YYABORT         goto yyabortlab
#define YYERROR         goto yyerrorlab
#define YYNOMEM         goto yyexhaustedlab


#define YYRECOVERING()  (!!yyerrstatus)

#define YYBACKUP(Token, Value)                                    \
  do                                                              \
    if (yychar == OVP_YYEMPTY)                                        \
      {                                                           \
        yychar = (Token);                                         \
        yylval = (Value);                                         \
        YYPOPSTACK (yylen);                                       \
        yystate = *yyssp;                                         \
        YY_LAC_DISCARD ("YYBACKUP");                              \
        goto yybackup;                                            \
      }                                                           \
    else                                                          \
      {                                                           \
        yyerror (&yylloc, scanner, ctx, YY_("syntax error: cannot back up")); \
        YYERROR;                                                  \
      }                                                           \
  while (0)

/* Backward compatibility with an undocumented macro.
   Use OVP_YYerror or OVP_YYUNDEF. */
#define YYERRCODE OVP_YYUNDEF

/* YYLLOC_DEFAULT -- Set CURRENT to span from RHS[1] to RHS[N].
   If N is 0, then set CURRENT to the empty location which ends
   the previous symbol: RHS[0] (always defined).  */

#ifndef YYLLOC_DEFAULT
# define YYLLOC_DEFAULT(Current, Rhs, N)                                \
    do                                                                  \
      if (N)                                                            \
        {                                                               \
          (Current).first_line   = YYRHSLOC (Rhs, 1).first_line;        \
          (Current).first_column = YYRHSLOC (Rhs, 1).first_column;      \
          (Current).last_line    = YYRHSLOC (Rhs, N).last_line;         \
          (Current).last_column  = YYRHSLOC (Rhs, N).last_column;       \
        }                                                               \
      else                                                              \
        {                                                               \
          (Current).first_line   = (Current).last_line   =              \
            YYRHSLOC (Rhs, 0).last_line;                                \
          (Current).first_column = (Current).last_column =              \
            YYRHSLOC (Rhs, 0).last_column;                              \
        }                                                               \
    while (0)
#endif

#define YYRHSLOC(Rhs, K) ((Rhs)[K])


/* Enable debugging if requested.  */
#if OVP_YYDEBUG

# ifndef YYFPRINTF
#  include <stdio.h> /* INFRINGES ON USER NAME SPACE */
#  define YYFPRINTF fprintf
# endif

# define YYDPRINTF(Args)                        \
do {                                            \
  if (yydebug)                                  \
    YYFPRINTF Args;                             \
} while (0)


/* YYLOCATION_PRINT -- Print the location on the stream.
   This macro was not mandated originally: define only if we know
   we won't break user code: when these are the locations we know.  */

# ifndef YYLOCATION_PRINT

#  if defined YY_LOCATION_PRINT

   /* Temporary convenience wrapper in case some people defined the
      undocumented and private YY_LOCATION_PRINT macros.  */
#   define YYLOCATION_PRINT(File, Loc)  YY_LOCATION_PRINT(File, *(Loc))

#  elif defined OVP_YYLTYPE_IS_TRIVIAL && OVP_YYLTYPE_IS_TRIVIAL

/* Print *YYLOCP on YYO.  Private, do not rely on its existence. */

YY_ATTRIBUTE_UNUSED
static int
yy_location_print_ (FILE *yyo, YYLTYPE const * const yylocp)
{
  int res = 0;
  int end_col = 0 != yylocp->last_column ? yylocp->last_column - 1 : 0;
  if (0 <= yylocp->first_line)
    {
      res += YYFPRINTF (yyo, "%d", yylocp->first_line);
      if (0 <= yylocp->first_column)
        res += YYFPRINTF (yyo, ".%d", yylocp->first_column);
    }
  if (0 <= yylocp->last_line)
    {
      if (yylocp->first_line < yylocp->last_line)
        {
          res += YYFPRINTF (yyo, "-%d", yylocp->last_line);
          if (0 <= end_col)
            res += YYFPRINTF (yyo, ".%d", end_col);
        }
      else if (0 <= end_col && yylocp->first_column < end_col)
        res += YYFPRINTF (yyo, "-%d", end_col);
    }
  return res;
}

#   define YYLOCATION_PRINT  yy_location_print_

    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT(File, Loc)  YYLOCATION_PRINT(File, &(Loc))

#  else

#   define YYLOCATION_PRINT(File, Loc) ((void) 0)
    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT  YYLOCATION_PRINT

#  endif
# endif /* !defined YYLOCATION_PRINT */


# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)                    \
do {                                                                      \
  if (yydebug)                                                            \
    {                                                                     \
      YYFPRINTF (stderr, "%s ", Title);                                   \
      yy_symbol_print (stderr,                                            \
                  Kind, Value, Location, scanner, ctx); \
      YYFPRINTF (stderr, "\n");                                           \
    }                                                                     \
} while (0)


/*-----------------------------------.
| Print this symbol's value on YYO.  |
`-----------------------------------*/

static void
yy_symbol_value_print (FILE *yyo,
                       yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, void *scanner, ParseCtx *ctx)
{
  FILE *yyoutput = yyo;
  YY_USE (yyoutput);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (ctx);
  if (!yyvaluep)
    return;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}


/*---------------------------.
| Print this symbol on YYO.  |
`---------------------------*/

static void
yy_symbol_print (FILE *yyo,
                 yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, void *scanner, ParseCtx *ctx)
{
  YYFPRINTF (yyo, "%s %s (",
             yykind < YYNTOKENS ? "token" : "nterm", yysymbol_name (yykind));

  YYLOCATION_PRINT (yyo, yylocationp);
  YYFPRINTF (yyo, ": ");
  yy_symbol_value_print (yyo, yykind, yyvaluep, yylocationp, scanner, ctx);
  YYFPRINTF (yyo, ")");
}

/*------------------------------------------------------------------.
| yy_stack_print -- Print the state stack from its BOTTOM up to its |
| TOP (included).                                                   |
`------------------------------------------------------------------*/

static void
yy_stack_print (yy_state_t *yybottom, yy_state_t *yytop)
{
  YYFPRINTF (stderr, "Stack now");
  for (; yybottom <= yytop; yybottom++)
    {
      int yybot = *yybottom;
      YYFPRINTF (stderr, " %d", yybot);
    }
  YYFPRINTF (stderr, "\n");
}

# define YY_STACK_PRINT(Bottom, Top)                            \
do {                                                            \
  if (yydebug)                                                  \
    yy_stack_print ((Bottom), (Top));                           \
} while (0)


/*------------------------------------------------.
| Report that the YYRULE is going to be reduced.  |
`------------------------------------------------*/

static void
yy_reduce_print (yy_state_t *yyssp, YYSTYPE *yyvsp, YYLTYPE *yylsp,
                 int yyrule, void *scanner, ParseCtx *ctx)
{
  int yylno = yyrline[yyrule];
  int yynrhs = yyr2[yyrule];
  int yyi;
  YYFPRINTF (stderr, "Reducing stack by rule %d (line %d):\n",
             yyrule - 1, yylno);
  /* The symbols being reduced.  */
  for (yyi = 0; yyi < yynrhs; yyi++)
    {
      YYFPRINTF (stderr, "   $%d = ", yyi + 1);
      yy_symbol_print (stderr,
                       YY_ACCESSING_SYMBOL (+yyssp[yyi + 1 - yynrhs]),
                       &yyvsp[(yyi + 1) - (yynrhs)],
                       &(yylsp[(yyi + 1) - (yynrhs)]), scanner, ctx);
      YYFPRINTF (stderr, "\n");
    }
}

# define YY_REDUCE_PRINT(Rule)          \
do {                                    \
  if (yydebug)                          \
    yy_reduce_print (yyssp, yyvsp, yylsp, Rule, scanner, ctx); \
} while (0)

/* Nonzero means print parse trace.  It is left uninitialized so that
   multiple parsers can coexist.  */
int yydebug;
#else /* !OVP_YYDEBUG */
# define YYDPRINTF(Args) ((void) 0)
# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)
# define YY_STACK_PRINT(Bottom, Top)
# define YY_REDUCE_PRINT(Rule)
#endif /* !OVP_YYDEBUG */


/* YYINITDEPTH -- initial size of the parser's stacks.  */
#ifndef YYINITDEPTH
# define YYINITDEPTH 200
#endif

/* YYMAXDEPTH -- maximum size the stacks can grow to (effective only
   if the built-in stack extension method is used).

   Do not make this value too large; the results are undefined if
   YYSTACK_ALLOC_MAXIMUM < YYSTACK_BYTES (YYMAXDEPTH)
   evaluated with infinite-precision integer arithmetic.  */

#ifndef YYMAXDEPTH
# define YYMAXDEPTH 10000
#endif


/* Given a state stack such that *YYBOTTOM is its bottom, such that
   *YYTOP is either its top or is YYTOP_EMPTY to indicate an empty
   stack, and such that *YYCAPACITY is the maximum number of elements it
   can hold without a reallocation, make sure there is enough room to
   store YYADD more elements.  If not, allocate a new stack using
   YYSTACK_ALLOC, copy the existing elements, and adjust *YYBOTTOM,
   *YYTOP, and *YYCAPACITY to reflect the new capacity and memory
   location.  If *YYBOTTOM != YYBOTTOM_NO_FREE, then free the old stack
   using YYSTACK_FREE.  Return 0 if successful or if no reallocation is
   required.  Return YYENOMEM if memory is exhausted.  */
static int
yy_lac_stack_realloc (YYPTRDIFF_T *yycapacity, YYPTRDIFF_T yyadd,
#if OVP_YYDEBUG
                      char const *yydebug_prefix,
                      char const *yydebug_suffix,
#endif
                      yy_state_t **yybottom,
                      yy_state_t *yybottom_no_free,
                      yy_state_t **yytop, yy_state_t *yytop_empty)
{
  YYPTRDIFF_T yysize_old =
    *yytop == yytop_empty ? 0 : *yytop - *yybottom + 1;
  YYPTRDIFF_T yysize_new = yysize_old + yyadd;
  if (*yycapacity < yysize_new)
    {
      YYPTRDIFF_T yyalloc = 2 * yysize_new;
      yy_state_t *yybottom_new;
      /* Use YYMAXDEPTH for maximum stack size given that the stack
         should never need to grow larger than the main state stack
         needs to grow without LAC.  */
      if (YYMAXDEPTH < yysize_new)
        {
          YYDPRINTF ((stderr, "%smax size exceeded%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (YYMAXDEPTH < yyalloc)
        yyalloc = YYMAXDEPTH;
      yybottom_new =
        YY_CAST (yy_state_t *,
                 YYSTACK_ALLOC (YY_CAST (YYSIZE_T,
                                         yyalloc * YYSIZEOF (*yybottom_new))));
      if (!yybottom_new)
        {
          YYDPRINTF ((stderr, "%srealloc failed%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (*yytop != yytop_empty)
        {
          YYCOPY (yybottom_new, *yybottom, yysize_old);
          *yytop = yybottom_new + (yysize_old - 1);
        }
      if (*yybottom != yybottom_no_free)
        YYSTACK_FREE (*yybottom);
      *yybottom = yybottom_new;
      *yycapacity = yyalloc;
    }
  return 0;
}

/* Establish the initial context for the current lookahead if no initial
   context is currently established.

   We define a context as a snapshot of the parser stacks.  We define
   the initial context for a lookahead as the context in which the
   parser initially examines that lookahead in order to select a
   syntactic action.  Thus, if the lookahead eventually proves
   syntactically unacceptable (possibly in a later context reached via a
   series of reductions), the initial context can be used to determine
   the exact set of tokens that would be syntactically acceptable in the
   lookahead's place.  Moreover, it is the context after which any
   further semantic actions would be erroneous because they would be
   determined by a syntactically unacceptable token.

   YY_LAC_ESTABLISH should be invoked when a reduction is about to be
   performed in an inconsistent state (which, for the purposes of LAC,
   includes consistent states that don't know they're consistent because
   their default reductions have been disabled).  Iff there is a
   lookahead token, it should also be invoked before reporting a syntax
   error.  This latter case is for the sake of the debugging output.

   For parse.lac=full, the implementation of YY_LAC_ESTABLISH is as
   follows.  If no initial context is currently established for the
   current lookahead, then check if that lookahead can eventually be
   shifted if syntactic actions continue from the current context.
   Report a syntax error if it cannot.  */
#define YY_LAC_ESTABLISH                                                \
do {                                                                    \
  if (!yy_lac_established)                                              \
    {                                                                   \
      YYDPRINTF ((stderr,                                               \
                  "LAC: initial context established for %s\n",          \
                  yysymbol_name (yytoken)));                            \
      yy_lac_established = 1;                                           \
      switch (yy_lac (yyesa, &yyes, &yyes_capacity, yyssp, yytoken))    \
        {                                                               \
        case YYENOMEM:                                                  \
          YYNOMEM;                                                      \
        case 1:                                                         \
          goto yyerrlab;                                                \
        }                                                               \
    }                                                                   \
} while (0)

/* Discard any previous initial lookahead context because of Event,
   which may be a lookahead change or an invalidation of the currently
   established initial context for the current lookahead.

   The most common example of a lookahead change is a shift.  An example
   of both cases is syntax error recovery.  That is, a syntax error
   occurs when the lookahead is syntactically erroneous for the
   currently established initial context, so error recovery manipulates
   the parser stacks to try to find a new initial context in which the
   current lookahead is syntactically acceptable.  If it fails to find
   such a context, it discards the lookahead.  */
#if OVP_YYDEBUG
# define YY_LAC_DISCARD(Event)                                           \
do {                                                                     \
  if (yy_lac_established)                                                \
    {                                                                    \
      YYDPRINTF ((stderr, "LAC: initial context discarded due to "       \
                  Event "\n"));                                          \
      yy_lac_established = 0;                                            \
    }                                                                    \
} while (0)
#else
# define YY_LAC_DISCARD(Event) yy_lac_established = 0
#endif

/* Given the stack whose top is *YYSSP, return 0 iff YYTOKEN can
   eventually (after perhaps some reductions) be shifted, return 1 if
   not, or return YYENOMEM if memory is exhausted.  As preconditions and
   postconditions: *YYES_CAPACITY is the allocated size of the array to
   which *YYES points, and either *YYES = YYESA or *YYES points to an
   array allocated with YYSTACK_ALLOC.  yy_lac may overwrite the
   contents of either array, alter *YYES and *YYES_CAPACITY, and free
   any old *YYES other than YYESA.  */
static int
yy_lac (yy_state_t *yyesa, yy_state_t **yyes,
        YYPTRDIFF_T *yyes_capacity, yy_state_t *yyssp, yysymbol_kind_t yytoken)
{
  yy_state_t *yyes_prev = yyssp;
  yy_state_t *yyesp = yyes_prev;
  /* Reduce until we encounter a shift and thereby accept the token.  */
  YYDPRINTF ((stderr, "LAC: checking lookahead %s:", yysymbol_name (yytoken)));
  if (yytoken == YYSYMBOL_YYUNDEF)
    {
      YYDPRINTF ((stderr, " Always Err\n"));
      return 1;
    }
  while (1)
    {
      int yyrule = yypact[+*yyesp];
      if (yypact_value_is_default (yyrule)
          || (yyrule += yytoken) < 0 || YYLAST < yyrule
          || yycheck[yyrule] != yytoken)
        {
          /* Use the default action.  */
          yyrule = yydefact[+*yyesp];
          if (yyrule == 0)
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
        }
      else
        {
          /* Use the action from yytable.  */
          yyrule = yytable[yyrule];
          if (yytable_value_is_error (yyrule))
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
          if (0 < yyrule)
            {
              YYDPRINTF ((stderr, " S%d\n", yyrule));
              return 0;
            }
          yyrule = -yyrule;
        }
      /* By now we know we have to simulate a reduce.  */
      YYDPRINTF ((stderr, " R%d", yyrule - 1));
      {
        /* Pop the corresponding number of values from the stack.  */
        YYPTRDIFF_T yylen = yyr2[yyrule];
        /* First pop from the LAC stack as many tokens as possible.  */
        if (yyesp != yyes_prev)
          {
            YYPTRDIFF_T yysize = yyesp - *yyes + 1;
            if (yylen < yysize)
              {
                yyesp -= yylen;
                yylen = 0;
              }
            else
              {
                yyesp = yyes_prev;
                yylen -= yysize;
              }
          }
        /* Only afterwards look at the main stack.  */
        if (yylen)
          yyesp = yyes_prev -= yylen;
      }
      /* Push the resulting state of the reduction.  */
      {
        yy_state_fast_t yystate;
        {
          const int yylhs = yyr1[yyrule] - YYNTOKENS;
          const int yyi = yypgoto[yylhs] + *yyesp;
          yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyesp
                     ? yytable[yyi]
                     : yydefgoto[yylhs]);
        }
        if (yyesp == yyes_prev)
          {
            yyesp = *yyes;
            YY_IGNORE_USELESS_CAST_BEGIN
            *yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        else
          {
            if (yy_lac_stack_realloc (yyes_capacity, 1,
#if OVP_YYDEBUG
                                      " (", ")",
#endif
                                      yyes, yyesa, &yyesp, yyes_prev))
              {
                YYDPRINTF ((stderr, "\n"));
                return YYENOMEM;
              }
            YY_IGNORE_USELESS_CAST_BEGIN
            *++yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        YYDPRINTF ((stderr, " G%d", yystate));
      }
    }
}

/* Context of a parse error.  */
typedef struct
{
  yy_state_t *yyssp;
  yy_state_t *yyesa;
  yy_state_t **yyes;
  YYPTRDIFF_T *yyes_capacity;
  yysymbol_kind_t yytoken;
  YYLTYPE *yylloc;
} yypcontext_t;

/* Put in YYARG at most YYARGN of the expected tokens given the
   current YYCTX, and return the number of tokens stored in YYARG.  If
   YYARG is null, return the number of expected tokens (guaranteed to
   be less than YYNTOKENS).  Return YYENOMEM on memory exhaustion.
   Return 0 if there are more than YYARGN expected tokens, yet fill
   YYARG up to YYARGN. */
static int
yypcontext_expected_tokens (const yypcontext_t *yyctx,
                            yysymbol_kind_t yyarg[], int yyargn)
{
  /* Actual size of YYARG. */
  int yycount = 0;

  int yyx;
  for (yyx = 0; yyx < YYNTOKENS; ++yyx)
    {
      yysymbol_kind_t yysym = YY_CAST (yysymbol_kind_t, yyx);
      if (yysym != YYSYMBOL_YYerror && yysym != YYSYMBOL_YYUNDEF)
        switch (yy_lac (yyctx->yyesa, yyctx->yyes, yyctx->yyes_capacity, yyctx->yyssp, yysym))
          {
          case YYENOMEM:
            return YYENOMEM;
          case 1:
            continue;
          default:
            if (!yyarg)
              ++yycount;
            else if (yycount == yyargn)
              return 0;
            else
              yyarg[yycount++] = yysym;
          }
    }
  if (yyarg && yycount == 0 && 0 < yyargn)
    yyarg[0] = YYSYMBOL_YYEMPTY;
  return yycount;
}




/* The kind of the lookahead of this context.  */
static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx)
{
  return yyctx->yytoken;
}

/* The location of the lookahead of this context.  */
static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx)
{
  return yyctx->yylloc;
}

/* User defined function to report a syntax error.  */
static int
yyreport_syntax_error (const yypcontext_t *yyctx, void *scanner, ParseCtx *ctx);

/*-----------------------------------------------.
| Release the memory associated to this symbol.  |
`-----------------------------------------------*/

static void
yydestruct (const char *yymsg,
            yysymbol_kind_t yykind, YYSTYPE *yyvaluep, YYLTYPE *yylocationp, void *scanner, ParseCtx *ctx)
{
  YY_USE (yyvaluep);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (ctx);
  if (!yymsg)
    yymsg = "Deleting";
  YY_SYMBOL_PRINT (yymsg, yykind, yyvaluep, yylocationp);

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  switch (yykind)
    {
    case YYSYMBOL_NUM: /* "number"  */
#line 137 "grammar/parser.y"
            { }
#line 1715 "grammar/parser.c"
        break;

    case YYSYMBOL_STR: /* "string"  */
#line 136 "grammar/parser.y"
            { free(((*yyvaluep).str)); }
#line 1721 "grammar/parser.c"
        break;

    case YYSYMBOL_IDENT: /* "identifier"  */
#line 136 "grammar/parser.y"
            { free(((*yyvaluep).str)); }
#line 1727 "grammar/parser.c"
        break;

    case YYSYMBOL_FIELD: /* "field name"  */
#line 136 "grammar/parser.y"
            { free(((*yyvaluep).str)); }
#line 1733 "grammar/parser.c"
        break;

    case YYSYMBOL_program: /* program  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1739 "grammar/parser.c"
        break;

    case YYSYMBOL_block: /* block  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1745 "grammar/parser.c"
        break;

    case YYSYMBOL_stmts: /* stmts  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1751 "grammar/parser.c"
        break;

    case YYSYMBOL_stmt: /* stmt  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1757 "grammar/parser.c"
        break;

    case YYSYMBOL_simple_stmt: /* simple_stmt  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1763 "grammar/parser.c"
        break;

    case YYSYMBOL_targets: /* targets  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1769 "grammar/parser.c"
        break;

    case YYSYMBOL_compound_op: /* compound_op  */
#line 137 "grammar/parser.y"
            { }
#line 1775 "grammar/parser.c"
        break;

    case YYSYMBOL_if_stmt: /* if_stmt  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1781 "grammar/parser.c"
        break;

    case YYSYMBOL_elifs: /* elifs  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1787 "grammar/parser.c"
        break;

    case YYSYMBOL_for_stmt: /* for_stmt  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1793 "grammar/parser.c"
        break;

    case YYSYMBOL_while_stmt: /* while_stmt  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1799 "grammar/parser.c"
        break;

    case YYSYMBOL_fn_stmt: /* fn_stmt  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1805 "grammar/parser.c"
        break;

    case YYSYMBOL_func: /* func  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1811 "grammar/parser.c"
        break;

    case YYSYMBOL_params: /* params  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1817 "grammar/parser.c"
        break;

    case YYSYMBOL_paramlist: /* paramlist  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1823 "grammar/parser.c"
        break;

    case YYSYMBOL_param: /* param  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1829 "grammar/parser.c"
        break;

    case YYSYMBOL_expr: /* expr  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1835 "grammar/parser.c"
        break;

    case YYSYMBOL_range: /* range  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1841 "grammar/parser.c"
        break;

    case YYSYMBOL_arith: /* arith  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1847 "grammar/parser.c"
        break;

    case YYSYMBOL_postfix: /* postfix  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1853 "grammar/parser.c"
        break;

    case YYSYMBOL_primary: /* primary  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1859 "grammar/parser.c"
        break;

    case YYSYMBOL_args: /* args  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1865 "grammar/parser.c"
        break;

    case YYSYMBOL_arglist: /* arglist  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1871 "grammar/parser.c"
        break;

    case YYSYMBOL_arg: /* arg  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1877 "grammar/parser.c"
        break;

    case YYSYMBOL_index_args: /* index_args  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1883 "grammar/parser.c"
        break;

    case YYSYMBOL_index_arg: /* index_arg  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1889 "grammar/parser.c"
        break;

    case YYSYMBOL_matrix: /* matrix  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1895 "grammar/parser.c"
        break;

    case YYSYMBOL_rows: /* rows  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1901 "grammar/parser.c"
        break;

    case YYSYMBOL_row: /* row  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1907 "grammar/parser.c"
        break;

    case YYSYMBOL_list: /* list  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1913 "grammar/parser.c"
        break;

    case YYSYMBOL_items: /* items  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1919 "grammar/parser.c"
        break;

    case YYSYMBOL_record: /* record  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1925 "grammar/parser.c"
        break;

    case YYSYMBOL_fields: /* fields  */
#line 135 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1931 "grammar/parser.c"
        break;

      default:
        break;
    }
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}






/*----------.
| yyparse.  |
`----------*/

int
yyparse (void *scanner, ParseCtx *ctx)
{
/* Lookahead token kind.  */
int yychar;


/* The semantic value of the lookahead symbol.  */
/* Default value used for initialization, for pacifying older GCCs
   or non-GCC compilers.  */
YY_INITIAL_VALUE (static YYSTYPE yyval_default;)
YYSTYPE yylval YY_INITIAL_VALUE (= yyval_default);

/* Location data for the lookahead symbol.  */
static YYLTYPE yyloc_default
# if defined OVP_YYLTYPE_IS_TRIVIAL && OVP_YYLTYPE_IS_TRIVIAL
  = { 1, 1, 1, 1 }
# endif
;
YYLTYPE yylloc = yyloc_default;

    /* Number of syntax errors so far.  */
    int yynerrs = 0;

    yy_state_fast_t yystate = 0;
    /* Number of tokens to shift before error messages enabled.  */
    int yyerrstatus = 0;

    /* Refer to the stacks through separate pointers, to allow yyoverflow
       to reallocate them elsewhere.  */

    /* Their size.  */
    YYPTRDIFF_T yystacksize = YYINITDEPTH;

    /* The state stack: array, bottom, top.  */
    yy_state_t yyssa[YYINITDEPTH];
    yy_state_t *yyss = yyssa;
    yy_state_t *yyssp = yyss;

    /* The semantic value stack: array, bottom, top.  */
    YYSTYPE yyvsa[YYINITDEPTH];
    YYSTYPE *yyvs = yyvsa;
    YYSTYPE *yyvsp = yyvs;

    /* The location stack: array, bottom, top.  */
    YYLTYPE yylsa[YYINITDEPTH];
    YYLTYPE *yyls = yylsa;
    YYLTYPE *yylsp = yyls;

    yy_state_t yyesa[20];
    yy_state_t *yyes = yyesa;
    YYPTRDIFF_T yyes_capacity = 20 < YYMAXDEPTH ? 20 : YYMAXDEPTH;

  /* Whether LAC context is established.  A Boolean.  */
  int yy_lac_established = 0;
  int yyn;
  /* The return value of yyparse.  */
  int yyresult;
  /* Lookahead symbol kind.  */
  yysymbol_kind_t yytoken = YYSYMBOL_YYEMPTY;
  /* The variables used to return semantic value and location from the
     action routines.  */
  YYSTYPE yyval;
  YYLTYPE yyloc;

  /* The locations where the error started and ended.  */
  YYLTYPE yyerror_range[3];



#define YYPOPSTACK(N)   (yyvsp -= (N), yyssp -= (N), yylsp -= (N))

  /* The number of symbols on the RHS of the reduced rule.
     Keep to zero when no symbol should be popped.  */
  int yylen = 0;

  YYDPRINTF ((stderr, "Starting parse\n"));

  yychar = OVP_YYEMPTY; /* Cause a token to be read.  */

  yylsp[0] = yylloc;
  goto yysetstate;


/*------------------------------------------------------------.
| yynewstate -- push a new state, which is found in yystate.  |
`------------------------------------------------------------*/
yynewstate:
  /* In all cases, when you get here, the value and location stacks
     have just been pushed.  So pushing a state here evens the stacks.  */
  yyssp++;


/*--------------------------------------------------------------------.
| yysetstate -- set current state (the top of the stack) to yystate.  |
`--------------------------------------------------------------------*/
yysetstate:
  YYDPRINTF ((stderr, "Entering state %d\n", yystate));
  YY_ASSERT (0 <= yystate && yystate < YYNSTATES);
  YY_IGNORE_USELESS_CAST_BEGIN
  *yyssp = YY_CAST (yy_state_t, yystate);
  YY_IGNORE_USELESS_CAST_END
  YY_STACK_PRINT (yyss, yyssp);

  if (yyss + yystacksize - 1 <= yyssp)
#if !defined yyoverflow && !defined YYSTACK_RELOCATE
    YYNOMEM;
#else
    {
      /* Get the current used size of the three stacks, in elements.  */
      YYPTRDIFF_T yysize = yyssp - yyss + 1;

# if defined yyoverflow
      {
        /* Give user a chance to reallocate the stack.  Use copies of
           these so that the &'s don't force the real ones into
           memory.  */
        yy_state_t *yyss1 = yyss;
        YYSTYPE *yyvs1 = yyvs;
        YYLTYPE *yyls1 = yyls;

        /* Each stack pointer address is followed by the size of the
           data in use in that stack, in bytes.  This used to be a
           conditional around just the two extra args, but that might
           be undefined if yyoverflow is a macro.  */
        yyoverflow (YY_("memory exhausted"),
                    &yyss1, yysize * YYSIZEOF (*yyssp),
                    &yyvs1, yysize * YYSIZEOF (*yyvsp),
                    &yyls1, yysize * YYSIZEOF (*yylsp),
                    &yystacksize);
        yyss = yyss1;
        yyvs = yyvs1;
        yyls = yyls1;
      }
# else /* defined YYSTACK_RELOCATE */
      /* Extend the stack our own way.  */
      if (YYMAXDEPTH <= yystacksize)
        YYNOMEM;
      yystacksize *= 2;
      if (YYMAXDEPTH < yystacksize)
        yystacksize = YYMAXDEPTH;

      {
        yy_state_t *yyss1 = yyss;
        union yyalloc *yyptr =
          YY_CAST (union yyalloc *,
                   YYSTACK_ALLOC (YY_CAST (YYSIZE_T, YYSTACK_BYTES (yystacksize))));
        if (! yyptr)
          YYNOMEM;
        YYSTACK_RELOCATE (yyss_alloc, yyss);
        YYSTACK_RELOCATE (yyvs_alloc, yyvs);
        YYSTACK_RELOCATE (yyls_alloc, yyls);
#  undef YYSTACK_RELOCATE
        if (yyss1 != yyssa)
          YYSTACK_FREE (yyss1);
      }
# endif

      yyssp = yyss + yysize - 1;
      yyvsp = yyvs + yysize - 1;
      yylsp = yyls + yysize - 1;

      YY_IGNORE_USELESS_CAST_BEGIN
      YYDPRINTF ((stderr, "Stack size increased to %ld\n",
                  YY_CAST (long, yystacksize)));
      YY_IGNORE_USELESS_CAST_END

      if (yyss + yystacksize - 1 <= yyssp)
        YYABORT;
    }
#endif /* !defined yyoverflow && !defined YYSTACK_RELOCATE */


  if (yystate == YYFINAL)
    YYACCEPT;

  goto yybackup;


/*-----------.
| yybackup.  |
`-----------*/
yybackup:
  /* Do appropriate processing given the current state.  Read a
     lookahead token if we need one and don't already have one.  */

  /* First try to decide what to do without reference to lookahead token.  */
  yyn = yypact[yystate];
  if (yypact_value_is_default (yyn))
    goto yydefault;

  /* Not known => get a lookahead token if don't already have one.  */

  /* YYCHAR is either empty, or end-of-input, or a valid lookahead.  */
  if (yychar == OVP_YYEMPTY)
    {
      YYDPRINTF ((stderr, "Reading a token\n"));
      yychar = yylex (&yylval, &yylloc, scanner);
    }

  if (yychar <= OVP_YYEOF)
    {
      yychar = OVP_YYEOF;
      yytoken = YYSYMBOL_YYEOF;
      YYDPRINTF ((stderr, "Now at end of input.\n"));
    }
  else if (yychar == OVP_YYerror)
    {
      /* The scanner already issued an error message, process directly
         to error recovery.  But do not keep the error token as
         lookahead, it is too special and may lead us to an endless
         loop in error recovery. */
      yychar = OVP_YYUNDEF;
      yytoken = YYSYMBOL_YYerror;
      yyerror_range[1] = yylloc;
      goto yyerrlab1;
    }
  else
    {
      yytoken = YYTRANSLATE (yychar);
      YY_SYMBOL_PRINT ("Next token is", yytoken, &yylval, &yylloc);
    }

  /* If the proper action on seeing token YYTOKEN is to reduce or to
     detect an error, take that action.  */
  yyn += yytoken;
  if (yyn < 0 || YYLAST < yyn || yycheck[yyn] != yytoken)
    {
      YY_LAC_ESTABLISH;
      goto yydefault;
    }
  yyn = yytable[yyn];
  if (yyn <= 0)
    {
      if (yytable_value_is_error (yyn))
        goto yyerrlab;
      yyn = -yyn;
      YY_LAC_ESTABLISH;
      goto yyreduce;
    }

  /* Count tokens shifted since error; after three, turn off error
     status.  */
  if (yyerrstatus)
    yyerrstatus--;

  /* Shift the lookahead token.  */
  YY_SYMBOL_PRINT ("Shifting", yytoken, &yylval, &yylloc);
  yystate = yyn;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END
  *++yylsp = yylloc;

  /* Discard the shifted token.  */
  yychar = OVP_YYEMPTY;
  YY_LAC_DISCARD ("shift");
  goto yynewstate;


/*-----------------------------------------------------------.
| yydefault -- do the default action for the current state.  |
`-----------------------------------------------------------*/
yydefault:
  yyn = yydefact[yystate];
  if (yyn == 0)
    goto yyerrlab;
  goto yyreduce;


/*-----------------------------.
| yyreduce -- do a reduction.  |
`-----------------------------*/
yyreduce:
  /* yyn is the number of a rule to reduce with.  */
  yylen = yyr2[yyn];

  /* If YYLEN is nonzero, implement the default value of the action:
     '$$ = $1'.

     Otherwise, the following line sets YYVAL to garbage.
     This behavior is undocumented and Bison
     users should not rely upon it.  Assigning to YYVAL
     unconditionally makes the parser a bit smaller, and it avoids a
     GCC warning that YYVAL may be used uninitialized.  */
  yyval = yyvsp[1-yylen];

  /* Default location. */
  YYLLOC_DEFAULT (yyloc, (yylsp - yylen), yylen);
  yyerror_range[1] = yyloc;
  YY_REDUCE_PRINT (yyn);
  {
    int yychar_backup = yychar;
    switch (yyn)
      {
  case 2: /* program: block  */
#line 155 "grammar/parser.y"
                                    { ctx->result = (yyvsp[0].node); (yyval.node) = NULL; }
#line 2247 "grammar/parser.c"
    break;

  case 3: /* block: opt_seps  */
#line 158 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_BLOCK, mkloc(ctx, (yyloc))); }
#line 2253 "grammar/parser.c"
    break;

  case 4: /* block: opt_seps stmts opt_seps  */
#line 159 "grammar/parser.y"
                                    { (yyval.node) = (yyvsp[-1].node); }
#line 2259 "grammar/parser.c"
    break;

  case 5: /* stmts: stmt  */
#line 162 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_BLOCK, mkloc(ctx, (yylsp[0]))), (yyvsp[0].node)); }
#line 2265 "grammar/parser.c"
    break;

  case 6: /* stmts: stmts seps stmt  */
#line 163 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2271 "grammar/parser.c"
    break;

  case 18: /* simple_stmt: expr  */
#line 177 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_EXPR, mkloc(ctx, (yyloc))), (yyvsp[0].node)); }
#line 2277 "grammar/parser.c"
    break;

  case 19: /* simple_stmt: targets '=' expr  */
#line 178 "grammar/parser.y"
                                    { (yyval.node) = assignment(ctx, (yyvsp[-2].node), OP_NONE, (yyvsp[0].node), (yyloc)); }
#line 2283 "grammar/parser.c"
    break;

  case 20: /* simple_stmt: postfix compound_op expr  */
#line 179 "grammar/parser.y"
                                    { (yyval.node) = assignment(ctx, ast_add(ast_new(AST_BLOCK, mkloc(ctx, (yylsp[-2]))), (yyvsp[-2].node)),
                                                      (AstOp)(yyvsp[-1].op), (yyvsp[0].node), (yyloc)); }
#line 2290 "grammar/parser.c"
    break;

  case 21: /* simple_stmt: "'break'"  */
#line 181 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_BREAK, mkloc(ctx, (yyloc))); }
#line 2296 "grammar/parser.c"
    break;

  case 22: /* simple_stmt: "'continue'"  */
#line 182 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_CONTINUE, mkloc(ctx, (yyloc))); }
#line 2302 "grammar/parser.c"
    break;

  case 23: /* simple_stmt: "'return'"  */
#line 183 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_RETURN, mkloc(ctx, (yyloc))); }
#line 2308 "grammar/parser.c"
    break;

  case 24: /* simple_stmt: "'return'" expr  */
#line 184 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_RETURN, mkloc(ctx, (yyloc))), (yyvsp[0].node)); }
#line 2314 "grammar/parser.c"
    break;

  case 25: /* simple_stmt: "'import'" "string"  */
#line 185 "grammar/parser.y"
                                    { (yyval.node) = ast_str(AST_IMPORT, (yyvsp[0].str), mkloc(ctx, (yyloc))); }
#line 2320 "grammar/parser.c"
    break;

  case 26: /* targets: postfix  */
#line 188 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_BLOCK, mkloc(ctx, (yylsp[0]))), (yyvsp[0].node)); }
#line 2326 "grammar/parser.c"
    break;

  case 27: /* targets: targets ',' postfix  */
#line 189 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2332 "grammar/parser.c"
    break;

  case 28: /* compound_op: "'+='"  */
#line 192 "grammar/parser.y"
                    { (yyval.op) = OP_ADD; }
#line 2338 "grammar/parser.c"
    break;

  case 29: /* compound_op: "'-='"  */
#line 192 "grammar/parser.y"
                                               { (yyval.op) = OP_SUB; }
#line 2344 "grammar/parser.c"
    break;

  case 30: /* compound_op: "'*='"  */
#line 193 "grammar/parser.y"
              { (yyval.op) = OP_MUL; }
#line 2350 "grammar/parser.c"
    break;

  case 31: /* compound_op: "'/='"  */
#line 193 "grammar/parser.y"
                                       { (yyval.op) = OP_DIV; }
#line 2356 "grammar/parser.c"
    break;

  case 32: /* if_stmt: "'if'" expr block elifs "'end'"  */
#line 196 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_add(ast_new(AST_IF, mkloc(ctx, (yylsp[-4]))), (yyvsp[-3].node)), (yyvsp[-2].node));
                                      for (int i = 0; i < (yyvsp[-1].node)->nkids; i++) ast_add((yyval.node), (yyvsp[-1].node)->kids[i]);
                                      (yyvsp[-1].node)->nkids = 0; ast_free((yyvsp[-1].node)); }
#line 2364 "grammar/parser.c"
    break;

  case 33: /* if_stmt: "'if'" expr block elifs "'else'" block "'end'"  */
#line 200 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_add(ast_new(AST_IF, mkloc(ctx, (yylsp[-6]))), (yyvsp[-5].node)), (yyvsp[-4].node));
                                      for (int i = 0; i < (yyvsp[-3].node)->nkids; i++) ast_add((yyval.node), (yyvsp[-3].node)->kids[i]);
                                      (yyvsp[-3].node)->nkids = 0; ast_free((yyvsp[-3].node)); ast_add((yyval.node), (yyvsp[-1].node)); }
#line 2372 "grammar/parser.c"
    break;

  case 34: /* elifs: %empty  */
#line 205 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_BLOCK, mkloc(ctx, (yyloc))); }
#line 2378 "grammar/parser.c"
    break;

  case 35: /* elifs: elifs "'elseif'" expr block  */
#line 206 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_add((yyvsp[-3].node), (yyvsp[-1].node)), (yyvsp[0].node)); }
#line 2384 "grammar/parser.c"
    break;

  case 36: /* for_stmt: "'for'" "identifier" "'in'" expr block "'end'"  */
#line 210 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_FOR, mkloc(ctx, (yylsp[-5])));
                                      ast_add((yyval.node), ast_str(AST_IDENT, (yyvsp[-4].str), mkloc(ctx, (yylsp[-4]))));
                                      ast_add(ast_add((yyval.node), (yyvsp[-2].node)), (yyvsp[-1].node)); }
#line 2392 "grammar/parser.c"
    break;

  case 37: /* while_stmt: "'while'" expr block "'end'"  */
#line 215 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_add(ast_new(AST_WHILE, mkloc(ctx, (yylsp[-3]))), (yyvsp[-2].node)), (yyvsp[-1].node)); }
#line 2398 "grammar/parser.c"
    break;

  case 38: /* fn_stmt: "'fn'" "identifier" '(' params ')' block "'end'"  */
#line 219 "grammar/parser.y"
                                    { AstNode *f = ast_str(AST_FUNC, xstrdup((yyvsp[-5].str)), mkloc(ctx, (yyloc)));
                                      ast_add(ast_add(f, (yyvsp[-3].node)), (yyvsp[-1].node));
                                      (yyval.node) = ast_new(AST_FNDEF, mkloc(ctx, (yylsp[-6])));
                                      ast_add(ast_add((yyval.node), ast_str(AST_IDENT, (yyvsp[-5].str), mkloc(ctx, (yylsp[-5])))), f); }
#line 2407 "grammar/parser.c"
    break;

  case 39: /* func: "'fn'" '(' params ')' block "'end'"  */
#line 225 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_add(ast_new(AST_FUNC, mkloc(ctx, (yyloc))), (yyvsp[-3].node)), (yyvsp[-1].node)); }
#line 2413 "grammar/parser.c"
    break;

  case 40: /* params: %empty  */
#line 228 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_PARAMS, mkloc(ctx, (yyloc))); }
#line 2419 "grammar/parser.c"
    break;

  case 42: /* paramlist: param  */
#line 232 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_PARAMS, mkloc(ctx, (yyloc))), (yyvsp[0].node)); }
#line 2425 "grammar/parser.c"
    break;

  case 43: /* paramlist: paramlist ',' param  */
#line 233 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2431 "grammar/parser.c"
    break;

  case 44: /* param: "identifier"  */
#line 236 "grammar/parser.y"
                                    { (yyval.node) = ast_str(AST_PARAM, (yyvsp[0].str), mkloc(ctx, (yyloc))); }
#line 2437 "grammar/parser.c"
    break;

  case 45: /* param: "identifier" '=' expr  */
#line 237 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_str(AST_PARAM, (yyvsp[-2].str), mkloc(ctx, (yylsp[-2]))), (yyvsp[0].node)); }
#line 2443 "grammar/parser.c"
    break;

  case 46: /* expr: expr "'||'" expr  */
#line 240 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_OR, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2449 "grammar/parser.c"
    break;

  case 47: /* expr: expr "'&&'" expr  */
#line 241 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_AND, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2455 "grammar/parser.c"
    break;

  case 48: /* expr: expr "'=='" expr  */
#line 242 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_EQ, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2461 "grammar/parser.c"
    break;

  case 49: /* expr: expr "'!='" expr  */
#line 243 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_NE, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2467 "grammar/parser.c"
    break;

  case 50: /* expr: expr '<' expr  */
#line 244 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_LT, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2473 "grammar/parser.c"
    break;

  case 51: /* expr: expr "'<='" expr  */
#line 245 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_LE, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2479 "grammar/parser.c"
    break;

  case 52: /* expr: expr '>' expr  */
#line 246 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_GT, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2485 "grammar/parser.c"
    break;

  case 53: /* expr: expr "'>='" expr  */
#line 247 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_GE, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2491 "grammar/parser.c"
    break;

  case 56: /* range: arith ':' arith  */
#line 252 "grammar/parser.y"
                                        { (yyval.node) = bounded(ctx, ast_add(ast_add(ast_new(AST_RANGE, mkloc(ctx, (yylsp[-1]))), (yyvsp[-2].node)), (yyvsp[0].node)), (yyloc)); }
#line 2497 "grammar/parser.c"
    break;

  case 57: /* range: arith ':' arith ':' arith  */
#line 253 "grammar/parser.y"
                                                  { (yyval.node) = bounded(ctx, ast_add(ast_add(ast_add(ast_new(AST_RANGE, mkloc(ctx, (yylsp[-3]))), (yyvsp[-4].node)), (yyvsp[-2].node)), (yyvsp[0].node)), (yyloc)); }
#line 2503 "grammar/parser.c"
    break;

  case 58: /* arith: arith '+' arith  */
#line 256 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_ADD, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2509 "grammar/parser.c"
    break;

  case 59: /* arith: arith '-' arith  */
#line 257 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_SUB, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2515 "grammar/parser.c"
    break;

  case 60: /* arith: arith '*' arith  */
#line 258 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_MUL, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2521 "grammar/parser.c"
    break;

  case 61: /* arith: arith '/' arith  */
#line 259 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_DIV, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2527 "grammar/parser.c"
    break;

  case 62: /* arith: arith '\\' arith  */
#line 260 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_LDIV, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2533 "grammar/parser.c"
    break;

  case 63: /* arith: arith "'.*'" arith  */
#line 261 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_EMUL, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2539 "grammar/parser.c"
    break;

  case 64: /* arith: arith "'./'" arith  */
#line 262 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_EDIV, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2545 "grammar/parser.c"
    break;

  case 65: /* arith: arith '^' arith  */
#line 263 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_POW, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2551 "grammar/parser.c"
    break;

  case 66: /* arith: arith "'.^'" arith  */
#line 264 "grammar/parser.y"
                                    { (yyval.node) = binop(ctx, OP_EPOW, (yylsp[-1]), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2557 "grammar/parser.c"
    break;

  case 67: /* arith: '-' arith  */
#line 265 "grammar/parser.y"
                                    { (yyval.node) = unop(ctx, OP_NEG, (yylsp[-1]), (yyvsp[0].node)); }
#line 2563 "grammar/parser.c"
    break;

  case 68: /* arith: '+' arith  */
#line 266 "grammar/parser.y"
                                    { (yyval.node) = unop(ctx, OP_PLUS, (yylsp[-1]), (yyvsp[0].node)); }
#line 2569 "grammar/parser.c"
    break;

  case 69: /* arith: '!' arith  */
#line 267 "grammar/parser.y"
                                    { (yyval.node) = unop(ctx, OP_NOT, (yylsp[-1]), (yyvsp[0].node)); }
#line 2575 "grammar/parser.c"
    break;

  case 72: /* postfix: postfix '(' args ')'  */
#line 272 "grammar/parser.y"
                                    { (yyval.node) = with_callee(ctx, (yyvsp[-1].node), AST_CALL, (yyvsp[-3].node), (yyloc)); }
#line 2581 "grammar/parser.c"
    break;

  case 73: /* postfix: postfix '[' index_args ']'  */
#line 273 "grammar/parser.y"
                                    { (yyval.node) = with_callee(ctx, (yyvsp[-1].node), AST_INDEX, (yyvsp[-3].node), (yyloc)); }
#line 2587 "grammar/parser.c"
    break;

  case 74: /* postfix: postfix '.' "identifier"  */
#line 274 "grammar/parser.y"
                                    { (yyval.node) = bounded(ctx, ast_add(ast_str(AST_FIELD, (yyvsp[0].str), mkloc(ctx, (yylsp[0]))), (yyvsp[-2].node)), (yyloc)); }
#line 2593 "grammar/parser.c"
    break;

  case 75: /* postfix: postfix '\''  */
#line 275 "grammar/parser.y"
                                    { (yyval.node) = unop(ctx, OP_TRANSPOSE, (yylsp[0]), (yyvsp[-1].node)); }
#line 2599 "grammar/parser.c"
    break;

  case 76: /* primary: "number"  */
#line 278 "grammar/parser.y"
                                    { (yyval.node) = ast_num((yyvsp[0].num), mkloc(ctx, (yyloc))); }
#line 2605 "grammar/parser.c"
    break;

  case 77: /* primary: "string"  */
#line 279 "grammar/parser.y"
                                    { (yyval.node) = ast_str(AST_STR, (yyvsp[0].str), mkloc(ctx, (yyloc))); }
#line 2611 "grammar/parser.c"
    break;

  case 78: /* primary: "'true'"  */
#line 280 "grammar/parser.y"
                                    { (yyval.node) = ast_num(1, mkloc(ctx, (yyloc))); (yyval.node)->kind = AST_BOOL; }
#line 2617 "grammar/parser.c"
    break;

  case 79: /* primary: "'false'"  */
#line 281 "grammar/parser.y"
                                    { (yyval.node) = ast_num(0, mkloc(ctx, (yyloc))); (yyval.node)->kind = AST_BOOL; }
#line 2623 "grammar/parser.c"
    break;

  case 80: /* primary: "identifier"  */
#line 282 "grammar/parser.y"
                                    { (yyval.node) = ast_str(AST_IDENT, (yyvsp[0].str), mkloc(ctx, (yyloc))); }
#line 2629 "grammar/parser.c"
    break;

  case 81: /* primary: "'end' (index)"  */
#line 283 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_END, mkloc(ctx, (yyloc))); }
#line 2635 "grammar/parser.c"
    break;

  case 82: /* primary: '(' expr ')'  */
#line 284 "grammar/parser.y"
                                    { (yyval.node) = (yyvsp[-1].node); }
#line 2641 "grammar/parser.c"
    break;

  case 87: /* args: %empty  */
#line 292 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_BLOCK, mkloc(ctx, (yyloc))), ast_new(AST_BLOCK, mkloc(ctx, (yyloc)))); }
#line 2647 "grammar/parser.c"
    break;

  case 89: /* arglist: arg  */
#line 296 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_add(ast_new(AST_BLOCK, mkloc(ctx, (yyloc))), ast_new(AST_BLOCK, mkloc(ctx, (yyloc)))), (yyvsp[0].node)); }
#line 2653 "grammar/parser.c"
    break;

  case 90: /* arglist: arglist ',' arg  */
#line 297 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2659 "grammar/parser.c"
    break;

  case 92: /* arg: "identifier" '=' expr  */
#line 301 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_str(AST_NAMEDARG, (yyvsp[-2].str), mkloc(ctx, (yylsp[-2]))), (yyvsp[0].node)); }
#line 2665 "grammar/parser.c"
    break;

  case 93: /* index_args: index_arg  */
#line 304 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_add(ast_new(AST_BLOCK, mkloc(ctx, (yyloc))), ast_new(AST_BLOCK, mkloc(ctx, (yyloc)))), (yyvsp[0].node)); }
#line 2671 "grammar/parser.c"
    break;

  case 94: /* index_args: index_args ',' index_arg  */
#line 305 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2677 "grammar/parser.c"
    break;

  case 96: /* index_arg: ':'  */
#line 309 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_COLON, mkloc(ctx, (yyloc))); }
#line 2683 "grammar/parser.c"
    break;

  case 97: /* matrix: '[' ']'  */
#line 312 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_MATRIX, mkloc(ctx, (yyloc))); }
#line 2689 "grammar/parser.c"
    break;

  case 98: /* matrix: '[' rows ']'  */
#line 313 "grammar/parser.y"
                                    { (yyval.node) = (yyvsp[-1].node); (yyval.node)->loc = mkloc(ctx, (yyloc)); }
#line 2695 "grammar/parser.c"
    break;

  case 99: /* matrix: '[' rows ';' ']'  */
#line 314 "grammar/parser.y"
                                    { (yyval.node) = (yyvsp[-2].node); (yyval.node)->loc = mkloc(ctx, (yyloc)); }
#line 2701 "grammar/parser.c"
    break;

  case 100: /* rows: row  */
#line 317 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_MATRIX, mkloc(ctx, (yyloc))), (yyvsp[0].node)); }
#line 2707 "grammar/parser.c"
    break;

  case 101: /* rows: rows ';' row  */
#line 318 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2713 "grammar/parser.c"
    break;

  case 102: /* row: expr  */
#line 321 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_ROW, mkloc(ctx, (yyloc))), (yyvsp[0].node)); }
#line 2719 "grammar/parser.c"
    break;

  case 103: /* row: row ',' expr  */
#line 322 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2725 "grammar/parser.c"
    break;

  case 104: /* list: '{' '}'  */
#line 325 "grammar/parser.y"
                                    { (yyval.node) = ast_new(AST_LIST, mkloc(ctx, (yyloc))); }
#line 2731 "grammar/parser.c"
    break;

  case 105: /* list: '{' items opt_comma '}'  */
#line 326 "grammar/parser.y"
                                    { (yyval.node) = (yyvsp[-2].node); (yyval.node)->loc = mkloc(ctx, (yyloc)); }
#line 2737 "grammar/parser.c"
    break;

  case 106: /* items: expr  */
#line 329 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_LIST, mkloc(ctx, (yyloc))), (yyvsp[0].node)); }
#line 2743 "grammar/parser.c"
    break;

  case 107: /* items: items ',' expr  */
#line 330 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-2].node), (yyvsp[0].node)); }
#line 2749 "grammar/parser.c"
    break;

  case 108: /* record: '{' fields opt_comma '}'  */
#line 333 "grammar/parser.y"
                                    { (yyval.node) = (yyvsp[-2].node); (yyval.node)->loc = mkloc(ctx, (yyloc)); }
#line 2755 "grammar/parser.c"
    break;

  case 109: /* fields: "field name" expr  */
#line 336 "grammar/parser.y"
                                    { (yyval.node) = ast_add(ast_new(AST_RECORD, mkloc(ctx, (yyloc))),
                                                   ast_add(ast_str(AST_FIELDINIT, (yyvsp[-1].str), mkloc(ctx, (yylsp[-1]))), (yyvsp[0].node))); }
#line 2762 "grammar/parser.c"
    break;

  case 110: /* fields: fields ',' "field name" expr  */
#line 338 "grammar/parser.y"
                                    { (yyval.node) = ast_add((yyvsp[-3].node), ast_add(ast_str(AST_FIELDINIT, (yyvsp[-1].str), mkloc(ctx, (yylsp[-1]))), (yyvsp[0].node))); }
#line 2768 "grammar/parser.c"
    break;


#line 2772 "grammar/parser.c"

        default: break;
      }
    if (yychar_backup != yychar)
      YY_LAC_DISCARD ("yychar change");
  }
  /* User semantic actions sometimes alter yychar, and that requires
     that yytoken be updated with the new translation.  We take the
     approach of translating immediately before every use of yytoken.
     One alternative is translating here after every semantic action,
     but that translation would be missed if the semantic action invokes
     YYABORT, YYACCEPT, or YYERROR immediately after altering yychar or
     if it invokes YYBACKUP.  In the case of YYABORT or YYACCEPT, an
     incorrect destructor might then be invoked immediately.  In the
     case of YYERROR or YYBACKUP, subsequent parser actions might lead
     to an incorrect destructor call or verbose syntax error message
     before the lookahead is translated.  */
  YY_SYMBOL_PRINT ("-> $$ =", YY_CAST (yysymbol_kind_t, yyr1[yyn]), &yyval, &yyloc);

  YYPOPSTACK (yylen);
  yylen = 0;

  *++yyvsp = yyval;
  *++yylsp = yyloc;

  /* Now 'shift' the result of the reduction.  Determine what state
     that goes to, based on the state we popped back to and the rule
     number reduced by.  */
  {
    const int yylhs = yyr1[yyn] - YYNTOKENS;
    const int yyi = yypgoto[yylhs] + *yyssp;
    yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyssp
               ? yytable[yyi]
               : yydefgoto[yylhs]);
  }

  goto yynewstate;


/*--------------------------------------.
| yyerrlab -- here on detecting error.  |
`--------------------------------------*/
yyerrlab:
  /* Make sure we have latest lookahead translation.  See comments at
     user semantic actions for why this is necessary.  */
  yytoken = yychar == OVP_YYEMPTY ? YYSYMBOL_YYEMPTY : YYTRANSLATE (yychar);
  /* If not already recovering from an error, report this error.  */
  if (!yyerrstatus)
    {
      ++yynerrs;
      {
        yypcontext_t yyctx
          = {yyssp, yyesa, &yyes, &yyes_capacity, yytoken, &yylloc};
        if (yychar != OVP_YYEMPTY)
          YY_LAC_ESTABLISH;
        if (yyreport_syntax_error (&yyctx, scanner, ctx) == 2)
          YYNOMEM;
      }
    }

  yyerror_range[1] = yylloc;
  if (yyerrstatus == 3)
    {
      /* If just tried and failed to reuse lookahead token after an
         error, discard it.  */

      if (yychar <= OVP_YYEOF)
        {
          /* Return failure if at end of input.  */
          if (yychar == OVP_YYEOF)
            YYABORT;
        }
      else
        {
          yydestruct ("Error: discarding",
                      yytoken, &yylval, &yylloc, scanner, ctx);
          yychar = OVP_YYEMPTY;
        }
    }

  /* Else will try to reuse lookahead token after shifting the error
     token.  */
  goto yyerrlab1;


/*---------------------------------------------------.
| yyerrorlab -- error raised explicitly by YYERROR.  |
`---------------------------------------------------*/
yyerrorlab:
  /* Pacify compilers when the user code never invokes YYERROR and the
     label yyerrorlab therefore never appears in user code.  */
  if (0)
    YYERROR;
  ++yynerrs;

  /* Do not reclaim the symbols of the rule whose action triggered
     this YYERROR.  */
  YYPOPSTACK (yylen);
  yylen = 0;
  YY_STACK_PRINT (yyss, yyssp);
  yystate = *yyssp;
  goto yyerrlab1;


/*-------------------------------------------------------------.
| yyerrlab1 -- common code for both syntax error and YYERROR.  |
`-------------------------------------------------------------*/
yyerrlab1:
  yyerrstatus = 3;      /* Each real token shifted decrements this.  */

  /* Pop stack until we find a state that shifts the error token.  */
  for (;;)
    {
      yyn = yypact[yystate];
      if (!yypact_value_is_default (yyn))
        {
          yyn += YYSYMBOL_YYerror;
          if (0 <= yyn && yyn <= YYLAST && yycheck[yyn] == YYSYMBOL_YYerror)
            {
              yyn = yytable[yyn];
              if (0 < yyn)
                break;
            }
        }

      /* Pop the current state because it cannot handle the error token.  */
      if (yyssp == yyss)
        YYABORT;

      yyerror_range[1] = *yylsp;
      yydestruct ("Error: popping",
                  YY_ACCESSING_SYMBOL (yystate), yyvsp, yylsp, scanner, ctx);
      YYPOPSTACK (1);
      yystate = *yyssp;
      YY_STACK_PRINT (yyss, yyssp);
    }

  /* If the stack popping above didn't lose the initial context for the
     current lookahead token, the shift below will for sure.  */
  YY_LAC_DISCARD ("error recovery");

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END

  yyerror_range[2] = yylloc;
  ++yylsp;
  YYLLOC_DEFAULT (*yylsp, yyerror_range, 2);

  /* Shift the error token.  */
  YY_SYMBOL_PRINT ("Shifting", YY_ACCESSING_SYMBOL (yyn), yyvsp, yylsp);

  yystate = yyn;
  goto yynewstate;


/*-------------------------------------.
| yyacceptlab -- YYACCEPT comes here.  |
`-------------------------------------*/
yyacceptlab:
  yyresult = 0;
  goto yyreturnlab;


/*-----------------------------------.
| yyabortlab -- YYABORT comes here.  |
`-----------------------------------*/
yyabortlab:
  yyresult = 1;
  goto yyreturnlab;


/*-----------------------------------------------------------.
| yyexhaustedlab -- YYNOMEM (memory exhaustion) comes here.  |
`-----------------------------------------------------------*/
yyexhaustedlab:
  yyerror (&yylloc, scanner, ctx, YY_("memory exhausted"));
  yyresult = 2;
  goto yyreturnlab;


/*----------------------------------------------------------.
| yyreturnlab -- parsing is finished, clean up and return.  |
`----------------------------------------------------------*/
yyreturnlab:
  if (yychar != OVP_YYEMPTY)
    {
      /* Make sure we have latest lookahead translation.  See comments at
         user semantic actions for why this is necessary.  */
      yytoken = YYTRANSLATE (yychar);
      yydestruct ("Cleanup: discarding lookahead",
                  yytoken, &yylval, &yylloc, scanner, ctx);
    }
  /* Do not reclaim the symbols of the rule whose action triggered
     this YYABORT or YYACCEPT.  */
  YYPOPSTACK (yylen);
  YY_STACK_PRINT (yyss, yyssp);
  while (yyssp != yyss)
    {
      yydestruct ("Cleanup: popping",
                  YY_ACCESSING_SYMBOL (+*yyssp), yyvsp, yylsp, scanner, ctx);
      YYPOPSTACK (1);
    }
#ifndef yyoverflow
  if (yyss != yyssa)
    YYSTACK_FREE (yyss);
#endif
  if (yyes != yyesa)
    YYSTACK_FREE (yyes);

  return yyresult;
}

#line 343 "grammar/parser.y"


static bool expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t sym)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == sym)
            return true;
    return false;
}

static bool expects_name(const yysymbol_kind_t *exp, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(yysymbol_name(exp[i]), name) == 0)
            return true;
    return false;
}

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
    case '(': return "')'";
    case '[': return "']'";
    case '{': return "'}'";
    default: return "'end'";
    }
}

/* Adds where the innermost open construct began. */
static void describe_open(const ParseCtx *ctx, StrBuf *b, bool at_eof)
{
    if (ctx->nopen == 0)
        return;
    const OpenItem *o = &ctx->open[ctx->nopen - 1];
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
    describe_open(ctx, &b, at_eof);
    parse_fail(ctx, l->first_line, l->first_column, l->last_line,
               l->last_column, at_eof, "%s", b.s);
    sb_free(&b);
    return 0;
}
