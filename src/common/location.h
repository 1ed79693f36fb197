// A range in a script, 1-based lines and columns, end inclusive-exclusive on column.
#pragma once

#include <string>

namespace ms {

struct Location {
  int line = 0;
  int column = 0;
  int end_line = 0;
  int end_column = 0;  // one past the last column of the range
};

}  // namespace ms
