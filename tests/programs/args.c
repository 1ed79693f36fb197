// Prints its arguments, so tests can check how -c splits a command line.
#include <stdio.h>

int main(int argc, char **argv) {
  printf("truth: argc=%d\n", argc);
  for (int i = 1; i < argc; ++i) printf("arg%d=[%s]\n", i, argv[i]);
  return argc == 4 ? 0 : 3;
}
