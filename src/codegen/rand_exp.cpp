// rand_exp(mean): an exponentially distributed random integer, for sampling
// by bytes the way jemalloc and tcmalloc do (the distance to the next sampled
// byte). BPF has no floating point, so it is computed in fixed point:
//
//   u = a uniform 32-bit random number + 1, in [1, 2^32]
//   X = -ln(u / 2^32) * mean = (32 - log2(u)) * ln(2) * mean
//
// log2(u) is taken in Q16: its integer part by a binary search for the top
// bit, its 16 fractional bits by repeated squaring of the mantissa (each
// square doubles the logarithm; a carry out is the next bit). The result is
// exact to about 2^-16 relative, far below the sampling noise; u's 32 bits
// put the largest value at 22.2 x mean. Straight-line code, no branches.
#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

llvm::Value* Codegen::gen_rand_exp(llvm::Value* mean) {
  auto* i64 = b_->getInt64Ty();
  auto c = [&](uint64_t v) { return llvm::ConstantInt::get(i64, v); };
  // Odd numbers in [1, 2^32 - 1]: log2 is defined and fits 32 bits.
  llvm::Value* r = b_->CreateAnd(call_helper(kGetPrandomU32, i64, {}, "rand"), c(0xffffffffull));
  llvm::Value* u = b_->CreateOr(r, c(1), "u");  // never 0; the lowest bit hardly matters

  // k = floor(log2(u)), x = u >> k. No selects or compares: BPF turns them
  // into branches, and 21 of them in a row are 2^21 paths for the verifier.
  // Flags are computed arithmetically: for y < 2^32, (y + 2^32 - 1) >> 32 is
  // 1 if y != 0, else 0.
  llvm::Value* k = c(0);
  llvm::Value* x = u;
  for (uint64_t step : {16u, 8u, 4u, 2u, 1u}) {
    llvm::Value* big = b_->CreateLShr(b_->CreateAdd(b_->CreateLShr(x, step), c(0xffffffffull)), 32);
    llvm::Value* shift = b_->CreateMul(big, c(step));
    x = b_->CreateLShr(x, shift);
    k = b_->CreateAdd(k, shift);
  }
  // The mantissa u / 2^k in Q31: [2^31, 2^32).
  llvm::Value* m = b_->CreateLShr(b_->CreateShl(u, 31), k, "mant");
  llvm::Value* frac = c(0);
  for (int i = 1; i <= 16; ++i) {
    m = b_->CreateLShr(b_->CreateMul(m, m), 31);  // < 2^33
    llvm::Value* carry = b_->CreateLShr(m, 32);    // 0 or 1
    m = b_->CreateLShr(m, carry);
    frac = b_->CreateOr(frac, b_->CreateShl(carry, 16 - i));
  }
  llvm::Value* log2u = b_->CreateOr(b_->CreateShl(k, 16), frac);                 // Q16
  llvm::Value* neg_ln = b_->CreateLShr(b_->CreateMul(b_->CreateSub(c(32ull << 16), log2u), c(45426)), 16);  // ln 2 in Q16
  return b_->CreateLShr(b_->CreateMul(mean, neg_ln), 16, "rand_exp");
}

}  // namespace ms::codegen_detail
