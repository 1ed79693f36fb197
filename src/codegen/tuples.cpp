// Tuples: `(a, b, ...)` built in a stack buffer, one 8-byte aligned slot per
// element (Type::element_offset), and `$t.N` reading one element back.
#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

Value Codegen::gen_tuple(const ast::Tuple& t, const Type& type) {
  auto* buf = stack_buffer(type.size, t.loc, "tuple");
  zero_fill(buf, type.size);
  for (size_t i = 0; i < t.elements.size() && i < type.elements.size(); ++i) {
    Value v = gen_expr(*t.elements[i]);
    if (!v.v) continue;
    store_field(byte_ptr(buf, type.element_offset(i)), v, field_size(type.elements[i]));
  }
  return {buf, type};
}

Value Codegen::tuple_field(const Value& tuple, size_t i) {
  const Type& et = tuple.type.elements[i];
  llvm::Value* p = byte_ptr(tuple.v, tuple.type.element_offset(i));
  if (is_bytes(et)) return {p, et};
  // Integers, stacks (their id) and symbols (their address; a usym's pid word
  // is written again from the current process when stored).
  return {b_->CreateAlignedLoad(b_->getInt64Ty(), p, llvm::Align(8), "elem"), et};
}

Value Codegen::gen_tuple_element(const ast::FieldAccess& f, const Type& t) {
  Value base = gen_expr(*f.base);
  if (base.type.kind != TypeKind::Tuple) {
    internal_error(f.loc, "element of a value that is not a tuple");
    return {b_->getInt64(0), t};
  }
  size_t i = std::stoul(f.field);
  if (i >= base.type.elements.size()) {
    internal_error(f.loc, "tuple element out of range");
    return {b_->getInt64(0), t};
  }
  return tuple_field(base, i);
}

}  // namespace ms::codegen_detail
