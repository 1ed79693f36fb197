// The memscript grammar (bpftrace's syntax for the supported slice).
//
// Error recovery happens at two levels: a bad statement is skipped up to its
// ';' (or the '}' closing its block), a bad probe header up to the '}' that
// closes the probe, so one run reports several located errors.

%require "3.8"
%language "c++"
%skeleton "lalr1.cc"
%define api.namespace {ms}
%define api.parser.class {Parser}
%define api.value.type variant
%define api.location.type {ms::Location}
%define parse.error detailed
%define parse.lac full
%locations

%param {void* scanner}
%parse-param {ms::detail::ParseContext& ctx}

%code requires {
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parser/ast.h"
#include "common/location.h"

namespace ms::detail { struct ParseContext; }

// Spans from the first to the last symbol of a rule; an empty rule sits at
// the end of the previous symbol.
#define YYLLOC_DEFAULT(Cur, Rhs, N)                       \
  do {                                                    \
    if (N) {                                              \
      (Cur).line = YYRHSLOC(Rhs, 1).line;                 \
      (Cur).column = YYRHSLOC(Rhs, 1).column;             \
      (Cur).end_line = YYRHSLOC(Rhs, N).end_line;         \
      (Cur).end_column = YYRHSLOC(Rhs, N).end_column;     \
    } else {                                              \
      (Cur).line = (Cur).end_line = YYRHSLOC(Rhs, 0).end_line;       \
      (Cur).column = (Cur).end_column = YYRHSLOC(Rhs, 0).end_column; \
    }                                                     \
  } while (0)
}

%code {
#include "parse_context.h"

int ms_yylex(ms::Parser::semantic_type* yylval, ms::Location* yylloc, void* scanner);
#define yylex ms_yylex

namespace {

template <typename T, typename... Args>
std::unique_ptr<ms::ast::Expr> make_expr(Args&&... args) {
  return std::make_unique<T>(std::forward<Args>(args)...);
}

std::unique_ptr<ms::ast::Expr> binop(ms::detail::ParseContext& ctx, ms::ast::BinaryOp op, std::unique_ptr<ms::ast::Expr> l,
                                     std::unique_ptr<ms::ast::Expr> r, const ms::Location& loc) {
  return ms::detail::nest(ctx, std::make_unique<ms::ast::Binop>(op, std::move(l), std::move(r), loc));
}

void mark_increment(std::unique_ptr<ms::ast::Stmt>& s) {
  if (s->kind == ms::ast::NodeKind::AssignMap) static_cast<ms::ast::AssignMap&>(*s).increment = true;
  if (s->kind == ms::ast::NodeKind::AssignVar) static_cast<ms::ast::AssignVar&>(*s).increment = true;
}

}  // namespace
}

%token END_OF_FILE 0 "end of file"
%token <std::string> ATTACH "attach point"
%token <std::string> IDENT "identifier"
%token <std::string> MAP "map"
%token <std::string> VAR "variable"
%token <std::string> STRING "string"
%token <uint64_t> INT "integer"
%token IF "'if'"
%token ELSE "'else'"
%token WHILE "'while'"
%token UNROLL "'unroll'"
%token BREAK "'break'"
%token CONTINUE "'continue'"
%token RETURN "'return'"
%token LET "'let'"
%token <std::string> INT_TYPE "integer type"
%token INC "'++'"
%token DEC "'--'"
%token <int> ASSIGN_OP "compound assignment"
%token ENDPRED "'/' ending the predicate"
%token EQ "'=='"
%token NE "'!='"
%token LE "'<='"
%token GE "'>='"
%token SHL "'<<'"
%token SHR "'>>'"
%token AND "'&&'"
%token OR "'||'"
%token OPTIONS "'options'"
%token <std::string> FLAG "flag"
%token <std::string> WORD "value"
%token <std::string> OPTREF "option"
%token <int> POSITIONAL "positional parameter"
%token ARROW "'->'"

