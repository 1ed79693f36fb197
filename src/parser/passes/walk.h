// Visiting the direct sub-expressions of an expression, so passes that only
// care about a few node kinds need not repeat the tree shape.
#pragma once

#include "parser/ast.h"

namespace ms::passes {

template <typename F>
void for_each_child(ast::Expr& e, F&& f) {
  switch (e.kind) {
    case ast::NodeKind::Map:
      for (auto& k : static_cast<ast::Map&>(e).keys) f(*k);
      break;
    case ast::NodeKind::Call:
      for (auto& a : static_cast<ast::Call&>(e).args) f(*a);
      break;
    case ast::NodeKind::Binop: {
      auto& b = static_cast<ast::Binop&>(e);
      f(*b.lhs);
      f(*b.rhs);
      break;
    }
    case ast::NodeKind::Unop:
      f(*static_cast<ast::Unop&>(e).operand);
      break;
    case ast::NodeKind::Cast:
      f(*static_cast<ast::Cast&>(e).operand);
      break;
    case ast::NodeKind::Deref:
      f(*static_cast<ast::Deref&>(e).operand);
      break;
    case ast::NodeKind::Ternary: {
      auto& t = static_cast<ast::Ternary&>(e);
      f(*t.cond);
      f(*t.then_expr);
      f(*t.else_expr);
      break;
    }
    case ast::NodeKind::FieldAccess:
      f(*static_cast<ast::FieldAccess&>(e).base);
      break;
    case ast::NodeKind::Tuple:
      for (auto& x : static_cast<ast::Tuple&>(e).elements) f(*x);
      break;
    default:
      break;
  }
}

}  // namespace ms::passes
