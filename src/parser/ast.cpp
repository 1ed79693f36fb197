#include "parser/ast.h"

namespace ms::ast {

const char* to_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::BitAnd: return "&";
    case BinaryOp::BitOr: return "|";
    case BinaryOp::BitXor: return "^";
    case BinaryOp::Shl: return "<<";
    case BinaryOp::Shr: return ">>";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::LogicalAnd: return "&&";
    case BinaryOp::LogicalOr: return "||";
  }
  return "?";
}

const char* to_string(UnaryOp op) {
  switch (op) {
    case UnaryOp::LogicalNot: return "!";
    case UnaryOp::BitNot: return "~";
    case UnaryOp::Minus: return "-";
  }
  return "?";
}

const char* to_string(JumpKind k) {
  switch (k) {
    case JumpKind::Break: return "break";
    case JumpKind::Continue: return "continue";
    case JumpKind::Return: return "return";
  }
  return "?";
}

}  // namespace ms::ast