%nterm <std::unique_ptr<ms::ast::Probe>> probe
%nterm <std::vector<ms::ast::AttachPoint>> attach_points
%nterm <std::unique_ptr<ms::ast::Expr>> predicate expr primary
%nterm <std::unique_ptr<ms::ast::Map>> map
%nterm <std::vector<std::unique_ptr<ms::ast::Expr>>> args expr_list
%nterm <ms::ast::Block> block stmts stmt_list else_part
%nterm <std::unique_ptr<ms::ast::Stmt>> simple_stmt if_stmt loop_stmt
%nterm <ms::ast::OptionDecl> option_type
%nterm <std::optional<std::string>> option_default
%nterm <std::vector<ms::ast::OptionDecl::Flag>> option_flags
%nterm <std::vector<std::string>> option_type_args
%nterm <std::string> option_word option_metavar

%right '?' ':'
%left OR
%left AND
%left '|'
%left '^'
%left '&'
%left EQ NE
%left '<' '>' LE GE
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'
%right '!' '~' UMINUS CAST

%%

program
  : %empty
  | program probe          { if ($2) ctx.program->probes.push_back(std::move($2)); }
  | program options_block
  | program map_decl
  ;

// let @name = hash(N); / lruhash(N): bpftrace's map declarations.
map_decl
  : LET MAP '=' IDENT '(' INT ')' ';' {
      auto& decls = ctx.program->map_decls;
      const bool known = $4 == "hash" || $4 == "lruhash";
      if (!known) {
        ctx.diags.error(@4, "unknown map kind '" + $4 + "'",
                        "a map is declared as hash(ENTRIES), lruhash(ENTRIES) or taskstorage (aggregations are per-CPU by themselves)");
      } else if ($6 < 1 || $6 > 67108864) {
        ctx.diags.error(@6, "a map holds from 1 to 67108864 entries, not " + std::to_string($6));
      } else if (!ctx.program->probes.empty()) {
        ctx.diags.error(@1, "map declarations must come before the probes", "move it to the top of the script");
      } else if (std::any_of(decls.begin(), decls.end(), [&](const auto& d) { return d.map == $2; })) {
        ctx.diags.error(@2, "map " + $2 + " is declared twice");
      } else {
        decls.push_back({$2, $4 == "lruhash", false, static_cast<uint32_t>($6), @$});
      }
    }
  | LET MAP '=' IDENT ';' {
      auto& decls = ctx.program->map_decls;
      if ($4 != "taskstorage") {
        ctx.diags.error(@4, $4 == "hash" || $4 == "lruhash" ? "a " + $4 + " map needs its size" : "unknown map kind '" + $4 + "'",
                        "declare hash(ENTRIES), lruhash(ENTRIES) or taskstorage");
      } else if (!ctx.program->probes.empty()) {
        ctx.diags.error(@1, "map declarations must come before the probes", "move it to the top of the script");
      } else if (std::any_of(decls.begin(), decls.end(), [&](const auto& d) { return d.map == $2; })) {
        ctx.diags.error(@2, "map " + $2 + " is declared twice");
      } else {
        decls.push_back({$2, false, true, 0, @$});
      }
    }
  ;

