// The abstract syntax tree of a memscript program.
//
// Nodes are plain structs owned through unique_ptr. They carry their source
// location; everything computed later (types, resolved map layouts) lives in
// side tables keyed by node (see types.h), not in fields of the nodes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/location.h"

namespace ms::ast {

enum class NodeKind {
  // expressions
  Integer,
  String,
  Builtin,   // pid tid comm nsecs arg0..arg5 retval ...
  Variable,  // $x
  Map,       // @x or @x[k1, k2]
  Call,      // count() sum(x) printf(...) exit() str(x) ...
  Binop,
  Unop,
  Ternary,
  OptionRef,   // opt.NAME: a script option, replaced by a literal before checking
  Positional,  // $1, $2 ... and $#: positional parameters, replaced like options
  FieldAccess,  // args.len, args->len
  Cast,      // (uint8)x, (int32*)p
  Deref,     // *p
  Tuple,     // (a, b, ...): two or more values kept together
  // statements
  ExprStmt,
  AssignMap,  // @x[k] = expr
  AssignVar,  // $x = expr
  If,
  While,     // while (cond) { ... }
  Unroll,    // unroll(N) { ... }
  Jump,      // break; continue; return;
};

struct Node {
  explicit Node(NodeKind k, Location l) : kind(k), loc(std::move(l)) {}
  virtual ~Node() = default;
  NodeKind kind;
  Location loc;
};

struct Expr : Node {
  using Node::Node;
  // Levels of expression from here down (1 for a leaf). The parser keeps it
  // under kMaxExprNesting so no recursive pass, nor the destructor, can run
  // out of stack on a hostile script.
  uint32_t nesting = 1;
};
using ExprPtr = std::unique_ptr<Expr>;

struct Integer : Expr {
  Integer(uint64_t v, Location l) : Expr(NodeKind::Integer, std::move(l)), value(v) {}
  uint64_t value;
};

struct String : Expr {
  String(std::string v, Location l) : Expr(NodeKind::String, std::move(l)), value(std::move(v)) {}
  std::string value;  // unescaped
};

struct Builtin : Expr {
  Builtin(std::string n, Location l) : Expr(NodeKind::Builtin, std::move(l)), name(std::move(n)) {}
  std::string name;
};

struct Variable : Expr {
  Variable(std::string n, Location l) : Expr(NodeKind::Variable, std::move(l)), name(std::move(n)) {}
  std::string name;  // including the leading '$'
};

struct Map : Expr {
  Map(std::string n, std::vector<ExprPtr> k, Location l)
      : Expr(NodeKind::Map, std::move(l)), name(std::move(n)), keys(std::move(k)) {}
  std::string name;           // including the leading '@'; "@" alone is the anonymous map
  std::vector<ExprPtr> keys;  // empty: scalar map
};

struct Call : Expr {
  Call(std::string f, std::vector<ExprPtr> a, Location l)
      : Expr(NodeKind::Call, std::move(l)), func(std::move(f)), args(std::move(a)) {}
  std::string func;
  std::vector<ExprPtr> args;
};

enum class BinaryOp {
  Add, Sub, Mul, Div, Mod,
  BitAnd, BitOr, BitXor, Shl, Shr,
  Eq, Ne, Lt, Le, Gt, Ge,
  LogicalAnd, LogicalOr,
};
const char* to_string(BinaryOp op);

struct Binop : Expr {
  Binop(BinaryOp o, ExprPtr l_, ExprPtr r_, Location l)
      : Expr(NodeKind::Binop, std::move(l)), op(o), lhs(std::move(l_)), rhs(std::move(r_)) {}
  BinaryOp op;
  ExprPtr lhs, rhs;
};

enum class UnaryOp { LogicalNot, BitNot, Minus };
const char* to_string(UnaryOp op);

struct Unop : Expr {
  Unop(UnaryOp o, ExprPtr e, Location l) : Expr(NodeKind::Unop, std::move(l)), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

struct Ternary : Expr {
  Ternary(ExprPtr c, ExprPtr t, ExprPtr f, Location l)
      : Expr(NodeKind::Ternary, std::move(l)), cond(std::move(c)), then_expr(std::move(t)), else_expr(std::move(f)) {}
  ExprPtr cond, then_expr, else_expr;
};

// `opt.NAME` in an expression. The options pass replaces it by the option's
// value as a literal, so later passes never see one.
struct OptionRef : Expr {
  OptionRef(std::string n, Location l) : Expr(NodeKind::OptionRef, std::move(l)), name(std::move(n)) {}
  std::string name;  // without "opt."
};

// `$N` (index N >= 1) or `$#` (index 0: how many positional arguments there are).
struct Positional : Expr {
  Positional(int i, Location l) : Expr(NodeKind::Positional, std::move(l)), index(i) {}
  int index;
};

// `base.field` or `base->field`: a field of tracepoint `args`, typed from the
// tracepoint's format; or `base.N`, element N of a tuple.
struct FieldAccess : Expr {
  FieldAccess(ExprPtr b, std::string f, bool arrow_, Location l)
      : Expr(NodeKind::FieldAccess, std::move(l)), base(std::move(b)), field(std::move(f)), arrow(arrow_) {}
  ExprPtr base;
  std::string field;
  bool arrow;  // written with '->' (bpftrace 0.17's args->field)
  bool is_index() const { return !field.empty() && field[0] >= '0' && field[0] <= '9'; }
};

// `(a, b, ...)`: a tuple, as a map value or key, a variable, or printed.
struct Tuple : Expr {
  Tuple(std::vector<ExprPtr> e, Location l) : Expr(NodeKind::Tuple, std::move(l)), elements(std::move(e)) {}
  std::vector<ExprPtr> elements;
};

// A cast to a named integer type, or to a pointer to one: (uint8)x, (int32*)arg0.
struct Cast : Expr {
  Cast(std::string t, bool ptr, ExprPtr e, Location l)
      : Expr(NodeKind::Cast, std::move(l)), type_name(std::move(t)), pointer(ptr), operand(std::move(e)) {}
  std::string type_name;  // int8 ... uint64
  bool pointer;           // (type*) rather than (type)
  ExprPtr operand;
};

// Reads the integer a typed pointer points at: *(uint32*)arg0.
struct Deref : Expr {
  Deref(ExprPtr e, Location l) : Expr(NodeKind::Deref, std::move(l)), operand(std::move(e)) {}
  ExprPtr operand;
};

struct Stmt : Node {
  using Node::Node;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

struct ExprStmt : Stmt {
  ExprStmt(ExprPtr e, Location l) : Stmt(NodeKind::ExprStmt, std::move(l)), expr(std::move(e)) {}
  ExprPtr expr;
};

// `compound` is set for `@x op= expr`, `@x++` (Add, 1) and `@x--` (Sub, 1):
// the new value is `old op expr`, where a missing element reads 0.
struct AssignMap : Stmt {
  AssignMap(std::unique_ptr<Map> m, ExprPtr e, Location l, std::optional<BinaryOp> op = std::nullopt)
      : Stmt(NodeKind::AssignMap, std::move(l)), map(std::move(m)), expr(std::move(e)), compound(op) {}
  std::unique_ptr<Map> map;
  ExprPtr expr;
  std::optional<BinaryOp> compound;
  bool increment = false;  // written as ++ or --, for messages
};

struct AssignVar : Stmt {
  AssignVar(std::unique_ptr<Variable> v, ExprPtr e, Location l, std::optional<BinaryOp> op = std::nullopt)
      : Stmt(NodeKind::AssignVar, std::move(l)), var(std::move(v)), expr(std::move(e)), compound(op) {}
  std::unique_ptr<Variable> var;
  ExprPtr expr;
  std::optional<BinaryOp> compound;
  bool increment = false;  // written as ++ or --, for messages
};

struct If : Stmt {
  If(ExprPtr c, Block t, Block e, Location l)
      : Stmt(NodeKind::If, std::move(l)), cond(std::move(c)), then_block(std::move(t)), else_block(std::move(e)) {}
  ExprPtr cond;
  Block then_block;
  Block else_block;  // an `else if` is an If as the only statement of else_block
};

struct While : Stmt {
  While(ExprPtr c, Block b, Location l) : Stmt(NodeKind::While, std::move(l)), cond(std::move(c)), body(std::move(b)) {}
  ExprPtr cond;
  Block body;
};

// The body repeated `count` times (a constant, 1..100, as in bpftrace).
struct Unroll : Stmt {
  Unroll(ExprPtr n, Block b, Location l) : Stmt(NodeKind::Unroll, std::move(l)), count(std::move(n)), body(std::move(b)) {}
  ExprPtr count;
  Block body;
};

enum class JumpKind { Break, Continue, Return };
const char* to_string(JumpKind k);

struct Jump : Stmt {
  Jump(JumpKind k, Location l) : Stmt(NodeKind::Jump, std::move(l)), jump(k) {}
  JumpKind jump;
};

// One attach point as written, e.g. "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc".
// The parser splits it on ':' (respecting the provider's arity); the semantic
// pass validates the provider and its parts.
struct AttachPoint {
  std::string raw;                  // text as written
  std::string provider;             // BEGIN END uprobe uretprobe tracepoint interval ...
  std::vector<std::string> parts;   // the ':'-separated parts after the provider
  Location loc;
};

struct Probe {
  std::vector<AttachPoint> attach_points;
  ExprPtr predicate;  // may be null
  Block body;
  Location loc;
};

// One declaration of an `options { ... }` block, as written:
//   NAME: TYPE[(ARGS)] [= DEFAULT] [FLAGS...] [METAVAR] "HELP"
// Validation (known type, default parses, no clashing flags) happens in
// script_options.cpp, which turns declarations into a ScriptInterface.
struct OptionDecl {
  std::string name;
  Location loc;  // the name
  std::string type;
  std::vector<std::string> type_args;  // choice(a, b) and duration(ms)
  Location type_loc;
  bool has_default = false;
  std::string default_text;  // as written, parsed by the option's type
  Location default_loc;
  struct Flag {
    std::string text;  // "-p" or "--pid"
    Location loc;
  };
  std::vector<Flag> flags;  // none: a positional parameter
  std::string metavar;      // how --help names the value; empty: NAME in capitals
  std::string help;
};

// `options { ... }`: the script's own command line.
struct OptionsBlock {
  bool present = false;
  Location loc;  // the `options` keyword
  std::vector<OptionDecl> decls;
  std::string description;  // `description "..."`: printed under the usage line
  std::string epilog;       // `epilog "..."`: printed at the end of --help
  // `map_size N`: entries of each of the script's maps unless --map-size
  // says otherwise (checked by script_options.cpp into ScriptInterface).
  std::string map_size_text;
  Location map_size_loc;
  // `missing_functions warn|error`: whether a uprobe on a function its binary
  // lacks is skipped with a warning (an allocator without pvalloc) or an error.
  std::string missing_functions_text;
  Location missing_functions_loc;
  // `trigger_rss_growth OPTION`, `trigger_growth_rate OPTION`: uprobes wait
  // until the target's memory grows as the named option says (script_options.h).
  struct Trigger {
    std::string kind;    // trigger_rss_growth or trigger_growth_rate
    std::string option;  // the option that holds the threshold
    Location loc;        // of the option's name
  };
  std::vector<Trigger> triggers;
  // `NAME "text"` items that are neither, reported by validation.
  std::vector<std::pair<std::string, Location>> unknown_items;
};

// `let @name = hash(N);` / `lruhash(N)` before the probes (bpftrace's map
// declarations): the map's kind and size, instead of --map-size / map_size.
// `let @name = taskstorage;`: BPF task-local storage, a value per thread.
struct MapDecl {
  std::string map;  // "@name"
  bool lru = false;
  bool task_storage = false;  // `let @x = taskstorage;`: one value per thread, keyed by tid
  uint32_t entries = 0;
  Location loc;
};

struct Program {
  OptionsBlock options;
  std::vector<MapDecl> map_decls;
  std::vector<std::unique_ptr<Probe>> probes;
};

}  // namespace ms::ast
