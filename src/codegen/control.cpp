// Loops and jumps: while (with break/continue), unroll(N) and return.
//
// A while loop becomes an ordinary LLVM loop; the kernel's verifier accepts it
// when it can prove the loop ends (bounded loops, Linux 5.3+), and rejects it
// otherwise with a message we map back to the script line.
#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

void Codegen::gen_while(const ast::While& w) {
  auto* cond_bb = llvm::BasicBlock::Create(*llvm_, "while_cond", fn_);
  auto* body_bb = llvm::BasicBlock::Create(*llvm_, "while_body", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "while_done", fn_);
  b_->CreateBr(cond_bb);
  b_->SetInsertPoint(cond_bb);
  b_->CreateCondBr(gen_cond(*w.cond), body_bb, done_bb);
  b_->SetInsertPoint(body_bb);
  loops_.push_back({done_bb, cond_bb});
  gen_block(w.body);
  loops_.pop_back();
  b_->CreateBr(cond_bb);
  b_->SetInsertPoint(done_bb);
}

void Codegen::gen_unroll(const ast::Unroll& u) {
  // The type pass checked the count is a constant from 1 to 100.
  uint64_t n = u.count->kind == ast::NodeKind::Integer ? static_cast<const ast::Integer&>(*u.count).value : 0;
  for (uint64_t i = 0; i < n; ++i) gen_block(u.body);
}

void Codegen::gen_jump(const ast::Jump& j) {
  if (j.jump == ast::JumpKind::Return) {
    return_zero_and_continue_dead();
    return;
  }
  if (loops_.empty()) {
    internal_error(j.loc, "break or continue outside a loop");
    return;
  }
  b_->CreateBr(j.jump == ast::JumpKind::Break ? loops_.back().break_to : loops_.back().continue_to);
  // What follows in this block cannot run; the optimiser drops the empty block.
  b_->SetInsertPoint(llvm::BasicBlock::Create(*llvm_, "after_jump", fn_));
}

}  // namespace ms::codegen_detail