// options { NAME: TYPE [= DEFAULT] [FLAGS] "HELP" ... }: see script_options.h.
options_block
  : OPTIONS '{' option_items '}' {
      auto& opts = ctx.program->options;
      if (opts.present) {
        ctx.diags.error(@1, "a script has one options block", "merge the two blocks");
      } else if (!ctx.program->probes.empty()) {
        ctx.diags.error(@1, "the options block must come before the probes", "move it to the top of the script");
      }
      if (!opts.present) opts.loc = @1;
      opts.present = true;
      for (auto& d : ctx.pending_options.decls) opts.decls.push_back(std::move(d));
      if (!ctx.pending_options.description.empty()) opts.description = ctx.pending_options.description;
      if (!ctx.pending_options.epilog.empty()) opts.epilog = ctx.pending_options.epilog;
      if (!ctx.pending_options.missing_functions_text.empty()) {
        opts.missing_functions_text = ctx.pending_options.missing_functions_text;
        opts.missing_functions_loc = ctx.pending_options.missing_functions_loc;
      }
      if (!ctx.pending_options.map_size_text.empty()) {
        opts.map_size_text = ctx.pending_options.map_size_text;
        opts.map_size_loc = ctx.pending_options.map_size_loc;
      }
      for (auto& t : ctx.pending_options.triggers) opts.triggers.push_back(std::move(t));
      for (auto& u : ctx.pending_options.unknown_items) opts.unknown_items.push_back(std::move(u));
      ctx.pending_options = {};
    }
  ;

option_items
  : %empty
  | option_items option_item
  | option_items ';'
  ;

option_item
  : IDENT ':' option_type option_default option_flags option_metavar STRING {
      ms::ast::OptionDecl d = std::move($3);
      d.name = $1;
      d.loc = @1;
      if ($4) {
        d.has_default = true;
        d.default_text = *$4;
        d.default_loc = @4;
      }
      d.flags = std::move($5);
      d.metavar = $6;
      d.help = $7;
      ctx.pending_options.decls.push_back(std::move(d));
    }
  | IDENT option_word {
      if ($1 == "description") ctx.pending_options.description = $2;
      else if ($1 == "epilog") ctx.pending_options.epilog = $2;
      else if ($1 == "missing_functions") {
        ctx.pending_options.missing_functions_text = $2;
        ctx.pending_options.missing_functions_loc = @2;
      }
      else if ($1 == "map_size") {
        ctx.pending_options.map_size_text = $2;
        ctx.pending_options.map_size_loc = @2;
      }
      else if ($1 == "trigger_rss_growth" || $1 == "trigger_growth_rate")
        ctx.pending_options.triggers.push_back({$1, $2, @2});
      else ctx.pending_options.unknown_items.emplace_back($1, @1);
    }
  ;

option_type
  : IDENT                  { $$.type = $1; $$.type_loc = @$; }
  | IDENT '(' option_type_args ')' { $$.type = $1; $$.type_args = std::move($3); $$.type_loc = @$; }
  ;

option_type_args
  : option_word                      { $$.push_back($1); }
  | option_type_args ',' option_word { $$ = std::move($1); $$.push_back($3); }
  ;

option_word
  : IDENT                  { $$ = $1; }
  | WORD                   { $$ = $1; }
  | STRING                 { $$ = $1; }
  ;

option_default
  : %empty                 { }
  | '=' option_word        { $$ = $2; @$ = @2; }
  ;

// How --help names the value (`--sort KEY`), written where it would appear.
option_metavar
  : %empty                 { }
  | IDENT                  { $$ = $1; }
  ;

option_flags
  : %empty                 { }
  | option_flags FLAG      { $$ = std::move($1); $$.push_back({$2, @2}); }
  ;

probe
  : attach_points predicate block {
      $$ = std::make_unique<ms::ast::Probe>();
      $$->attach_points = std::move($1);
      $$->predicate = std::move($2);
      $$->body = std::move($3);
      $$->loc = @1;
    }
  | error '}'              { $$ = nullptr; }
  ;

attach_points
  : ATTACH                       { $$.push_back(ms::detail::make_attach_point($1, @1)); }
  | attach_points ',' ATTACH     { $$ = std::move($1); $$.push_back(ms::detail::make_attach_point($3, @3)); }
  ;

predicate
  : %empty                 { $$ = nullptr; }
  | '/' expr ENDPRED       { $$ = std::move($2); }
  ;

block
  : '{' stmts '}'          { $$ = std::move($2); }
  ;

