/* Callgrind client requests for the instruction count of bench/tracing-ab (run.sh compiles this into marks.so):
   the benchmark zeroes callgrind's counters before each measured loop and dumps them after it, so every dump holds
   the instructions of one loop of one variant, all threads of the process included. Outside valgrind these are no-ops. */
#include <valgrind/callgrind.h>

int juggle_ab_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
void juggle_ab_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void juggle_ab_zero(void) { CALLGRIND_ZERO_STATS; }
void juggle_ab_dump(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
