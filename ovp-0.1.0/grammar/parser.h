/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison interface for Yacc-like parsers in C

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

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

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

#line 62 "grammar/parser.h"

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

#line 163 "grammar/parser.h"

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

#line 195 "grammar/parser.h"

#endif /* !YY_OVP_YY_GRAMMAR_PARSER_H_INCLUDED  */