// Statements end with ';' except the last one of a block and an `if`.
stmts
  : stmt_list                     { $$ = std::move($1); }
  | stmt_list simple_stmt         { $$ = std::move($1); $$.push_back(std::move($2)); }
  | stmt_list error               { $$ = std::move($1); }
  ;

stmt_list
  : %empty                        { }
  | stmt_list simple_stmt ';'     { $$ = std::move($1); $$.push_back(std::move($2)); }
  | stmt_list if_stmt             { $$ = std::move($1); $$.push_back(std::move($2)); }
  | stmt_list loop_stmt           { $$ = std::move($1); $$.push_back(std::move($2)); }
  | stmt_list block               {
      // A bare block: bpftrace's variables live for the whole probe, so its
      // statements simply join the enclosing block.
      $$ = std::move($1);
      for (auto& st : $2) $$.push_back(std::move(st));
    }
  | stmt_list ';'                 { $$ = std::move($1); }
  | stmt_list error ';'           { $$ = std::move($1); }
  ;

simple_stmt
  : map '=' expr           { $$ = std::make_unique<ms::ast::AssignMap>(std::move($1), std::move($3), @$); }
  | VAR '=' expr           {
      auto var = std::make_unique<ms::ast::Variable>($1, @1);
      $$ = std::make_unique<ms::ast::AssignVar>(std::move(var), std::move($3), @$);
    }
  | map ASSIGN_OP expr     {
      $$ = std::make_unique<ms::ast::AssignMap>(std::move($1), std::move($3), @$, static_cast<ms::ast::BinaryOp>($2));
    }
  | VAR ASSIGN_OP expr     {
      auto var = std::make_unique<ms::ast::Variable>($1, @1);
      $$ = std::make_unique<ms::ast::AssignVar>(std::move(var), std::move($3), @$, static_cast<ms::ast::BinaryOp>($2));
    }
  | map INC                { $$ = std::make_unique<ms::ast::AssignMap>(std::move($1), make_expr<ms::ast::Integer>(1, @2), @$, ms::ast::BinaryOp::Add); mark_increment($$); }
  | map DEC                { $$ = std::make_unique<ms::ast::AssignMap>(std::move($1), make_expr<ms::ast::Integer>(1, @2), @$, ms::ast::BinaryOp::Sub); mark_increment($$); }
  | INC map                { $$ = std::make_unique<ms::ast::AssignMap>(std::move($2), make_expr<ms::ast::Integer>(1, @1), @$, ms::ast::BinaryOp::Add); mark_increment($$); }
  | DEC map                { $$ = std::make_unique<ms::ast::AssignMap>(std::move($2), make_expr<ms::ast::Integer>(1, @1), @$, ms::ast::BinaryOp::Sub); mark_increment($$); }
  | VAR INC                {
      auto var = std::make_unique<ms::ast::Variable>($1, @1);
      $$ = std::make_unique<ms::ast::AssignVar>(std::move(var), make_expr<ms::ast::Integer>(1, @2), @$, ms::ast::BinaryOp::Add);
      mark_increment($$);
    }
  | VAR DEC                {
      auto var = std::make_unique<ms::ast::Variable>($1, @1);
      $$ = std::make_unique<ms::ast::AssignVar>(std::move(var), make_expr<ms::ast::Integer>(1, @2), @$, ms::ast::BinaryOp::Sub);
      mark_increment($$);
    }
  | INC VAR                {
      auto var = std::make_unique<ms::ast::Variable>($2, @2);
      $$ = std::make_unique<ms::ast::AssignVar>(std::move(var), make_expr<ms::ast::Integer>(1, @1), @$, ms::ast::BinaryOp::Add);
      mark_increment($$);
    }
  | DEC VAR                {
      auto var = std::make_unique<ms::ast::Variable>($2, @2);
      $$ = std::make_unique<ms::ast::AssignVar>(std::move(var), make_expr<ms::ast::Integer>(1, @1), @$, ms::ast::BinaryOp::Sub);
      mark_increment($$);
    }
  | BREAK                  { $$ = std::make_unique<ms::ast::Jump>(ms::ast::JumpKind::Break, @$); }
  | CONTINUE               { $$ = std::make_unique<ms::ast::Jump>(ms::ast::JumpKind::Continue, @$); }
  | RETURN                 { $$ = std::make_unique<ms::ast::Jump>(ms::ast::JumpKind::Return, @$); }
  | expr                   { $$ = std::make_unique<ms::ast::ExprStmt>(std::move($1), @$); }
  ;

loop_stmt
  : WHILE '(' expr ')' block { $$ = std::make_unique<ms::ast::While>(std::move($3), std::move($5), @$); }
  | UNROLL '(' expr ')' block { $$ = std::make_unique<ms::ast::Unroll>(std::move($3), std::move($5), @$); }
  ;

if_stmt
  : IF '(' expr ')' block else_part {
      $$ = std::make_unique<ms::ast::If>(std::move($3), std::move($5), std::move($6), @$);
    }
  ;

else_part
  : %empty                 { }
  | ELSE block             { $$ = std::move($2); }
  | ELSE if_stmt           { $$.push_back(std::move($2)); }
  ;

expr
  : primary                { $$ = std::move($1); }
  | expr '?' expr ':' expr { $$ = ms::detail::nest(ctx, std::make_unique<ms::ast::Ternary>(std::move($1), std::move($3), std::move($5), @$)); }
  | expr OR expr           { $$ = binop(ctx, ms::ast::BinaryOp::LogicalOr, std::move($1), std::move($3), @$); }
  | expr AND expr          { $$ = binop(ctx, ms::ast::BinaryOp::LogicalAnd, std::move($1), std::move($3), @$); }
  | expr '|' expr          { $$ = binop(ctx, ms::ast::BinaryOp::BitOr, std::move($1), std::move($3), @$); }
  | expr '^' expr          { $$ = binop(ctx, ms::ast::BinaryOp::BitXor, std::move($1), std::move($3), @$); }
  | expr '&' expr          { $$ = binop(ctx, ms::ast::BinaryOp::BitAnd, std::move($1), std::move($3), @$); }
  | expr EQ expr           { $$ = binop(ctx, ms::ast::BinaryOp::Eq, std::move($1), std::move($3), @$); }
  | expr NE expr           { $$ = binop(ctx, ms::ast::BinaryOp::Ne, std::move($1), std::move($3), @$); }
  | expr '<' expr          { $$ = binop(ctx, ms::ast::BinaryOp::Lt, std::move($1), std::move($3), @$); }
  | expr LE expr           { $$ = binop(ctx, ms::ast::BinaryOp::Le, std::move($1), std::move($3), @$); }
  | expr '>' expr          { $$ = binop(ctx, ms::ast::BinaryOp::Gt, std::move($1), std::move($3), @$); }
  | expr GE expr           { $$ = binop(ctx, ms::ast::BinaryOp::Ge, std::move($1), std::move($3), @$); }
  | expr SHL expr          { $$ = binop(ctx, ms::ast::BinaryOp::Shl, std::move($1), std::move($3), @$); }
  | expr SHR expr          { $$ = binop(ctx, ms::ast::BinaryOp::Shr, std::move($1), std::move($3), @$); }
  | expr '+' expr          { $$ = binop(ctx, ms::ast::BinaryOp::Add, std::move($1), std::move($3), @$); }
  | expr '-' expr          { $$ = binop(ctx, ms::ast::BinaryOp::Sub, std::move($1), std::move($3), @$); }
  | expr '*' expr          { $$ = binop(ctx, ms::ast::BinaryOp::Mul, std::move($1), std::move($3), @$); }
  | expr '/' expr          { $$ = binop(ctx, ms::ast::BinaryOp::Div, std::move($1), std::move($3), @$); }
  | expr '%' expr          { $$ = binop(ctx, ms::ast::BinaryOp::Mod, std::move($1), std::move($3), @$); }
  | '!' expr               { $$ = ms::detail::nest(ctx, std::make_unique<ms::ast::Unop>(ms::ast::UnaryOp::LogicalNot, std::move($2), @$)); }
  | '~' expr               { $$ = ms::detail::nest(ctx, std::make_unique<ms::ast::Unop>(ms::ast::UnaryOp::BitNot, std::move($2), @$)); }
  | '-' expr %prec UMINUS  { $$ = ms::detail::nest(ctx, std::make_unique<ms::ast::Unop>(ms::ast::UnaryOp::Minus, std::move($2), @$)); }
  | '*' expr %prec UMINUS  { $$ = ms::detail::nest(ctx, std::make_unique<ms::ast::Deref>(std::move($2), @$)); }
  | '(' INT_TYPE ')' expr %prec CAST     { $$ = ms::detail::nest(ctx, std::make_unique<ms::ast::Cast>(std::move($2), false, std::move($4), @$)); }
  | '(' INT_TYPE '*' ')' expr %prec CAST { $$ = ms::detail::nest(ctx, std::make_unique<ms::ast::Cast>(std::move($2), true, std::move($5), @$)); }
  ;

primary
  : INT                    { $$ = make_expr<ms::ast::Integer>($1, @1); }
  | STRING                 { $$ = make_expr<ms::ast::String>(std::move($1), @1); }
  | IDENT                  { $$ = make_expr<ms::ast::Builtin>(std::move($1), @1); }
  | IDENT '(' args ')'     { $$ = ms::detail::nest(ctx, make_expr<ms::ast::Call>(std::move($1), std::move($3), @$)); }
  | VAR                    { $$ = make_expr<ms::ast::Variable>(std::move($1), @1); }
  | OPTREF                 { $$ = make_expr<ms::ast::OptionRef>(std::move($1), @1); }
  | POSITIONAL             { $$ = make_expr<ms::ast::Positional>($1, @1); }
  | map                    { $$ = ms::detail::nest(ctx, std::move($1)); }
  | '(' expr ')'           { $$ = std::move($2); }
  | '(' expr ',' expr_list ')' {
      std::vector<ms::ast::ExprPtr> elements;
      elements.push_back(std::move($2));
      for (auto& e : $4) elements.push_back(std::move(e));
      $$ = ms::detail::nest(ctx, make_expr<ms::ast::Tuple>(std::move(elements), @$));
    }
  | primary '.' INT        { $$ = ms::detail::nest(ctx, make_expr<ms::ast::FieldAccess>(std::move($1), std::to_string($3), false, @$)); }
  | primary '.' IDENT      { $$ = ms::detail::nest(ctx, make_expr<ms::ast::FieldAccess>(std::move($1), std::move($3), false, @$)); }
  | primary ARROW IDENT    { $$ = ms::detail::nest(ctx, make_expr<ms::ast::FieldAccess>(std::move($1), std::move($3), true, @$)); }
  ;

map
  : MAP                    { $$ = std::make_unique<ms::ast::Map>(std::move($1), std::vector<ms::ast::ExprPtr>{}, @1); }
  | MAP '[' expr_list ']'  { $$ = std::make_unique<ms::ast::Map>(std::move($1), std::move($3), @$); }
  ;

args
  : %empty                 { }
  | expr_list              { $$ = std::move($1); }
  ;

expr_list
  : expr                   { $$.push_back(std::move($1)); }
  | expr_list ',' expr     { $$ = std::move($1); $$.push_back(std::move($3)); }
  ;

%%

void ms::Parser::error(const ms::Location& loc, const std::string& message) {
  if (ctx.premature_eof_reported && message.find("end of file") != std::string::npos) return;
  ctx.diags.error(loc, message);
}
